"""Every registered scorer: fit -> scores -> save -> load -> identical scores, in a real model folder."""

from __future__ import annotations

import numpy as np
import pytest

from tagger import Tagger, train
from tagger.scorers import REGISTRY

TEXTS = ["Air strike on ISIS near Raqqa", "Protesters march in Paris", "", "Clashes in Sinjar, Nineveh", "hello world"]


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_scorer_round_trip(kind, small_records, small_taxonomy, tmp_path):
    # every label with an example gets an n-gram classifier, so composite scorers use both parts
    model = train(small_records, small_taxonomy, cv=2, seed=0, strategy=kind, n_jobs=1, hybrid_min_positives=1)
    for family in model.families.values():
        assert family.scorer.kind == kind or family.scorer.kind == "ovr"  # ovr when a family has no aliases
        assert set(family.scorer.needs) <= {"docs", "ngrams", "alias", "candidates"}
    before = model.predict_scores(TEXTS)
    for name, scores in before.items():
        assert scores.shape == (len(TEXTS), len(small_taxonomy[name]))
        assert scores.dtype == np.float32 and np.all((scores >= 0) & (scores <= 1))
    model.save(tmp_path / kind)
    loaded = Tagger.load(tmp_path / kind)
    for name, scores in loaded.predict_scores(TEXTS).items():
        np.testing.assert_array_equal(scores, before[name])
        assert loaded.families[name].scorer.kind == model.families[name].scorer.kind


@pytest.mark.parametrize("kind", ["candidate", "evidence"])
def test_evidence_kinds_score_only_candidates(kind, small_records, small_taxonomy):
    """Candidate-based scorers never score a label the text holds no evidence for."""
    model = train(small_records, small_taxonomy, cv=2, seed=0, strategy=kind, n_jobs=1)
    batch = model.features(TEXTS)
    for name, fam in model.families.items():
        if fam.scorer.kind == "ovr":
            continue
        scores = fam.raw_scores(batch)
        _, doc_idx, label_idx = batch.candidates(name, fam.ancestors)
        allowed = np.zeros_like(scores, dtype=bool)
        allowed[doc_idx, label_idx] = True
        assert not np.any(scores[~allowed])
