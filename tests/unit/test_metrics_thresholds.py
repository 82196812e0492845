"""The maths of training and evaluation: per-label thresholds and family metrics, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score, precision_score, recall_score

from tagger.evaluate import score_matrices
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
