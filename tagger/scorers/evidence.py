"""Evidence: every score rests on a match in the text; n-gram classifiers may re-score candidates, never add one.

The candidate scorer judges each label the matcher found (with the mention-salience features); where a label also
has an n-gram classifier, its probability is folded into the candidate's (``mean`` or ``max``), but only for
labels that are candidates of that document. A label the text gives no evidence for (its name, an alias, a
gazetteer place inside it, a descendant) scores 0, so a short conflict text that names no place gets no region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..features import FeatureBatch
from .base import FamilyContext, FitOptions
from .candidate import CandidateScorer
from .hybrid import COMBINE, composite_arrays, composite_config, read_composite
from .ovr import OvrScorer

__all__ = ["EvidenceScorer"]

EVIDENCE_COMBINE = ("none", *COMBINE)


@dataclass
class EvidenceScorer:
    kind: ClassVar[str] = "evidence"
    needs: ClassVar[frozenset[str]] = CandidateScorer.needs | OvrScorer.needs

    candidate: CandidateScorer
    ovr: OvrScorer | None
    combine: str  # "none" (candidates alone), "max" or "mean"

    @property
    def classifier_labels(self) -> np.ndarray:
        return self.ovr.labels if self.ovr is not None else np.zeros(0, dtype=np.int64)

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        out = np.zeros((len(batch), family.n_labels), dtype=np.float32)
        probability, doc_idx, label_idx = self.candidate.candidate_scores(batch, family)
        if self.ovr is not None and self.combine != "none" and probability.size:
            ovr = self.ovr.scores(batch, family)[doc_idx, label_idx]
            has_classifier = np.zeros(family.n_labels, dtype=bool)
            has_classifier[self.ovr.labels] = True
            rescored = has_classifier[label_idx]
            if self.combine == "max":
                combined = np.maximum(probability, ovr)
            else:
                combined = (probability + ovr) / np.float32(2.0)
            probability = np.where(rescored, combined, probability).astype(np.float32)
        out[doc_idx, label_idx] = probability
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return composite_arrays(self.candidate, self.ovr)

    def config(self) -> dict[str, Any]:
        return composite_config(self.combine, self.ovr)

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> EvidenceScorer:
        return cls(*read_composite(arrays, config, family, n_text, EVIDENCE_COMBINE, ovr_required=False))

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
        combine: str = "mean",
    ) -> EvidenceScorer:
        """``labels``: the labels that get an n-gram classifier; none when ``combine`` is "none"."""
        candidate = CandidateScorer.fit(batch, family, gold, options, sample_weight=sample_weight)
        if combine == "none":
            return cls(candidate, None, "none")
        return cls(candidate, OvrScorer.fit(batch, family, gold, options, labels, sample_weight=sample_weight), combine)
