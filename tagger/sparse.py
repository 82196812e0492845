"""Sparse rows without scipy: the CSR arrays the tagging path computes, multiplied by dense weights in the kernel.

Tagging one article builds a handful of sparse matrices (n-gram TF-IDF, alias evidence, candidate rows). scipy's
constructors check and convert each one (tens of microseconds apiece) and importing scipy costs about 0.1 s, so the
tagging path keeps the three CSR arrays as the kernel made them in a :class:`Rows` and multiplies them by dense
weights in the kernel, adding in scipy's order (row by row, entry by entry, in float32): the same numbers as
``scipy.sparse.csr_matrix @ weights``. Training, which needs scipy and scikit-learn anyway, asks for
:meth:`Rows.scipy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import _kernel

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Rows"]


class Rows:
    """A read-only CSR matrix: ``data`` (float32), ``indices`` and ``indptr`` (int64), and its ``shape``."""

    __slots__ = ("_scipy", "data", "indices", "indptr", "shape")

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]):
        self.data = np.ascontiguousarray(data, dtype=np.float32)
        self.indices = np.ascontiguousarray(indices, dtype=np.int64)
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.shape = (int(shape[0]), int(shape[1]))
        if self.indptr.size != self.shape[0] + 1 or self.indices.size != self.data.size:
            raise ValueError(f"inconsistent CSR arrays for shape {self.shape}")
        self._scipy: Any = None

    @classmethod
    def empty(cls, n_rows: int, n_cols: int) -> Rows:
        return cls(np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(n_rows + 1, np.int64), (n_rows, n_cols))

    def __repr__(self) -> str:
        return f"<Rows {self.shape[0]}×{self.shape[1]}, {self.data.size} stored values>"

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """``self @ weights`` for dense float32 ``weights`` of shape (n_cols,) or (n_cols, k): float32 result."""
        w = np.ascontiguousarray(weights, dtype=np.float32)
        vector = w.ndim == 1
        if vector:
            w = w.reshape(-1, 1)
        if w.shape[0] != self.shape[1]:
            raise ValueError(f"weights of {w.shape[0]} rows for a matrix of {self.shape[1]} columns")
        out = _kernel.csr_dot(self.data, self.indices, self.indptr, w)
        return out[:, 0] if vector else out

    def keep(self, mask: np.ndarray, indices: np.ndarray | None = None, n_cols: int | None = None) -> Rows:
        """The entries where ``mask`` holds (row order kept), with ``indices`` (one per entry) as their new column
        numbers when given, in a matrix of ``n_cols`` columns (default: the same)."""
        before = np.zeros(mask.size + 1, dtype=np.int64)
        np.cumsum(mask, out=before[1:])
        columns = self.indices if indices is None else indices
        return Rows(
            self.data[mask],
            columns[mask],
            before[self.indptr],
            (self.shape[0], self.shape[1] if n_cols is None else n_cols),
        )

    def toarray(self) -> np.ndarray:
        """The matrix as a dense float32 array (entries of one row have distinct columns)."""
        out = np.zeros(self.shape, dtype=np.float32)
        out[np.repeat(np.arange(self.shape[0]), np.diff(self.indptr)), self.indices] = self.data
        return out

    def scipy(self) -> sp.csr_matrix:
        """The same matrix as a ``scipy.sparse.csr_matrix`` (built once; for training and scikit-learn)."""
        if self._scipy is None:
            import scipy.sparse as sp

            self._scipy = sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)
        return self._scipy
