"""Family scorers: one module per scorer, one registry that persistence and training dispatch through.

To add a scorer: write a module here with a class that follows :class:`tagger.scorers.base.Scorer` (``kind``,
``needs``, ``scores``, ``arrays`` / ``config`` / ``from_arrays``, ``fit``) and add it to :data:`REGISTRY` below.
``tests/unit/test_scorer_contract.py`` runs every registered scorer through fit → scores → save → load.

>>> sorted(REGISTRY)
['candidate', 'evidence', 'hybrid', 'ovr', 'softmax']
"""

from __future__ import annotations

from .base import FamilyContext, FitOptions, Scorer
from .candidate import CandidateScorer
from .evidence import EVIDENCE_COMBINE, EvidenceScorer
from .hybrid import COMBINE, HybridScorer, combine_scores
from .ovr import OvrScorer
from .softmax import SoftmaxScorer

__all__ = [
    "COMBINE",
    "EVIDENCE_COMBINE",
    "REGISTRY",
    "CandidateScorer",
    "EvidenceScorer",
    "FamilyContext",
    "FitOptions",
    "HybridScorer",
    "OvrScorer",
    "Scorer",
    "SoftmaxScorer",
    "combine_scores",
    "scorer_class",
]

REGISTRY: dict[str, type[Scorer]] = {
    cls.kind: cls for cls in (OvrScorer, CandidateScorer, HybridScorer, EvidenceScorer, SoftmaxScorer)
}


def scorer_class(kind: str) -> type[Scorer]:
    """The registered scorer class of ``kind``; KeyError names the kinds there are."""
    try:
        return REGISTRY[kind]
    except KeyError:
        raise KeyError(f"unknown scorer kind {kind!r} (known: {', '.join(sorted(REGISTRY))})") from None
