"""The scorer protocol: what every family scorer declares, computes, stores and needs to be fitted.

A scorer turns a :class:`~tagger.features.FeatureBatch` into probabilities of shape ``(n_docs, n_labels)``. It
declares the features it ``needs`` (so a batch computes only those), stores itself as plain arrays plus a small
JSON-able ``config`` (no pickle), and is rebuilt by ``from_arrays``. ``fit`` trains it on a batch and a gold
matrix. Register a new scorer with :func:`tagger.scorers.register`; persistence and training find it by ``kind``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from ..errors import ModelError
from ..features import FeatureBatch

__all__ = ["FamilyContext", "FitOptions", "Scorer", "array", "quantize", "sigmoid"]


@dataclass(frozen=True)
class FamilyContext:
    """What a scorer knows of its family: the name, the number of labels, each label's ancestors by index."""

    name: str
    n_labels: int
    ancestors: Sequence[Sequence[int]]


@dataclass(frozen=True)
class FitOptions:
    """The fitting settings scorers share (validated by :mod:`tagger.training`)."""

    c_text: float = 8.0
    c_candidate: float = 1.0
    class_weight: str | None = None  # None, "balanced", or "rare": balanced for labels with < rare_below examples
    seed: int = 0
    n_jobs: int | None = None
    learner: str = "lr"  # n-gram classifiers: "lr" (logistic regression) or "svm" (linear SVM, Platt-calibrated)
    text: str = "all"  # n-gram columns the classifiers read: "all" (word + char) or "word"
    sublinear_tf: bool = True  # n-gram values: (1 + log tf) * idf, or tf * idf when False (both L2-normalised)
    rare_below: int = 20


@runtime_checkable
class Scorer(Protocol):
    kind: ClassVar[str]
    needs: ClassVar[frozenset[str]]  # of "docs", "ngrams", "alias", "candidates"

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray: ...

    def arrays(self) -> dict[str, np.ndarray]: ...

    def config(self) -> dict[str, Any]: ...

    @property
    def classifier_labels(self) -> np.ndarray:
        """Indices of the labels that have a classifier of their own (for the training summary)."""
        ...

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> Scorer: ...


def sigmoid(z: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)


def quantize(weights: np.ndarray) -> np.ndarray:
    """Round weights to float16 precision (kept as float32): halves the model on disk, scores unchanged by saving."""
    return np.ascontiguousarray(weights.astype(np.float16).astype(np.float32))


def array(arrays: Mapping[str, np.ndarray], key: str, dtype: Any, shape: tuple[int | None, ...]) -> np.ndarray:
    """``arrays[key]``, checked for dtype and shape (``None`` = any length), or a ModelError naming it."""
    if key not in arrays:
        raise ModelError(f"weights.npz has no array {key!r}.")
    value = arrays[key]
    if value.dtype != np.dtype(dtype) or value.ndim != len(shape):
        raise ModelError(
            f"array {key!r} has dtype {value.dtype} and {value.ndim} dimensions, expected {dtype} {shape}."
        )
    for got, want in zip(value.shape, shape, strict=True):
        if want is not None and got != want:
            raise ModelError(f"array {key!r} has shape {value.shape}, expected {shape}.")
    return value


def prefixed(arrays: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays whose names start with ``prefix``, with it removed (a composite scorer's part)."""
    return {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
