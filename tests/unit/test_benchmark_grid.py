"""The benchmark asks the trainer to select on the metric the task is scored by (when the trainer can)."""

from __future__ import annotations

import pytest

from benchmarks import protocol
from benchmarks.common import Budget
from benchmarks.datasets import Task


def task(metric: str, kind: str = "multilabel") -> Task:
    return Task(name="t", title="T", kind=kind, metric=metric, labels=["a", "b"], train=[], dev=[], test=[])


@pytest.mark.parametrize(
    ("metric", "kind", "chosen"),
    [("example_f1", "multilabel", "example"), ("micro_f1", "multilabel", "micro"), ("macro_f1", "multiclass", "macro")],
)
def test_the_tagger_selects_on_the_task_metric(metric, kind, chosen):
    (setting,) = protocol.default_grid("tagger", task(metric, kind), Budget(quick=True))
    assert setting["select"] is True and setting["shrink"] == "cv"
    assert setting["select_metric"] == chosen


def test_an_older_trainer_without_select_metric_is_not_given_it(monkeypatch):
    monkeypatch.setattr(protocol, "_trainer_has_option", lambda name: name == "select")
    (setting,) = protocol.default_grid("tagger", task("example_f1"), Budget(quick=True))
    assert setting["select"] is True and "select_metric" not in setting
    monkeypatch.setattr(protocol, "_trainer_has_option", lambda name: False)
    grid = protocol.default_grid("tagger", task("example_f1"), Budget(quick=True))
    assert all("select" not in s and "select_metric" not in s for s in grid)
