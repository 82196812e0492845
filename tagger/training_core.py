"""The training core shared by :func:`tagger.train` and :func:`tagger.train_stream.train_streaming`.

Written once here: the option table both trainers validate with, the matchers and label ancestors of a taxonomy,
the candidate prior (:func:`tagger.scorers.candidate.prior_from_counts`), the hold-out rule, and threshold tuning
(per-label F1-best cuts shrunk towards the family's cut, the shrinkage optionally chosen by cross-validation).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_choice, check_float, check_int
from .errors import ParameterError
from .evaluate import FamilyMetrics, example_f1_matrices, score_matrices
from .gazetteer import Matcher, read_gazetteer
from .hierarchy import LabelTree
from .taxonomy import Family, Taxonomy

__all__ = [
    "NEVER",
    "SELECT_METRICS",
    "SHRINK_GRID",
    "Holdout",
    "build_matchers",
    "check_options",
    "check_strategy",
    "choose_shrink",
    "label_ancestors",
    "selection_scores",
    "selection_value",
    "tune_family",
    "tune_thresholds",
]

NEVER = np.float32(2.0)  # a threshold above any probability: the label is only reached through its descendants
SHRINK_GRID = (0.0, 1.0, 5.0, 20.0, 100.0)  # tried by ``shrink="cv"``
# What ``select=True`` and ``shrink="cv"`` maximise: the mean of micro- and macro-F1, either alone, or example-based
# F1 (the mean over documents of 2|T∩P| / (|T| + |P|), see :func:`tagger.evaluate.example_f1_matrices`).
SELECT_METRICS = ("mean", "micro", "macro", "example")


# --- one option table for both trainers --------------------------------------------------------------------------


def _ngrams(allow_none: bool) -> Callable[[Any, str, str], Any]:
    def check(value: Any, name: str, owner: str) -> tuple[int, int] | None:
        if value is None and allow_none:
            return None
        ok = (
            isinstance(value, (tuple, list))
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            and 1 <= value[0] <= value[1] <= 10
        )
        if not ok:
            expected = "a (low, high) pair of ints with 1 <= low <= high <= 10" + (" or None" if allow_none else "")
            raise ParameterError(f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} instead.")
        return (int(value[0]), int(value[1]))

    return check


def _shrink(value: Any, name: str, owner: str) -> float | str:
    if value == "cv":
        return "cv"
    if isinstance(value, str):
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be a float >= 0.0 or 'cv'. Got {value!r} instead."
        )
    return check_float(value, name, owner, low=0.0)


def _optional_int(low: int) -> Callable[[Any, str, str], Any]:
    return lambda v, n, o: None if v is None else check_int(v, n, o, low=low)


def _bool(value: Any, name: str, owner: str) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"The {name!r} parameter of {owner} must be a bool. Got {value!r} instead.")
    return value


# Every option either trainer accepts, with its check; ``strategy`` is checked by :func:`check_strategy`, which
# also needs the taxonomy.
OPTION_CHECKS: dict[str, Callable[[Any, str, str], Any]] = {
    "seed": lambda v, n, o: check_int(v, n, o, low=0),
    "cv": lambda v, n, o: check_int(v, n, o, low=2, high=20),
    "c_text": lambda v, n, o: check_float(v, n, o, low=1e-6),
    "c_candidate": lambda v, n, o: check_float(v, n, o, low=1e-6),
    "char_ngrams": _ngrams(allow_none=True),
    "word_ngrams": _ngrams(allow_none=False),
    "max_features": lambda v, n, o: check_int(v, n, o, low=16, high=2**22),
    "min_df": lambda v, n, o: check_int(v, n, o, low=1),
    "shrink": _shrink,
    "class_weight": lambda v, n, o: check_choice(v, n, o, (None, "balanced", "rare")),
    "n_jobs": _optional_int(1),
    "hybrid_min_positives": lambda v, n, o: check_int(v, n, o, low=1),
    "ovr_max_labels": lambda v, n, o: check_int(v, n, o, low=1),
    "prefer_specific": _bool,
    "select": _bool,
    "select_metric": lambda v, n, o: check_choice(v, n, o, SELECT_METRICS),
    "sublinear_tf": _bool,
    # streaming only
    "batch_size": lambda v, n, o: check_int(v, n, o, low=1),
    "holdout_every": lambda v, n, o: check_int(v, n, o, low=2),
    "holdout_max": lambda v, n, o: check_int(v, n, o, low=1),
    "epochs": lambda v, n, o: check_int(v, n, o, low=1, high=100),
    "alpha": lambda v, n, o: check_float(v, n, o, low=1e-12, high=10.0),
}


def check_options(owner: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Each option checked by its entry of the table (scikit-learn style messages naming parameter and value)."""
    out = {}
    for name, value in given.items():
        if name not in OPTION_CHECKS:
            raise ParameterError(f"{owner} has no parameter {name!r}.")
        out[name] = OPTION_CHECKS[name](value, name, owner)
    return out


def check_strategy(strategy: Any, owner: str, taxonomy: Taxonomy, choices: Collection[str]) -> str | dict[str, str]:
    """A strategy name, or a mapping of family → name whose families all exist (a misspelt family is an error)."""
    if isinstance(strategy, str):
        return str(check_choice(strategy, "strategy", owner, choices))
    if not isinstance(strategy, Mapping):
        raise ParameterError(
            f"The 'strategy' parameter of {owner} must be a str or a mapping of family to str. Got {strategy!r} instead."
        )
    out: dict[str, str] = {}
    for family, value in strategy.items():
        if family not in taxonomy.families:
            raise ParameterError(
                f"The 'strategy' parameter of {owner} names the family {family!r}, which the taxonomy does not have "
                f"(families: {', '.join(taxonomy.families)})."
            )
        out[family] = str(check_choice(value, f"strategy[{family!r}]", owner, choices))
    return out


# --- what both trainers build from the taxonomy ------------------------------------------------------------------


def build_matchers(taxonomy: Taxonomy) -> dict[str, Matcher]:
    """One alias/gazetteer matcher per family."""
    matchers = {}
    for name, family in taxonomy.families.items():
        rows = read_gazetteer(family.gazetteer_path) if family.gazetteer_path is not None else ()
        matchers[name] = Matcher.for_family(family, rows)
    return matchers


def label_ancestors(taxonomy: Taxonomy) -> dict[str, list[list[int]]]:
    """Per family, each label's ancestors by index, nearest first."""
    return {name: LabelTree(family).ancestors for name, family in taxonomy.families.items()}


def place_families(taxonomy: Taxonomy) -> tuple[str, ...]:
    """Families whose matches are place names (they have a gazetteer)."""
    return tuple(name for name, family in taxonomy.families.items() if family.gazetteer_path is not None)


@dataclass(frozen=True)
class Holdout:
    """The hold-out rule: every ``every``-th record (positions 0, every, 2·every, …), at most ``limit`` of them.

    The streaming trainer tunes thresholds on it; :func:`tagger.train` with ``select=True`` and no ``dev`` chooses
    its settings on it.

    >>> [p for p in range(12) if Holdout(every=5, limit=2).contains(p)]
    [0, 5]
    """

    every: int
    limit: int | None = None

    def contains(self, position: int) -> bool:
        if position % self.every:
            return False
        return self.limit is None or position // self.every < self.limit

    def split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the records kept for training and of those held out, among ``n``."""
        held = np.asarray([self.contains(i) for i in range(n)], dtype=bool)
        return np.flatnonzero(~held), np.flatnonzero(held)


# --- thresholds ----------------------------------------------------------------------------------------------------

_GRID = np.linspace(0.05, 0.95, 91, dtype=np.float32)


def tune_thresholds(scores: np.ndarray, gold: np.ndarray, trainable: np.ndarray, shrink: float) -> np.ndarray:
    """Per-label thresholds from held-out scores: each label's F1-best cut, shrunk towards the family's
    micro-F1-best cut by ``positives / (positives + shrink)``; untrainable labels get :data:`NEVER`.

    >>> gold = np.array([[1, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    >>> scores = np.array([[0.9, 0.1], [0.2, 0.3], [0.7, 0.0], [0.1, 0.2]], dtype=np.float32)
    >>> [round(float(t), 2) for t in tune_thresholds(scores, gold, np.array([True, False]), 0.0)]
    [0.21, 2.0]
    """
    grid = _GRID
    pred_all = scores[:, :, None] >= grid[None, None, :] if scores.size * grid.size <= 2e8 else None
    if pred_all is not None:
        tp_all = (pred_all & gold[:, :, None]).sum(axis=(0, 1))
        f1_all = 2 * tp_all / np.maximum(pred_all.sum(axis=(0, 1)) + gold.sum(), 1)
        best_global = float(grid[int(np.argmax(f1_all))])
    else:  # very large matrices: one cut at a time
        best_global, best_f1 = 0.5, -1.0
        for t in grid:
            pred = scores >= t
            f1 = 2 * (pred & gold).sum() / max(pred.sum() + gold.sum(), 1)
            if f1 > best_f1:
                best_global, best_f1 = float(t), f1
    thresholds = np.full(gold.shape[1], best_global, dtype=np.float32)
    positives = gold.sum(axis=0)
    for j in range(gold.shape[1]):
        if not trainable[j]:
            thresholds[j] = NEVER
            continue
        if positives[j] == 0:
            continue
        pred = pred_all[:, j, :] if pred_all is not None else scores[:, j][:, None] >= grid[None, :]
        tp = (pred & gold[:, j][:, None]).sum(axis=0)
        f1 = 2 * tp / np.maximum(pred.sum(axis=0) + positives[j], 1)
        best = float(grid[int(np.argmax(f1))])
        weight = positives[j] / (positives[j] + shrink)
        thresholds[j] = np.float32(weight * best + (1 - weight) * best_global)
    return thresholds


def tune_family(
    family: Family,
    tree: LabelTree,
    scores: np.ndarray,
    gold: np.ndarray,
    trainable: np.ndarray,
    shrink: float,
    prefer_specific: bool,
) -> tuple[FamilyMetrics, np.ndarray]:
    """Thresholds tuned on ``scores`` and the metrics of the decisions they give (through the label tree)."""
    thresholds = tune_thresholds(scores, gold, trainable, shrink)
    selected, _ = tree.decide(scores, thresholds, prefer_specific=prefer_specific)
    return score_matrices(family.name, family.ids, gold, selected), thresholds


def selection_scores(family: Family, gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Micro-, macro- and example-based F1 of boolean decisions (what :func:`selection_value` chooses among)."""
    metrics = score_matrices(family.name, family.ids, gold, pred)
    return {"micro_f1": metrics.micro_f1, "macro_f1": metrics.macro_f1, "example_f1": example_f1_matrices(gold, pred)}


def selection_value(scores: Mapping[str, float], metric: str) -> float:
    """The criterion ``metric`` (one of :data:`SELECT_METRICS`) from :func:`selection_scores`.

    >>> round(selection_value({"micro_f1": 0.8, "macro_f1": 0.4, "example_f1": 0.7}, "mean"), 4)
    0.6
    >>> selection_value({"micro_f1": 0.8, "macro_f1": 0.4, "example_f1": 0.7}, "example")
    0.7
    """
    if metric == "mean":
        return (scores["micro_f1"] + scores["macro_f1"]) / 2
    if metric not in SELECT_METRICS:
        raise ValueError(f"unknown selection metric {metric!r} (known: {', '.join(SELECT_METRICS)})")
    return scores[f"{metric}_f1"]


def choose_shrink(
    family: Family,
    tree: LabelTree,
    scores: np.ndarray,
    gold: np.ndarray,
    trainable: np.ndarray,
    folds: Iterable[tuple[np.ndarray, np.ndarray]],
    prefer_specific: bool,
    grid: Iterable[float] = SHRINK_GRID,
    metric: str = "mean",
) -> tuple[float, dict[str, float]]:
    """The shrinkage whose thresholds, tuned on the other folds' held-out scores, score best on each fold.

    The criterion is ``metric`` (:data:`SELECT_METRICS`) over the pooled fold decisions; the default, the mean of
    micro- and macro-F1, lets a long tail of rare labels count as much as the frequent ones. Returns the chosen
    value and the criterion per value tried.
    """
    folds = list(folds)
    results: dict[str, float] = {}
    best, best_value = 5.0, -1.0
    for shrink in grid:
        pred = np.zeros_like(gold)
        for fit_idx, test_idx in folds:
            thresholds = tune_thresholds(scores[fit_idx], gold[fit_idx], trainable, shrink)
            pred[test_idx], _ = tree.decide(scores[test_idx], thresholds, prefer_specific=prefer_specific)
        value = selection_value(selection_scores(family, gold, pred), metric)
        results[f"{shrink:g}"] = round(value, 4)
        if value > best_value + 1e-9:
            best, best_value = float(shrink), value
    return best, results
