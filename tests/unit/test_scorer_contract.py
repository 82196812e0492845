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


@pytest.mark.parametrize("kind", ["ovr", "softmax"])
def test_linear_tf_scorers_round_trip(kind, small_records, small_taxonomy, tmp_path):
    from tagger.evaluate import gold_matrix
    from tagger.scorers import FitOptions, scorer_class

    model = train(small_records, small_taxonomy, cv=2, seed=0, strategy="ovr", n_jobs=1)
    family = model.families["event_type"]
    records = [r for r in small_records if "event_type" in r.labels]
    batch = model.features([r.text for r in records])
    gold = gold_matrix(family.family, [r.labels["event_type"] for r in records])
    cls = scorer_class(kind)
    sublinear = cls.fit(batch, family.context, gold, FitOptions(n_jobs=1))
    linear = cls.fit(batch, family.context, gold, FitOptions(n_jobs=1, sublinear_tf=False))
    assert sublinear.sublinear_tf is True and linear.sublinear_tf is False
    assert linear.config()["sublinear_tf"] is False and sublinear.config()["sublinear_tf"] is True
    assert not np.array_equal(linear.w_text, sublinear.w_text)  # fitted on other values
    family.scorer = linear
    test_batch = model.features(TEXTS)
    before = family.raw_scores(test_batch)
    model.save(tmp_path / kind)
    again = Tagger.load(tmp_path / kind).families["event_type"]
    assert again.scorer.sublinear_tf is False
    np.testing.assert_array_equal(again.raw_scores(model.features(TEXTS)), before)
    # the scorer reads the linear variant: the same weights on the sublinear values score otherwise (the two differ
    # only where an n-gram repeats)
    fresh = model.features([text + ". " + text + " strike strike strike" for text in TEXTS])
    config = {**linear.config(), "sublinear_tf": True}
    relabelled = cls.from_arrays(linear.arrays(), config, family.context, linear.w_text.shape[0])
    assert not np.array_equal(relabelled.scores(fresh, family.context), linear.scores(fresh, family.context))


@pytest.mark.parametrize("kind", ["ovr", "softmax"])
def test_sublinear_tf_absent_from_an_old_config_means_true(kind, small_model):
    from tagger.errors import ModelError
    from tagger.features import ALIAS_FEATURES
    from tagger.scorers import scorer_class

    family = small_model.families["event_type"]
    cls = scorer_class(kind)
    n_labels = len(family.family)
    n_text = small_model.vectorizer.columns.size
    arrays = {
        "labels": np.arange(n_labels, dtype=np.int64),
        "w_text": np.zeros((n_text, n_labels), np.float16),
        "w_alias": np.zeros((n_labels * len(ALIAS_FEATURES), n_labels), np.float16),
        "bias": np.zeros(n_labels, np.float32),
    }
    old = {} if kind == "ovr" else {"text": "all"}
    assert cls.from_arrays(arrays, old, family.context, n_text).sublinear_tf is True
    assert cls.from_arrays(arrays, {**old, "sublinear_tf": False}, family.context, n_text).sublinear_tf is False
    with pytest.raises(ModelError, match="sublinear_tf"):
        cls.from_arrays(arrays, {**old, "sublinear_tf": "no"}, family.context, n_text)
