"""One option table for both trainers: misspelt families, bad n-gram ranges and bad values are errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from tagger import ParameterError, train
from tagger.evaluate import example_f1_matrices, score_matrices
from tagger.hierarchy import LabelTree
from tagger.taxonomy import Taxonomy
from tagger.train_stream import train_streaming
from tagger.training import TrainOptions
from tagger.training_core import OPTION_CHECKS, SELECT_METRICS, Holdout, choose_shrink, tune_thresholds


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
        ({"select_metric": "f1"}, "select_metric"),
        ({"select_metric": None}, "select_metric"),
        ({"sublinear_tf": "no"}, "sublinear_tf"),
        ({"sublinear_tf": 0}, "sublinear_tf"),
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


def test_bad_select_metric_names_the_parameter_and_the_choices(small_records, small_taxonomy):
    with pytest.raises(ParameterError) as error:
        train(small_records, small_taxonomy, select_metric="example_f1")
    message = str(error.value)
    assert "'select_metric' parameter of train" in message and "'example_f1'" in message
    for choice in SELECT_METRICS:
        assert repr(choice) in message
    with pytest.raises(ParameterError, match="'sublinear_tf' parameter of train must be a bool"):
        train(small_records, small_taxonomy, sublinear_tf="false")


def test_new_options_are_in_the_table_and_the_options_record():
    assert SELECT_METRICS == ("mean", "micro", "macro", "example")
    assert TrainOptions().select_metric == "mean" and TrainOptions().sublinear_tf is True
    assert TrainOptions(sublinear_tf=False).fit_options().sublinear_tf is False
    for name in ("select_metric", "sublinear_tf"):
        assert name in OPTION_CHECKS
        assert inspect.signature(train).parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    # the streaming trainer has no model selection: it takes neither
    assert "select_metric" not in inspect.signature(train_streaming).parameters


def _pooled_decisions(tree, scores, gold, trainable, folds, shrink):
    pred = np.zeros_like(gold)
    for fit_idx, test_idx in folds:
        thresholds = tune_thresholds(scores[fit_idx], gold[fit_idx], trainable, shrink)
        pred[test_idx], _ = tree.decide(scores[test_idx], thresholds, prefer_specific=False)
    return pred


@pytest.mark.parametrize("metric", SELECT_METRICS)
def test_choose_shrink_scores_by_the_metric(small_taxonomy, metric):
    family = small_taxonomy["event_type"]
    tree = LabelTree(family)
    rng = np.random.default_rng(3)
    gold = rng.random((90, len(family))) < 0.15
    gold[np.arange(90), rng.integers(0, len(family), 90)] = True
    # noisy scores: different shrinkages give different decisions, so the metrics tell them apart
    scores = np.clip(np.where(gold, 0.45, 0.2) + rng.normal(0, 0.15, gold.shape), 0, 1).astype(np.float32)
    trainable = np.ones(len(family), bool)
    folds = [(np.setdiff1d(np.arange(90), np.arange(k, 90, 3)), np.arange(k, 90, 3)) for k in range(3)]
    chosen, tried = choose_shrink(family, tree, scores, gold, trainable, folds, False, metric=metric)
    for shrink in (0.0, 5.0, 100.0):
        pred = _pooled_decisions(tree, scores, gold, trainable, folds, shrink)
        m = score_matrices(family.name, family.ids, gold, pred)
        want = {
            "mean": (m.micro_f1 + m.macro_f1) / 2,
            "micro": m.micro_f1,
            "macro": m.macro_f1,
            "example": example_f1_matrices(gold, pred),
        }[metric]
        assert tried[f"{shrink:g}"] == round(want, 4)
    assert tried[f"{chosen:g}"] == max(tried.values())


def test_select_records_the_metric_and_tries_linear_tf(small_records, small_taxonomy):
    model = train(
        small_records, small_taxonomy, cv=2, n_jobs=1, select=True, select_metric="example", shrink="cv", strategy="ovr"
    )
    info = model.info["families"]["event_type"]
    selection = info["selection"]
    assert selection["metric"] == "example"
    assert model.info["options"]["select_metric"] == "example"
    tried = selection["tried"]
    assert tried[0]["setting"]["sublinear_tf"] is True  # the defaults first
    linear = [t for t in tried if t["setting"]["sublinear_tf"] is False]
    assert len(linear) == 1  # one axis, one change
    assert all(0 <= t["example_f1"] <= 1 for t in tried)
    # greedy along the axes on example-F1: the choice is never worse than the defaults on it
    chosen = next(t for t in tried if t["setting"] == selection["chosen"])
    assert chosen["example_f1"] >= tried[0]["example_f1"]
    assert model.families["event_type"].scorer.sublinear_tf is selection["chosen"]["sublinear_tf"]
    assert info["shrink"]["metric"] == "example"
    assert set(info["shrink"]["cv_example_f1"]) == {"0", "1", "5", "20", "100"}


def _replay(tried, metric):
    """The greedy choice of ``_select`` replayed on the recorded dev scores under ``metric``."""
    from tagger.training_core import selection_value

    best = tried[0]
    for entry in tried[1:]:
        if selection_value(entry, metric) > selection_value(best, metric) + 1e-4:
            best = entry
    return best["setting"]


def noisy_corpus(n: int = 200, seed: int = 0, k: int = 6) -> tuple[list[dict], Taxonomy]:
    """Multi-label records whose label words also occur, as noise, under other labels (frequent to rare labels):
    the settings ``select`` tries score differently on dev, and micro-, macro- and example-F1 disagree."""
    rng = np.random.default_rng(seed)
    vocab = [[f"w{j}x{i}" for i in range(12)] for j in range(k)]
    common = [f"common{i}" for i in range(60)]
    freq = np.array([0.5, 0.3, 0.15, 0.08, 0.05, 0.03])[:k]
    records = []
    for _ in range(n):
        labels = [j for j in range(k) if rng.random() < freq[j]] or [int(rng.integers(0, k))]
        words = list(rng.choice(common, 25))
        for j in labels:
            words += list(rng.choice(vocab[j], int(rng.integers(1, 4))))
        for j in range(k):
            if rng.random() < 0.25:
                words += list(rng.choice(vocab[j], 2))
        rng.shuffle(words)
        records.append({"text": " ".join(words), "labels": {"labels": [f"c{j}" for j in labels]}})
    labels = [{"id": f"c{j}", "name": f"class c{j}"} for j in range(k)]
    taxonomy = Taxonomy.from_dict({"version": 1, "name": "noisy", "families": {"labels": {"labels": labels}}})
    return records, taxonomy


@pytest.fixture(scope="module")
def selections() -> dict[str, dict]:
    records, taxonomy = noisy_corpus()
    out = {}
    for metric in SELECT_METRICS:
        model = train(
            records,
            taxonomy,
            cv=2,
            n_jobs=1,
            select=True,
            select_metric=metric,
            strategy="ovr",
            char_ngrams=None,
            min_df=1,
        )
        out[metric] = model.info["families"]["labels"]["selection"]
    return out


@pytest.mark.parametrize("metric", SELECT_METRICS)
def test_select_chooses_by_the_metric(selections, metric):
    selection = selections[metric]
    assert selection["metric"] == metric
    tried = selection["tried"]
    assert len({t["micro_f1"] for t in tried}) > 2  # the settings really score differently here
    assert selection["chosen"] == _replay(tried, metric)
    assert tried[0]["setting"]["sublinear_tf"] is True
    assert any(t["setting"]["sublinear_tf"] is False for t in tried)  # the TF weighting axis


def test_the_metric_changes_the_choice(selections):
    # the first candidate is scored the same whatever the criterion; the criterion decides what is kept
    assert selections["micro"]["tried"][0] == selections["macro"]["tried"][0]
    assert selections["micro"]["chosen"] != selections["macro"]["chosen"]


def test_sublinear_tf_false_trains_reads_linear_tf_and_round_trips(small_records, small_taxonomy, tmp_path):
    from tagger import Tagger

    plain = train(small_records, small_taxonomy, cv=2, n_jobs=1, strategy="ovr", seed=0)
    linear = train(small_records, small_taxonomy, cv=2, n_jobs=1, strategy="ovr", seed=0, sublinear_tf=False)
    assert plain.families["event_type"].scorer.sublinear_tf is True
    assert linear.families["event_type"].scorer.sublinear_tf is False
    assert linear.info["options"]["sublinear_tf"] is False
    texts = [r.text for r in small_records]
    a, b = plain.predict_scores(texts)["event_type"], linear.predict_scores(texts)["event_type"]
    assert not np.array_equal(a, b)  # the setting reaches the classifiers
    linear.save(tmp_path / "m")
    again = Tagger.load(tmp_path / "m")
    assert again.families["event_type"].scorer.sublinear_tf is False
    for name, scores in linear.predict_scores(texts).items():
        np.testing.assert_array_equal(again.predict_scores(texts)[name], scores)
