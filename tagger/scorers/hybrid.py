"""Hybrid: the candidate scorer for every label, plus n-gram classifiers where labels have many examples.

For a label with both, the scores are combined (``max`` or ``mean``, chosen by cross-validation). A label with a
classifier can be reported when the matcher proposes nothing, which is why the evidence scorer
(:mod:`tagger.scorers.evidence`) exists: kept for models trained before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ModelError
from ..features import FeatureBatch
from .base import FamilyContext, FitOptions, prefixed
from .candidate import CandidateScorer
from .ovr import OvrScorer

__all__ = ["COMBINE", "HybridScorer", "combine_scores"]

COMBINE = ("max", "mean")


def combine_scores(candidate: np.ndarray, ovr: np.ndarray, labels: np.ndarray, how: str) -> np.ndarray:
    """Candidate scores with the classifier scores of ``labels`` folded in by ``how`` (max or mean)."""
    out = candidate.copy()
    if how == "max":
        out[:, labels] = np.maximum(candidate[:, labels], ovr[:, labels])
    else:
        out[:, labels] = (candidate[:, labels] + ovr[:, labels]) / np.float32(2.0)
    return out


@dataclass
class HybridScorer:
    kind: ClassVar[str] = "hybrid"
    needs: ClassVar[frozenset[str]] = CandidateScorer.needs | OvrScorer.needs

    candidate: CandidateScorer
    ovr: OvrScorer
    combine: str

    @property
    def classifier_labels(self) -> np.ndarray:
        return self.ovr.labels

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        return combine_scores(
            self.candidate.scores(batch, family), self.ovr.scores(batch, family), self.ovr.labels, self.combine
        )

    def arrays(self) -> dict[str, np.ndarray]:
        return composite_arrays(self.candidate, self.ovr)

    def config(self) -> dict[str, Any]:
        return composite_config(self.combine, self.ovr)

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> HybridScorer:
        candidate, ovr, combine = read_composite(arrays, config, family, n_text, COMBINE, ovr_required=True)
        assert ovr is not None  # required above
        return cls(candidate, ovr, combine)

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
        combine: str = "max",
    ) -> HybridScorer:
        """``labels``: the labels that get an n-gram classifier (default: every label with examples)."""
        return cls(
            CandidateScorer.fit(batch, family, gold, options, sample_weight=sample_weight),
            OvrScorer.fit(batch, family, gold, options, labels, sample_weight=sample_weight),
            combine,
        )


# --- what the candidate + n-gram composites (hybrid, evidence) save and read ------------------------------------


def composite_arrays(candidate: CandidateScorer, ovr: OvrScorer | None) -> dict[str, np.ndarray]:
    arrays = {f"candidate_{k}": v for k, v in candidate.arrays().items()}
    if ovr is not None:
        arrays.update({f"ovr_{k}": v for k, v in ovr.arrays().items()})
    return arrays


def composite_config(combine: str, ovr: OvrScorer | None) -> dict[str, Any]:
    return {"combine": combine, **(ovr.config() if ovr is not None else {})}


def read_composite(
    arrays: Mapping[str, np.ndarray],
    config: Mapping[str, Any],
    family: FamilyContext,
    n_text: int,
    combines: tuple[str, ...],
    *,
    ovr_required: bool,
) -> tuple[CandidateScorer, OvrScorer | None, str]:
    """The candidate part, the n-gram part (absent when saved without one and not ``ovr_required``), the rule."""
    combine = config.get("combine")
    if combine not in combines:
        raise ModelError(f"family {family.name!r}: unknown score combination {combine!r}.")
    ovr_arrays = prefixed(arrays, "ovr_")
    candidate = CandidateScorer.from_arrays(prefixed(arrays, "candidate_"), {}, family, n_text)
    ovr = OvrScorer.from_arrays(ovr_arrays, config, family, n_text) if ovr_arrays or ovr_required else None
    return candidate, ovr, str(combine)
