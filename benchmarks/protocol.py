"""One protocol for every accuracy task and system: choose a setting on dev, train once, score test once.

For each system, each setting of its small grid is trained on ``train`` and scored on ``dev`` with the task's own
metric; the best is kept (ties: the first, the simplest). When dev was carved out of train (``task.refit``), the
chosen setting is trained again on train + dev. The test split is predicted exactly once per system.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from .common import Budget, Progress, Skip, usable_cores
from .datasets import Doc, Task
from .metrics import example_f1, multiclass_scores, multilabel_scores
from .peers import SYSTEMS, FastTextClassifier, SklearnClassifier, TaggerClassifier

__all__ = ["run_task", "run_system", "primary_score", "full_scores", "default_grid", "make_system"]


def primary_score(task: Task, gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]) -> float:
    if task.metric == "example_f1":
        return example_f1(gold, pred)
    if task.kind == "multiclass":
        return multiclass_scores([_one(g) for g in gold], [_one(p) for p in pred])["macro_f1"]
    return multilabel_scores(gold, pred, task.labels)[task.metric]


def full_scores(task: Task, gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]) -> dict[str, Any]:
    if task.kind == "multiclass":
        return multiclass_scores([_one(g) for g in gold], [_one(p) for p in pred], task.labels)
    return multilabel_scores(gold, pred, task.labels)


def _one(labels: frozenset[str]) -> str:
    return next(iter(labels)) if labels else ""


def default_grid(key: str, task: Task, budget: Budget) -> list[dict[str, Any]]:
    """The settings each system may choose among on dev (2–3 each; the first is the system's plain default)."""
    if key == "tagger":
        # one family of labels whose names never occur in text: the candidate scorer has nothing to propose
        base: dict[str, Any] = {"strategy": "ovr", "seed": budget.seed, **tagger_quick_options(budget)}
        if _trainer_selects():
            # the trainer chooses its own settings on the task's dev split (or its own hold-out) and the
            # threshold shrinkage by cross-validation: one setting from the benchmark's point of view
            base = {**base, "select": True, "shrink": "cv"}
            metric = _SELECT_METRIC.get(task.metric)
            if metric is not None and _trainer_has_option("select_metric"):
                base["select_metric"] = metric  # the trainer chooses on the metric the task is scored by
            if task.kind == "multiclass":
                base["strategy"] = "softmax"
        if task.name.startswith("reuters"):
            return [{**base, **budget.reuters_tagger_options}]
        if not budget.tagger_grid or base.get("select"):
            return [base]
        return [base, {**base, "class_weight": "balanced"}, {**base, "char_ngrams": None}]
    if key == "fasttext":
        tutorial = {"epoch": 25, "lr": 0.5, "wordNgrams": 2}  # fastText's text-classification tutorial settings
        if budget.quick:
            return [tutorial]
        grid: list[dict[str, Any]] = [{}, tutorial]
        if budget.fasttext_autotune_seconds and task.dev:
            grid.append({"autotune_seconds": budget.fasttext_autotune_seconds})
        return grid
    if key == "tfidf_lr":
        return [{"C": 10.0}] if budget.quick else [{"C": 1.0}, {"C": 10.0}]
    raise KeyError(key)


# the task's metric as the trainer's ``select_metric``
_SELECT_METRIC = {"example_f1": "example", "micro_f1": "micro", "macro_f1": "macro"}


def _trainer_has_option(name: str) -> bool:
    """Whether this tagger's trainer takes the option ``name`` (older checkouts lack the newer ones)."""
    import inspect

    from tagger.training import train

    return name in inspect.signature(train).parameters


def _trainer_selects() -> bool:
    """Whether this tagger's trainer has model selection (``train(select=True)``); older checkouts do not."""
    return _trainer_has_option("select")


def tagger_quick_options(budget: Budget) -> dict[str, Any]:
    """Quick mode trains on a few hundred documents: worker processes would cost more than they save."""
    from dataclasses import fields

    from tagger.training import TrainOptions

    return {"n_jobs": 1} if budget.quick and "n_jobs" in {f.name for f in fields(TrainOptions)} else {}


def make_system(key: str, task: Task, setting: dict[str, Any], budget: Budget) -> Any:
    multiclass = task.kind == "multiclass"
    if key == "tagger":
        return TaggerClassifier(multiclass=multiclass, **setting)
    if key == "fasttext":
        threads = usable_cores() if setting.get("autotune_seconds") else 1  # fixed settings: 1 thread, reproducible
        return FastTextClassifier(multiclass=multiclass, seed=budget.seed, threads=threads, **setting)
    if key == "tfidf_lr":
        return SklearnClassifier(multiclass=multiclass, **setting)
    raise KeyError(key)


def _texts(docs: Sequence[Doc]) -> list[str]:
    return [d.text for d in docs]


def _labels(docs: Sequence[Doc]) -> list[frozenset[str]]:
    return [d.labels for d in docs]


def _refit_setting(key: str, setting: dict[str, Any], fitted: Any) -> dict[str, Any]:
    """fastText's autotune searches on train vs dev; training again on train + dev uses the settings it found."""
    if key == "fasttext" and setting.get("autotune_seconds") and fitted is not None:
        return fitted.refit_params()
    return setting


def run_system(
    task: Task,
    key: str,
    budget: Budget,
    *,
    grid: list[dict[str, Any]] | None = None,
    factory: Callable[[dict[str, Any]], Any] | None = None,
    tick: Callable[[str], None] = lambda message: None,
    diagnostics: bool = True,
) -> dict[str, Any]:
    """Select on dev, train, predict test once; returns score, metrics, the chosen setting and timings."""
    grid = grid if grid is not None else default_grid(key, task, budget)
    factory = factory or (lambda setting: make_system(key, task, setting, budget))
    dev_pair = (_texts(task.dev), _labels(task.dev)) if task.dev else None
    dev_results: list[dict[str, Any]] = []
    fitted: dict[int, Any] = {}
    if len(grid) > 1 and task.dev:
        for i, setting in enumerate(grid):
            tick(f"{task.name} · {SYSTEMS.get(key, key)} · dev setting {i + 1}/{len(grid)}")
            clf = factory(setting)
            start = time.perf_counter()
            try:
                clf.fit(_texts(task.train), _labels(task.train), dev=dev_pair)
            except RuntimeError as error:  # e.g. fastText "Encountered NaN" when a learning rate diverges
                dev_results.append({"setting": _plain(setting), "dev_score": None, "error": str(error)})
                continue
            fit_seconds = time.perf_counter() - start
            score = primary_score(task, _labels(task.dev), clf.predict(_texts(task.dev)))
            dev_results.append(
                {"setting": _plain(setting), "dev_score": score, "fit_seconds": fit_seconds, "info": clf.info()}
            )
            fitted[i] = clf
        if not fitted:
            raise Skip("every setting failed to train: " + "; ".join(d["error"] for d in dev_results))
        best = max(fitted, key=lambda i: (dev_results[i]["dev_score"], -i))
    else:
        best = 0
    setting = grid[best]
    tick(f"{task.name} · {SYSTEMS.get(key, key)} · final fit")
    if task.refit:
        final_setting = _refit_setting(key, setting, fitted.get(best))
        clf = factory(final_setting)
        start = time.perf_counter()
        clf.fit(_texts(task.train) + _texts(task.dev), _labels(task.train) + _labels(task.dev))
        fit_seconds = time.perf_counter() - start
    elif best in fitted:
        clf = fitted[best]
        fit_seconds = dev_results[best]["fit_seconds"]
    else:
        clf = factory(setting)
        start = time.perf_counter()
        clf.fit(_texts(task.train), _labels(task.train), dev=dev_pair)
        fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pred = clf.predict(_texts(task.test))
    predict_seconds = time.perf_counter() - start
    gold = _labels(task.test)
    metrics = full_scores(task, gold, pred)
    result = {
        "system": SYSTEMS.get(key, key),
        "score": primary_score(task, gold, pred),
        "metrics": metrics,
        "setting": _plain(setting),
        "chosen_on": "dev" if dev_results else "not tuned (one setting)",
        "dev": dev_results,
        "trained_on": "train + dev" if task.refit else "train",
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "info": clf.info(),
    }
    labelled = sum(1 for d in task.train if d.labels) / max(len(task.train), 1)
    if diagnostics and not budget.quick and key == "tagger" and task.kind == "multilabel" and labelled >= 0.8:
        result["diagnostics"] = _fallback_diagnostic(task, clf)
    return result


def _fallback_diagnostic(task: Task, clf: TaggerClassifier) -> dict[str, Any]:
    """What a "report the best label when no label passes its threshold" rule would change — measured, not applied.

    Documents in these tasks nearly always carry a label; the trainer's per-label thresholds can leave a document
    with none, which example-based F1 scores as 0.
    """
    import numpy as np

    def with_fallback(docs: Sequence[Doc]) -> list[frozenset[str]]:
        plain = clf.predict(_texts(docs))
        scores = clf.model.predict_scores(_texts(docs))[clf.family]
        ids = clf.model.families[clf.family].family.ids
        out = []
        for labels, row in zip(plain, scores, strict=True):
            out.append(labels if labels else frozenset([clf._to_name[ids[int(np.argmax(row))]]]))
        return out

    out: dict[str, Any] = {}
    if task.dev and not task.refit:  # after a refit, dev is training data
        out["dev_plain"] = primary_score(task, _labels(task.dev), clf.predict(_texts(task.dev)))
        out["dev_top1_fallback"] = primary_score(task, _labels(task.dev), with_fallback(task.dev))
    out["test_top1_fallback"] = primary_score(task, _labels(task.test), with_fallback(task.test))
    empty = sum(1 for labels in clf.predict(_texts(task.test)) if not labels)
    out["test_documents_without_prediction"] = empty
    out["test_documents_without_gold"] = sum(1 for d in task.test if not d.labels)
    return out


def _plain(setting: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in setting.items()}


def run_task(
    task: Task, budget: Budget, progress: Progress, keys: Sequence[str] = ("tagger", "fasttext", "tfidf_lr")
) -> dict[str, Any]:
    """Every system on one task; a system that cannot run here (fastText missing) is reported as skipped."""
    out: dict[str, Any] = {
        "task": task.name,
        "title": task.title,
        "kind": task.kind,
        "metric": task.metric,
        "sizes": task.sizes(),
        "labels": task.labels,
        "label_names": task.label_names,
        "published": task.published,
        "notes": list(task.notes),
        "systems": {},
    }
    bar = progress.bar(len(keys), task.title)
    for key in keys:
        bar.set_postfix_str(SYSTEMS[key])
        try:
            out["systems"][key] = run_system(task, key, budget, tick=lambda m: bar.set_postfix_str(m[-60:]))
        except Skip as skip:
            out["systems"][key] = {"system": SYSTEMS[key], "skipped": str(skip)}
            progress.note(f"  {task.name}: {SYSTEMS[key]} skipped: {skip}")
        bar.update(1)
    bar.close()
    return out
