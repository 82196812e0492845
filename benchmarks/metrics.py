"""The metrics the published results use, written out so that every system is scored by the same code.

- :func:`example_f1` — ConfliBERT's multi-label score (``example_based.py`` in eventdata/ConfliBERT): the mean over
  documents of 2|T∩P| / (|T| + |P|), documents where both T and P are empty left out.
- :func:`multilabel_scores` — micro and macro precision / recall / F1 over labels and a per-label table, computed by
  :func:`tagger.evaluate.score_matrices` (the library's own metrics). Macro
  averages run over the labels with gold support in the scored documents (every label of the full test sets used
  here has support, where this equals scikit-learn's ``average="macro"``).
- :func:`multiclass_scores` — accuracy and scikit-learn's ``f1_score(average="macro")`` (labels seen in gold or
  predictions), which is what ConfliBERT reports for cameo_class.

>>> round(example_f1([{"a"}, set(), {"a", "b"}], [{"a"}, set(), {"b"}]), 4)  # (1 + 2/3) / 2: the empty pair skipped
0.8333
>>> round(multiclass_scores(["x", "y", "y"], ["x", "y", "x"])["macro_f1"], 4)
0.6667
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from tagger.evaluate import score_matrices

__all__ = ["example_f1", "multilabel_scores", "multiclass_scores", "f1"]


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def example_f1(gold: Sequence[Collection[str]], pred: Sequence[Collection[str]]) -> float:
    """Mean per-document F1 (ConfliBERT's ``example_based_f1``); documents with no gold and no predicted label skipped."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred differ in length: {len(gold)} != {len(pred)}")
    values = []
    for g, p in zip(gold, pred, strict=True):
        g, p = set(g), set(p)
        if g or p:
            values.append(2 * len(g & p) / (len(g) + len(p)))
    return float(np.mean(values)) if values else 0.0


def multilabel_scores(
    gold: Sequence[Collection[str]], pred: Sequence[Collection[str]], labels: Sequence[str]
) -> dict[str, Any]:
    """Micro/macro P/R/F1, example-based F1, exact-match ratio and a per-label table over ``labels``.

    Labels found in gold or predictions but not in ``labels`` are scored too (a prediction outside the task's label
    list is a false positive, never silently dropped).
    """
    labels = list(labels)
    known = set(labels)
    extra = sorted({label for sets in (gold, pred) for s in sets for label in s} - known)
    labels.extend(extra)
    index = {label: j for j, label in enumerate(labels)}
    g = np.zeros((len(gold), len(labels)), dtype=bool)
    p = np.zeros_like(g)
    for i, (gs, ps) in enumerate(zip(gold, pred, strict=True)):
        for label in gs:
            g[i, index[label]] = True
        for label in ps:
            p[i, index[label]] = True
    family = score_matrices("task", labels, g, p)  # the library's own metrics: one definition for both
    per_label = {label: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 0} for label in labels}
    for metric in family.labels:
        per_label[metric.id] = {
            "precision": metric.precision,
            "recall": metric.recall,
            "f1": metric.f1,
            "support": metric.support,
            "predicted": metric.predicted,
        }
    return {
        "documents": len(gold),
        "micro_precision": family.micro_precision,
        "micro_recall": family.micro_recall,
        "micro_f1": family.micro_f1,
        "macro_precision": family.macro_precision,
        "macro_recall": family.macro_recall,
        "macro_f1": family.macro_f1,
        "example_f1": example_f1(gold, pred),
        "exact_match": float(np.mean((g == p).all(axis=1))) if len(gold) else 0.0,
        "per_label": per_label,
    }


def multiclass_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Accuracy, macro P/R/F1 over the labels seen in gold or predictions (scikit-learn's convention), per label."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred differ in length: {len(gold)} != {len(pred)}")
    seen = sorted(set(gold) | set(pred))
    per_label = {}
    for label in seen:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        n_pred = sum(1 for p in pred if p == label)
        n_gold = sum(1 for g in gold if g == label)
        prec, rec = _ratio(tp, n_pred), _ratio(tp, n_gold)
        per_label[label] = {
            "precision": prec,
            "recall": rec,
            "f1": f1(prec, rec),
            "support": n_gold,
            "predicted": n_pred,
        }
    for label in labels or ():
        per_label.setdefault(label, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 0})
    macro = [per_label[label] for label in seen]
    accuracy = _ratio(sum(1 for g, p in zip(gold, pred, strict=True) if g == p), len(gold))
    return {
        "documents": len(gold),
        "accuracy": accuracy,
        "micro_f1": accuracy,  # single-label: micro P = R = F1 = accuracy
        "macro_precision": float(np.mean([m["precision"] for m in macro])) if macro else 0.0,
        "macro_recall": float(np.mean([m["recall"] for m in macro])) if macro else 0.0,
        "macro_f1": float(np.mean([m["f1"] for m in macro])) if macro else 0.0,
        "per_label": dict(sorted(per_label.items())),
    }
