"""Candidate scoring: one shared logistic model scores each label the matcher found, from its mentions.

Right for large families with few examples per label (regions: ~300 ids). The features describe the mentions
(count, zones, kind of evidence, context words, salience: modifier, speaker, negation, history…), not the label,
so they carry over to places and actors never seen in training. Labels that are not candidates score 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ModelError
from ..features import CANDIDATE_FEATURES, CANDIDATE_WIDTH, CONTEXT_BUCKETS, PRIOR_COLUMN, FeatureBatch
from .base import FamilyContext, FitOptions, array, sigmoid

if TYPE_CHECKING:  # scipy is imported only to train
    import scipy.sparse as sp

__all__ = ["CandidateScorer", "label_prior", "prior_from_counts", "with_prior"]

# models saved before the salience features have this many coefficients; the rest are zero
_WIDTH_BEFORE_SALIENCE = len(CANDIDATE_FEATURES) + CONTEXT_BUCKETS


@dataclass
class CandidateScorer:
    kind: ClassVar[str] = "candidate"
    needs: ClassVar[frozenset[str]] = frozenset({"candidates"})

    coef: np.ndarray  # (CANDIDATE_WIDTH,) float32
    bias: np.ndarray  # (1,) float32
    label_prior: np.ndarray  # (n_labels,) float32

    @property
    def classifier_labels(self) -> np.ndarray:
        return np.zeros(0, dtype=np.int64)

    def candidate_scores(self, batch: FeatureBatch, family: FamilyContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probability of each candidate row, with its document and label indices."""
        rows, doc_idx, label_idx = batch.candidate_rows(family.name, family.ancestors)
        if not rows.shape[0]:
            return np.zeros(0, dtype=np.float32), doc_idx, label_idx
        z = rows.dot(self.coef) + self.coef[PRIOR_COLUMN] * self.label_prior[label_idx]
        return sigmoid(z + self.bias[0]), doc_idx, label_idx

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        out = np.zeros((len(batch), self.label_prior.shape[0]), dtype=np.float32)
        probability, doc_idx, label_idx = self.candidate_scores(batch, family)
        out[doc_idx, label_idx] = probability
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return {"coef": self.coef, "bias": self.bias, "label_prior": self.label_prior}

    def config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> CandidateScorer:
        coef = array(arrays, "coef", np.float32, (None,))
        if coef.size == _WIDTH_BEFORE_SALIENCE:
            coef = np.concatenate([coef, np.zeros(CANDIDATE_WIDTH - coef.size, dtype=np.float32)])
        elif coef.size != CANDIDATE_WIDTH:
            raise ModelError(f"array 'coef' has {coef.size} values, expected {CANDIDATE_WIDTH}.")
        return cls(
            coef=coef,
            bias=array(arrays, "bias", np.float32, (1,)),
            label_prior=array(arrays, "label_prior", np.float32, (family.n_labels,)),
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
    ) -> CandidateScorer:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        rows, doc_idx, label_idx = batch.candidates(family.name, family.ancestors)
        row_weight = sample_weight[doc_idx] if sample_weight is not None else None
        prior = label_prior(doc_idx, label_idx, gold, row_weight)
        x = with_prior(rows, prior[label_idx])
        y = gold[doc_idx, label_idx] if rows.shape[0] else np.zeros(0, dtype=bool)
        coef = np.zeros(CANDIDATE_WIDTH, dtype=np.float32)
        bias = np.zeros(1, dtype=np.float32)
        if y.size and 0 < y.sum() < y.size:
            clf = LogisticRegression(C=options.c_candidate, solver="liblinear", random_state=options.seed, max_iter=500)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(x, y, sample_weight=row_weight)
            coef = clf.coef_[0].astype(np.float32)
            bias = clf.intercept_.astype(np.float32)
        elif y.size and y.all():
            bias[0] = 5.0
        else:
            bias[0] = -5.0
        return cls(coef=coef, bias=bias, label_prior=prior)


def label_prior(
    doc_idx: np.ndarray, label_idx: np.ndarray, gold: np.ndarray, weight: np.ndarray | None = None
) -> np.ndarray:
    """Smoothed log-odds that a label is right when the matcher proposes it, from (weighted) training candidates."""
    n_labels = gold.shape[1]
    proposed = np.zeros(n_labels)
    correct = np.zeros(n_labels)
    w = np.ones(label_idx.size) if weight is None else weight
    np.add.at(proposed, label_idx, w)
    np.add.at(correct, label_idx, gold[doc_idx, label_idx] * w)
    return prior_from_counts(proposed, correct)


def prior_from_counts(proposed: np.ndarray, correct: np.ndarray, strength: float = 2.0) -> np.ndarray:
    """Smoothed log-odds from how often each label was proposed and how often it was right (shrunk towards the
    family's overall rate with ``strength`` pseudo-counts); the streaming trainer sums the counts batch by batch."""
    overall = (correct.sum() + 1.0) / (proposed.sum() + 2.0)
    rate = (correct + strength * overall) / (proposed + strength)
    return np.log(rate / (1.0 - rate + 1e-6)).astype(np.float32)


def with_prior(rows: sp.csr_matrix, prior_per_row: np.ndarray) -> sp.csr_matrix:
    """Candidate rows with the prior column filled in (rows from a FeatureBatch leave it empty)."""
    n = rows.shape[0]
    import scipy.sparse as sp

    column = sp.csr_matrix(
        (prior_per_row.astype(np.float32), (np.arange(n), np.full(n, PRIOR_COLUMN))), shape=rows.shape
    )
    return (rows + column).tocsr()
