"""One-vs-rest: one logistic regression per label over ``[n-gram TF-IDF | alias evidence]``.

Right for small families with enough examples per label (event types). Only labels with training examples have
columns (``labels`` holds their indices), which keeps a family of hundreds of mostly unseen labels small.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError
from ..features import ALIAS_FEATURES, FeatureBatch
from .base import FamilyContext, FitOptions, array, quantize, sigmoid

__all__ = ["OvrScorer"]


@dataclass
class OvrScorer:
    kind: ClassVar[str] = "ovr"
    needs: ClassVar[frozenset[str]] = frozenset({"ngrams", "alias"})

    labels: np.ndarray  # (k,) int64, indices of the trained labels in the family
    w_text: np.ndarray  # (n_text_features, k) float32
    w_alias: np.ndarray  # (n_labels * len(ALIAS_FEATURES), k) float32
    bias: np.ndarray  # (k,) float32
    n_labels: int

    @property
    def classifier_labels(self) -> np.ndarray:
        return self.labels

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        out = np.zeros((len(batch), self.n_labels), dtype=np.float32)
        if self.labels.size and len(batch):
            alias_x = batch.alias(family.name, family.ancestors)
            z = np.asarray(batch.ngrams @ self.w_text) + np.asarray(alias_x @ self.w_alias) + self.bias
            out[:, self.labels] = sigmoid(z)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        # weights are float16-exact (see quantize), so storing them as float16 loses nothing
        return {
            "labels": self.labels,
            "w_text": self.w_text.astype(np.float16),
            "w_alias": self.w_alias.astype(np.float16),
            "bias": self.bias,
        }

    def config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> OvrScorer:
        n = family.n_labels
        labels = array(arrays, "labels", np.int64, (None,))
        k = labels.size
        if k and (labels.min() < 0 or labels.max() >= n or np.unique(labels).size != k):
            raise ModelError("array labels holds label indices outside the family or repeated.")
        return cls(
            labels=labels,
            w_text=array(arrays, "w_text", np.float16, (n_text, k)).astype(np.float32),
            w_alias=array(arrays, "w_alias", np.float16, (n * len(ALIAS_FEATURES), k)).astype(np.float32),
            bias=array(arrays, "bias", np.float32, (k,)),
            n_labels=n,
        )

    @classmethod
    def fit(
        cls,
        batch: FeatureBatch,
        family: FamilyContext,
        gold: np.ndarray,
        options: FitOptions,
        labels: np.ndarray | None = None,
        *,
        sample_weight: np.ndarray | None = None,
    ) -> OvrScorer:
        """Classifiers for ``labels`` (default: every label) that have examples in ``gold``."""
        from joblib import Parallel, delayed

        from ..batch.common import default_jobs

        text_x = batch.ngrams
        alias_x = batch.alias(family.name, family.ancestors)
        x = sp.hstack([text_x, alias_x], format="csr")
        positives = gold.sum(axis=0)
        labels = np.arange(gold.shape[1]) if labels is None else labels
        kept = np.asarray([j for j in labels if positives[j] > 0], dtype=np.int64)
        weights = np.zeros((x.shape[1], kept.size), dtype=np.float32)
        bias = np.zeros(kept.size, dtype=np.float32)
        to_fit = []
        for k, j in enumerate(kept):
            if positives[j] == gold.shape[0]:  # every record has it: a constant model says so
                bias[k] = 10.0
            else:
                to_fit.append(k)
        # one process per core (liblinear is not thread-safe); joblib memory-maps ``x`` for the workers
        fitted = Parallel(n_jobs=options.n_jobs or default_jobs(), backend="loky")(
            delayed(_fit_label)(x, gold[:, kept[k]], options.c_text, options.class_weight, options.seed, sample_weight)
            for k in to_fit
        )
        for k, (coef, intercept) in zip(to_fit, fitted, strict=True):
            weights[:, k] = coef
            bias[k] = intercept
        weights = quantize(weights)
        split = text_x.shape[1]
        return cls(
            labels=kept,
            w_text=np.ascontiguousarray(weights[:split]),
            w_alias=np.ascontiguousarray(weights[split:]),
            bias=bias,
            n_labels=gold.shape[1],
        )


def _fit_label(
    x: sp.csr_matrix,
    y: np.ndarray,
    c: float,
    class_weight: str | None,
    seed: int,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """One label's logistic regression (a module-level function so worker processes can run it)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    x = x.copy()  # joblib hands workers read-only memory maps; liblinear wants its own arrays
    clf = LogisticRegression(
        C=c,
        solver="liblinear",
        dual=True,  # more features than documents: the dual problem is the smaller one
        class_weight=class_weight,
        random_state=seed,
        max_iter=1000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y, sample_weight=sample_weight)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])
