"""The benchmark asks the trainer to select on the metric the task is scored by (when the trainer can)."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pytest


@pytest.fixture(scope="module")
def bench() -> SimpleNamespace:
    before = csv.field_size_limit()
    from benchmarks import protocol
    from benchmarks.common import Budget
    from benchmarks.datasets import Task

    csv.field_size_limit(before)  # benchmarks.datasets raises the process-wide limit on import: keep the tests' own
    return SimpleNamespace(protocol=protocol, Budget=Budget, Task=Task)


def grid(bench: SimpleNamespace, metric: str, kind: str = "multilabel") -> list[dict]:
    task = bench.Task(name="t", title="T", kind=kind, metric=metric, labels=["a", "b"], train=[], dev=[], test=[])
    return bench.protocol.default_grid("tagger", task, bench.Budget(quick=True))


@pytest.mark.parametrize(
    ("metric", "kind", "chosen"),
    [("example_f1", "multilabel", "example"), ("micro_f1", "multilabel", "micro"), ("macro_f1", "multiclass", "macro")],
)
def test_the_tagger_selects_on_the_task_metric(bench, metric, kind, chosen):
    (setting,) = grid(bench, metric, kind)
    assert setting["select"] is True and setting["shrink"] == "cv"
    assert setting["select_metric"] == chosen


def test_an_older_trainer_without_select_metric_is_not_given_it(bench, monkeypatch):
    monkeypatch.setattr(bench.protocol, "_trainer_has_option", lambda name: name == "select")
    (setting,) = grid(bench, "example_f1")
    assert setting["select"] is True and "select_metric" not in setting
    monkeypatch.setattr(bench.protocol, "_trainer_has_option", lambda name: False)
    assert all("select" not in s and "select_metric" not in s for s in grid(bench, "example_f1"))


def _task_with_selection(selection: dict) -> dict:
    tagger = {
        "system": "tagger",
        "score": 0.5,
        "metrics": {"micro_f1": 0.5, "macro_f1": 0.4, "per_label": {}},
        "setting": {"select": True},
        "dev": [],
        "info": {"selection": selection, "shrink": {"chosen": 5.0}},
    }
    return {
        "task": "t",
        "title": "T",
        "kind": "multilabel",
        "metric": "example_f1",
        "labels": ["a"],
        "sizes": {"train": 10, "dev": 5, "test": 5},
        "systems": {"tagger": tagger},
    }


def test_the_report_names_the_selection_criterion(bench, tmp_path):
    from benchmarks.render import _task_detail

    setting = {"c_text": 8.0, "learner": "lr"}
    new = {"on": "dev records", "dev_records": 5, "metric": "example", "chosen": setting}
    new["tried"] = [{"setting": setting, "micro_f1": 0.5, "macro_f1": 0.25, "example_f1": 0.75}]
    text = "\n".join(_task_detail(_task_with_selection(new), tmp_path))
    assert "criterion: example-based F1" in text and "50.0/25.0/75.0" in text
    # results written before select_metric: no metric (the mean), no example-F1 per setting
    old = {"on": "dev records", "dev_records": 5, "chosen": setting}
    old["tried"] = [{"setting": setting, "micro_f1": 0.5, "macro_f1": 0.25}]
    text = "\n".join(_task_detail(_task_with_selection(old), tmp_path))
    assert "criterion: mean of micro- and macro-F1" in text and "50.0/25.0." in text
