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

__all__ = [
    "Evaluation",
    "FamilyMetrics",
    "LabelMetrics",
    "errors",
    "evaluate",
    "example_f1_matrices",
    "evaluate_details",
    "gold_matrix",
    "render_report",
    "score_matrices",
    "write_plots",
]


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


def example_f1_matrices(gold: np.ndarray, pred: np.ndarray) -> float:
    """Example-based F1 from boolean (documents × labels) matrices: the mean over documents of
    ``2 |T ∩ P| / (|T| + |P|)``, documents with neither a gold nor a predicted label left out (ConfliBERT's
    ``example_based_f1``); 0.0 when every document is left out.

    >>> gold = np.array([[1, 0], [0, 0], [1, 1]], dtype=bool)
    >>> pred = np.array([[1, 0], [0, 0], [0, 1]], dtype=bool)
    >>> round(example_f1_matrices(gold, pred), 4)  # (1 + 2/3) / 2: the empty document skipped
    0.8333
    """
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    if gold.shape != pred.shape or gold.ndim != 2:
        raise ValueError(f"gold and pred must be matrices of one shape, got {gold.shape} and {pred.shape}.")
    sizes = gold.sum(axis=1) + pred.sum(axis=1)
    scored = sizes > 0
    if not scored.any():
        return 0.0
    both = (gold & pred).sum(axis=1)
    return float(np.mean(2 * both[scored] / sizes[scored]))


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


@dataclass
class FamilyEvaluation:
    """One family's gold and predicted matrices, raw scores and thresholds over the records that annotate it."""

    family: Family
    rows: np.ndarray  # indices of those records
    gold: np.ndarray
    pred: np.ndarray
    scores: np.ndarray
    thresholds: np.ndarray


@dataclass
class Evaluation:
    """What :func:`evaluate_details` measured: the metrics (as :func:`evaluate`) and what lies behind them."""

    records: list[Any]
    metrics: dict[str, FamilyMetrics]
    families: dict[str, FamilyEvaluation]


def evaluate_details(tagger: Any, records: Iterable[Any], *, batch_size: int = 256) -> Evaluation:
    """:func:`evaluate` plus, per family, the gold, predicted and raw-score matrices (for error lists and plots)."""
    records = list(records)
    metrics = evaluate(tagger, records, batch_size=batch_size)
    texts = [r.text for r in records]
    raw: dict[str, list[np.ndarray]] = {name: [] for name in tagger.families}
    for start in range(0, len(texts), batch_size):
        for name, scores in tagger.predict_scores(texts[start : start + batch_size]).items():
            raw[name].append(scores)
    details: dict[str, FamilyEvaluation] = {}
    for name, model in tagger.families.items():
        family = model.family
        rows = np.asarray([i for i, r in enumerate(records) if r.labels.get(name) is not None], dtype=np.int64)
        if not rows.size:
            continue
        scores = np.concatenate(raw[name])[rows]
        gold = gold_matrix(family, [records[i].labels[name] for i in rows])
        pred, _ = model.decide(scores)
        empty = np.asarray([not records[i].text.strip() for i in rows], dtype=bool)
        pred[empty] = False
        details[name] = FamilyEvaluation(family, rows, gold, pred, scores, model.thresholds)
    return Evaluation(records, metrics, details)


def errors(evaluation: Evaluation, *, top: int = 5) -> list[dict[str, Any]]:
    """The misclassified records: id, text, and per family where gold and prediction differ, the gold, predicted,
    missed and extra labels with their scores (and the ``top`` highest-scoring labels)."""
    out: dict[int, dict[str, Any]] = {}
    for name, fam in evaluation.families.items():
        ids = fam.family.ids
        wrong = np.flatnonzero((fam.gold != fam.pred).any(axis=1))
        for k in wrong:
            i = int(fam.rows[k])
            record = evaluation.records[i]
            entry = out.setdefault(i, {"id": record.id, "text": record.text, "families": {}})
            scores = fam.scores[k]
            best = np.argsort(-scores, kind="stable")[:top]
            entry["families"][name] = {
                "gold": [ids[j] for j in np.flatnonzero(fam.gold[k])],
                "predicted": [ids[j] for j in np.flatnonzero(fam.pred[k])],
                "missed": [ids[j] for j in np.flatnonzero(fam.gold[k] & ~fam.pred[k])],
                "extra": [ids[j] for j in np.flatnonzero(fam.pred[k] & ~fam.gold[k])],
                "scores": {
                    ids[j]: round(float(scores[j]), 4)
                    for j in sorted(set(best.tolist()) | set(np.flatnonzero(fam.gold[k] | fam.pred[k]).tolist()))
                },
            }
    return [out[i] for i in sorted(out)]


def write_plots(evaluation: Evaluation, folder: Any) -> list[Any]:
    """PNG plots per family: per-label F1 (by support), and micro precision/recall/F1 against one threshold
    applied to every label. Needs matplotlib (``pip install matplotlib``). Returns the files written."""
    from pathlib import Path

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        from .errors import TaggerError

        raise TaggerError("--plots needs matplotlib: pip install matplotlib") from error
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fam in evaluation.families.items():
        labels = [m for m in evaluation.metrics[name].labels if m.support > 0][:40]
        fig, ax = plt.subplots(figsize=(8, max(2.5, 0.22 * len(labels) + 1)))
        ax.barh([f"{m.id} ({m.support})" for m in labels][::-1], [m.f1 for m in labels][::-1], color="#4477aa")
        ax.set_xlim(0, 1)
        ax.set_xlabel("F1")
        ax.set_title(f"{name}: per-label F1 (support in brackets)")
        fig.tight_layout()
        path = folder / f"per_label_f1_{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)

        cuts = np.linspace(0.05, 0.95, 19)
        gold = fam.gold
        p, r, f = [], [], []
        for cut in cuts:
            pred = fam.scores >= cut
            tp = (pred & gold).sum()
            precision = tp / pred.sum() if pred.sum() else 1.0
            recall = tp / gold.sum() if gold.sum() else 0.0
            p.append(precision)
            r.append(recall)
            f.append(_f1(precision, recall))
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(cuts, p, label="precision")
        ax.plot(cuts, r, label="recall")
        ax.plot(cuts, f, label="F1", linestyle="--")
        ax.set_xlabel("threshold (one cut for every label, raw scores)")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{name}: micro precision / recall against threshold")
        ax.legend()
        fig.tight_layout()
        path = folder / f"pr_threshold_{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written


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
