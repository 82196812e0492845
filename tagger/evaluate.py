"""Accuracy as data: per-family micro/macro precision, recall and F1, and a per-label table; plus rendering.

Gold labels are closed under the hierarchy before scoring (a record labelled ``sy-raqqa`` is also gold for ``sy``
and ``middle-east``), because the tagger reports ancestors too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .taxonomy import Family

__all__ = ["FamilyMetrics", "LabelMetrics", "evaluate", "gold_matrix", "render_report", "score_matrices"]


@dataclass(frozen=True)
class LabelMetrics:
    id: str
    precision: float
    recall: float
    f1: float
    support: int  # gold positives
    predicted: int


@dataclass(frozen=True)
class FamilyMetrics:
    family: str
    documents: int
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    labels: tuple[LabelMetrics, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_matrices(family: str, ids: Sequence[str], gold: np.ndarray, pred: np.ndarray) -> FamilyMetrics:
    """Metrics from boolean (documents × labels) matrices. Macro averages run over labels with gold support."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    tp = (gold & pred).sum(axis=0)
    n_pred = pred.sum(axis=0)
    n_gold = gold.sum(axis=0)
    labels = []
    for j, label_id in enumerate(ids):
        if n_gold[j] == 0 and n_pred[j] == 0:
            continue
        p, r = _ratio(tp[j], n_pred[j]), _ratio(tp[j], n_gold[j])
        labels.append(LabelMetrics(label_id, p, r, _f1(p, r), int(n_gold[j]), int(n_pred[j])))
    micro_p, micro_r = _ratio(tp.sum(), n_pred.sum()), _ratio(tp.sum(), n_gold.sum())
    supported = [m for m in labels if m.support > 0]
    macro_p = float(np.mean([m.precision for m in supported])) if supported else 0.0
    macro_r = float(np.mean([m.recall for m in supported])) if supported else 0.0
    macro_f = float(np.mean([m.f1 for m in supported])) if supported else 0.0
    return FamilyMetrics(
        family=family,
        documents=int(gold.shape[0]),
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=_f1(micro_p, micro_r),
        macro_precision=macro_p,
        macro_recall=macro_r,
        macro_f1=macro_f,
        labels=tuple(sorted(labels, key=lambda m: (-m.support, m.id))),
    )


def gold_matrix(family: Family, label_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """Boolean (documents × labels) matrix of gold labels, closed under the hierarchy."""
    matrix = np.zeros((len(label_lists), len(family)), dtype=bool)
    for row, ids in enumerate(label_lists):
        for label_id in family.with_ancestors(list(ids)):
            matrix[row, family.index(label_id)] = True
    return matrix


def evaluate(tagger: Any, records: Iterable[Any], *, batch_size: int = 256) -> dict[str, FamilyMetrics]:
    """Tag ``records`` (objects with ``.text`` and ``.labels``) and score each family on the records that annotate it."""
    records = list(records)
    results = list(tagger.tag_many((r.text for r in records), batch_size=batch_size))
    report: dict[str, FamilyMetrics] = {}
    for name, model in tagger.families.items():
        family = model.family
        rows = [i for i, r in enumerate(records) if r.labels.get(name) is not None]
        if not rows:
            continue
        gold = gold_matrix(family, [records[i].labels[name] for i in rows])
        pred = np.zeros_like(gold)
        for k, i in enumerate(rows):
            for label_id in results[i].ids(name):
                pred[k, family.index(label_id)] = True
        report[name] = score_matrices(name, family.ids, gold, pred)
    return report


def render_report(report: dict[str, FamilyMetrics], *, per_label: bool = True) -> str:
    """A plain-text table: one summary line per family, then its labels sorted by support."""
    lines = [
        f"{'family':<12} {'docs':>6} {'microP':>7} {'microR':>7} {'microF1':>7} {'macroP':>7} {'macroR':>7} {'macroF1':>7}"
    ]
    for m in report.values():
        lines.append(
            f"{m.family:<12} {m.documents:>6} {m.micro_precision:>7.3f} {m.micro_recall:>7.3f} {m.micro_f1:>7.3f} "
            f"{m.macro_precision:>7.3f} {m.macro_recall:>7.3f} {m.macro_f1:>7.3f}"
        )
    if per_label:
        for m in report.values():
            lines.append("")
            lines.append(f"{m.family}: {'label':<24} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'predicted':>9}")
            for lm in m.labels:
                lines.append(
                    f"{'':<{len(m.family) + 2}}{lm.id:<24} {lm.precision:>6.3f} {lm.recall:>6.3f} {lm.f1:>6.3f} "
                    f"{lm.support:>8} {lm.predicted:>9}"
                )
    return "\n".join(lines)
