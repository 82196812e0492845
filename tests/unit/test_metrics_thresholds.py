"""The maths of training and evaluation: per-label thresholds and family metrics, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score, precision_score, recall_score

from tagger.evaluate import example_f1_matrices, score_matrices
from tagger.training import NEVER, tune_thresholds


def test_metrics_by_hand():
    gold = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=bool)
    pred = np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]], dtype=bool)
    m = score_matrices("f", ["a", "b", "c"], gold, pred)
    # micro: tp 3 (a@0, b@1, b@2), predicted 5, gold 4
    assert m.micro_precision == pytest.approx(3 / 5)
    assert m.micro_recall == pytest.approx(3 / 4)
    assert m.micro_f1 == pytest.approx(2 * 3 / (5 + 4))
    # macro over labels with gold support: a (P 1, R 0.5), b (P 2/3, R 1); c has no gold
    assert m.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert [label.id for label in m.labels] == ["a", "b", "c"]


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_micro_metrics_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    gold = rng.random((20, 6)) < 0.3
    pred = rng.random((20, 6)) < 0.3
    m = score_matrices("f", list("abcdef"), gold, pred)
    assert m.micro_f1 == pytest.approx(f1_score(gold, pred, average="micro", zero_division=0))
    assert m.micro_precision == pytest.approx(precision_score(gold, pred, average="micro", zero_division=0))
    assert m.micro_recall == pytest.approx(recall_score(gold, pred, average="micro", zero_division=0))


def test_thresholds_separate_a_separable_label_and_skip_untrainable_ones():
    scores = np.array([[0.9, 0.2, 0.5], [0.8, 0.7, 0.5], [0.1, 0.3, 0.5], [0.2, 0.9, 0.5]], dtype=np.float32)
    gold = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [0, 1, 0]], dtype=bool)
    trainable = np.array([True, True, False])
    t = tune_thresholds(scores, gold, trainable, shrink=0.0)
    assert 0.2 < t[0] <= 0.8  # the F1-best cut of label 0 keeps both positives and drops both negatives
    assert 0.3 < t[1] <= 0.7
    assert t[2] == NEVER


def test_shrinkage_pulls_rare_labels_to_the_global_cut():
    rng = np.random.default_rng(0)
    scores = rng.random((200, 3)).astype(np.float32)
    gold = np.zeros((200, 3), dtype=bool)
    gold[:, 0] = scores[:, 0] > 0.3  # label 0: frequent, best cut near 0.3
    gold[0, 1] = True  # label 1: one positive; label 2: none (it gets the family's cut as is)
    trainable = np.array([True, True, True])
    free = tune_thresholds(scores, gold, trainable, shrink=0.0)
    shrunk = tune_thresholds(scores, gold, trainable, shrink=1000.0)
    global_cut = shrunk[2]
    assert free[2] == global_cut  # shrinkage does not move the family's cut
    assert abs(shrunk[1] - global_cut) < 1e-3  # weight 1 / 1001 on the label's own cut
    assert abs(free[0] - 0.3) < 0.02


def _example_f1_by_sets(gold: np.ndarray, pred: np.ndarray) -> float:
    """The definition on label sets, written out: mean over documents of 2|T∩P| / (|T| + |P|), empty pairs skipped."""
    values = []
    for g_row, p_row in zip(gold, pred, strict=True):
        t, p = set(np.flatnonzero(g_row).tolist()), set(np.flatnonzero(p_row).tolist())
        if t or p:
            values.append(2 * len(t & p) / (len(t) + len(p)))
    return sum(values) / len(values) if values else 0.0


@st.composite
def label_matrices(draw):
    n = draw(st.integers(0, 12))
    k = draw(st.integers(1, 6))
    cells = st.lists(st.booleans(), min_size=n * k, max_size=n * k)
    gold = np.asarray(draw(cells), dtype=bool).reshape(n, k)
    pred = np.asarray(draw(cells), dtype=bool).reshape(n, k)
    return gold, pred


@settings(max_examples=300, deadline=None)
@given(label_matrices())
def test_example_f1_matrices_is_the_set_definition(matrices):
    from benchmarks.metrics import example_f1

    gold, pred = matrices
    value = example_f1_matrices(gold, pred)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(_example_f1_by_sets(gold, pred), abs=1e-12)
    # the benchmark's function on label sets agrees with the library's on matrices
    names = [f"l{j}" for j in range(gold.shape[1])]
    as_sets = [[{names[j] for j in np.flatnonzero(row)} for row in m] for m in (gold, pred)]
    assert example_f1(*as_sets) == pytest.approx(value, abs=1e-12)
    # perfect predictions score 1 whenever a document has a label; the empty pair is skipped, not counted as 1 or 0
    if gold.any():
        assert example_f1_matrices(gold, gold) == pytest.approx(1.0)


def test_example_f1_by_hand():
    gold = np.array([[1, 1, 0], [0, 0, 0], [0, 1, 0], [1, 0, 0]], dtype=bool)
    pred = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 1], [1, 0, 0]], dtype=bool)
    # 2·1/(2+1), skipped, 0, 1 -> (2/3 + 0 + 1) / 3
    assert example_f1_matrices(gold, pred) == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert example_f1_matrices(np.zeros((3, 2), bool), np.zeros((3, 2), bool)) == 0.0
    with pytest.raises(ValueError, match="one shape"):
        example_f1_matrices(gold, pred[:2])
