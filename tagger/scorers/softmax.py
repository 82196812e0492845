"""Softmax: one multinomial logistic regression over ``[n-gram TF-IDF | alias evidence]`` for single-label families.

Right when every record carries exactly one label of the family (ACLED sub-event types, CAMEO classes): the classes
compete, so the head picks one. It scores only its top class (the others 0); the label tree then adds the top
class's ancestors. Records without a label of the family train a "none" class (stored as index -1), never reported.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..features import FeatureBatch
from .base import FamilyContext, FitOptions, quantize
from .ovr import linear_arrays, linear_logits, read_linear, sublinear_tf, text_columns, text_matrix

__all__ = ["SoftmaxScorer", "deepest_label"]

NONE = -1  # the class of records with no label of the family


def deepest_label(gold: np.ndarray, ancestors: list[list[int]] | Any) -> np.ndarray:
    """Per document, the gold label deepest in the tree (first by index on ties), or -1 when it has none.

    >>> deepest_label(np.array([[1, 1, 0], [0, 0, 0]], dtype=bool), [[], [0], []]).tolist()
    [1, -1]
    """
    depth = np.asarray([len(a) for a in ancestors], dtype=np.int64)
    ranked = np.where(gold, depth[None, :] + 1, 0)
    best = np.argmax(ranked, axis=1)
    return np.where(gold.any(axis=1), best, NONE).astype(np.int64)


@dataclass
class SoftmaxScorer:
    kind: ClassVar[str] = "softmax"
    needs: ClassVar[frozenset[str]] = frozenset({"ngrams", "alias"})

    labels: np.ndarray  # (k,) int64: the class of each column, a label index or -1 ("none")
    w_text: np.ndarray  # (n_text_features, k) float32
    w_alias: np.ndarray  # (n_labels * len(ALIAS_FEATURES), k) float32
    bias: np.ndarray  # (k,) float32
    n_labels: int
    text: str = "all"
    sublinear_tf: bool = True

    @property
    def classifier_labels(self) -> np.ndarray:
        return self.labels[self.labels >= 0]

    def probabilities(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        """Softmax over the classes (documents × k)."""
        z = linear_logits(self, batch, family)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        out = np.zeros((len(batch), self.n_labels), dtype=np.float32)
        if not len(batch) or not self.labels.size:
            return out
        if self.labels.size == 1:  # one class seen in training: it is always the answer
            if self.labels[0] >= 0:
                out[:, self.labels[0]] = 1.0
            return out
        p = self.probabilities(batch, family)
        top = np.argmax(p, axis=1)
        label = self.labels[top]
        rows = np.flatnonzero(label >= 0)
        out[rows, label[rows]] = p[rows, top[rows]]
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return linear_arrays(self)

    def config(self) -> dict[str, Any]:
        return {"text": self.text, "sublinear_tf": self.sublinear_tf}

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> SoftmaxScorer:
        labels, w_text, w_alias, bias = read_linear(
            arrays,
            family,
            n_text,
            lowest=NONE,
            bad_labels=f"family {family.name!r}: softmax classes outside the family or repeated.",
        )
        return cls(
            labels, w_text, w_alias, bias, family.n_labels, text_columns(config, family), sublinear_tf(config, family)
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
    ) -> SoftmaxScorer:
        """One multinomial model over each document's deepest gold label (``labels`` is ignored)."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        text_x = text_matrix(batch, options.text, options.sublinear_tf).scipy()
        import scipy.sparse as sp

        x = sp.hstack([text_x, batch.alias(family.name, family.ancestors)], format="csr")
        y = deepest_label(gold, family.ancestors)
        classes = np.unique(y)
        width = x.shape[1]
        if classes.size < 2:
            weights = np.zeros((width, classes.size), dtype=np.float32)
            bias = np.zeros(classes.size, dtype=np.float32)
        else:
            clf = LogisticRegression(
                C=options.c_text,
                solver="lbfgs",
                max_iter=300,
                class_weight="balanced" if options.class_weight in ("balanced", "rare") else None,
                random_state=options.seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(x, y, sample_weight=sample_weight)
            coef = clf.coef_.T.astype(np.float32)
            intercept = clf.intercept_.astype(np.float32)
            if classes.size == 2:  # scikit-learn keeps one column for two classes: make it a symmetric pair
                coef = np.hstack([-coef / 2, coef / 2])
                intercept = np.asarray([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
            weights, bias = coef, intercept
        weights = quantize(weights)
        split = text_x.shape[1]
        return cls(
            labels=classes.astype(np.int64),
            w_text=np.ascontiguousarray(weights[:split]),
            w_alias=np.ascontiguousarray(weights[split:]),
            bias=bias.astype(np.float32),
            n_labels=gold.shape[1],
            text=options.text,
            sublinear_tf=options.sublinear_tf,
        )
