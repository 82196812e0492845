"""One option table for both trainers: misspelt families, bad n-gram ranges and bad values are errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from tagger import ParameterError, train
from tagger.hierarchy import LabelTree
from tagger.train_stream import train_streaming
from tagger.training_core import OPTION_CHECKS, Holdout, choose_shrink, tune_thresholds


def test_train_has_explicit_keywords():
    params = inspect.signature(train).parameters
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    for name in ("seed", "cv", "strategy", "select", "dev", "shrink", "class_weight", "sample_weight", "progress"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"strategy": {"regoin": "candidate"}}, "regoin"),
        ({"strategy": {"region": "candidat"}}, "strategy['region']"),
        ({"char_ngrams": (5, 3)}, "char_ngrams"),
        ({"word_ngrams": None}, "word_ngrams"),
        ({"char_ngrams": (0, 2)}, "char_ngrams"),
        ({"cv": 1}, "cv"),
        ({"shrink": "often"}, "shrink"),
        ({"class_weight": "rarely"}, "class_weight"),
        ({"select": "yes"}, "select"),
    ],
)
def test_train_rejects_bad_options(small_records, small_taxonomy, options, named):
    with pytest.raises(ParameterError, match=named.replace("[", r"\[").replace("]", r"\]")):
        train(small_records, small_taxonomy, **options)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"strategy": {"regoin": "candidate"}}, "regoin"),
        ({"strategy": "hybrid"}, "strategy"),
        ({"char_ngrams": (5, 3)}, "char_ngrams"),
        ({"holdout_max": 0}, "holdout_max"),
        ({"alpha": -1.0}, "alpha"),
    ],
)
def test_train_streaming_rejects_bad_options(small_records, small_taxonomy, options, named):
    with pytest.raises(ParameterError, match=named):
        train_streaming(lambda: iter(small_records), small_taxonomy, **options)


def test_both_trainers_share_the_table():
    for name in ("seed", "char_ngrams", "max_features", "batch_size", "holdout_every", "epochs", "alpha"):
        assert name in OPTION_CHECKS
    streaming = set(inspect.signature(train_streaming).parameters) - {"source", "taxonomy", "progress", "strategy"}
    in_memory = set(inspect.signature(train).parameters) - {
        "records",
        "taxonomy",
        "progress",
        "strategy",
        "dev",
        "sample_weight",
    }
    assert streaming | in_memory <= set(OPTION_CHECKS)


def test_strategy_mapping_per_family_streaming(small_records, small_taxonomy):
    model = train_streaming(
        lambda: iter(small_records), small_taxonomy, strategy={"region": "ovr"}, batch_size=8, holdout_every=4
    )
    assert model.families["region"].scorer.kind == "ovr"


def test_holdout_rule():
    rule = Holdout(every=4, limit=3)
    assert [p for p in range(20) if rule.contains(p)] == [0, 4, 8]
    fit, held = Holdout(every=5).split(11)
    assert held.tolist() == [0, 5, 10] and fit.size == 8


def test_tune_thresholds_matches_the_f1_best_cut():
    rng = np.random.default_rng(0)
    gold = rng.random((200, 3)) < 0.3
    scores = np.where(gold, rng.uniform(0.4, 1.0, gold.shape), rng.uniform(0.0, 0.6, gold.shape)).astype(np.float32)
    t = tune_thresholds(scores, gold, np.array([True, True, False]), 0.0)
    assert t[2] == np.float32(2.0)

    def f1(j: int, cut: float) -> float:
        pred = scores[:, j] >= cut
        return 2 * (pred & gold[:, j]).sum() / (pred.sum() + gold[:, j].sum())

    for j in range(2):
        assert f1(j, t[j]) >= max(f1(j, c) for c in np.linspace(0.05, 0.95, 91, dtype=np.float32)) - 1e-9


def test_choose_shrink_is_cross_validated(small_taxonomy):
    family = small_taxonomy["event_type"]
    tree = LabelTree(family)
    rng = np.random.default_rng(1)
    gold = np.zeros((60, len(family)), dtype=bool)
    gold[np.arange(60), rng.integers(0, len(family), 60)] = True
    scores = np.where(gold, 0.3, 0.1).astype(np.float32)  # rare labels separable at a low cut
    folds = [(np.setdiff1d(np.arange(60), np.arange(k, 60, 3)), np.arange(k, 60, 3)) for k in range(3)]
    chosen, tried = choose_shrink(family, tree, scores, gold, np.ones(len(family), bool), folds, False)
    assert set(tried) == {"0", "1", "5", "20", "100"}
    assert tried[f"{chosen:g}"] == max(tried.values())
