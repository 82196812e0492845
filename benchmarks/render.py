"""What every suite's report section shares: number formats, tables, plots (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PEERS = ("tagger", "fasttext", "tfidf_lr")
NAMES = {"tagger": "tagger", "fasttext": "fastText", "tfidf_lr": "TF-IDF + LogReg", "alias_only": "alias only"}
COLORS = {
    "tagger": "#1f77b4",
    "fasttext": "#ff7f0e",
    "tfidf_lr": "#2ca02c",
    "alias_only": "#9e9e9e",
    "tagger_default_model": "#17becf",
}


# the trainer's ``select_metric`` values, as the report names them
_CRITERIA = {
    "mean": "mean of micro- and macro-F1",
    "micro": "micro-F1",
    "macro": "macro-F1",
    "example": "example-based F1",
}


def _pct(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}"


def _num(x: float | None, fmt: str = "{:,.0f}") -> str:
    return "–" if x is None else fmt.format(x)


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×"


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _score(system: dict[str, Any] | None) -> float | None:
    if not system or "score" not in system:
        return None
    return system["score"]


# --- plots ----------------------------------------------------------------------------------------------------------


class _NoPlots(Exception):
    pass


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise _NoPlots('matplotlib is not installed (pip install ".[bench]"): no plots') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


_said: set[str] = set()


def _plot(lines: list[str], draw: Any, *args: Any, **kwargs: Any) -> bool:
    """Draw one plot; without matplotlib, say so in the report once and go on."""
    try:
        draw(*args, **kwargs)
        return True
    except _NoPlots as why:
        if str(why) not in _said:
            _said.add(str(why))
            lines += [f"_{why}._", ""]
        return False


def _per_label_plot(
    path: Path,
    title: str,
    series: dict[str, dict[str, float]],
    labels: list[str],
    label_names: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> None:
    plt = _plt()
    import numpy as np

    label_names = label_names or {}
    width = 0.8 / max(len(series), 1)
    fig_w = max(6.0, 0.45 * len(labels) * max(1, len(series)) / 2 + 2)
    fig, ax = plt.subplots(figsize=(min(fig_w, 16), 4.2))
    x = np.arange(len(labels))
    for k, (key, values) in enumerate(series.items()):
        ax.bar(
            x + (k - (len(series) - 1) / 2) * width,
            [values.get(lab, 0.0) for lab in labels],
            width,
            label=(names or {}).get(key) or NAMES.get(key, key),
            color=COLORS.get(key),
        )
    ax.set_xticks(x)
    ax.set_xticklabels(
        [f"{lab}\n{label_names[lab]}" if lab in label_names else lab for lab in labels],
        rotation=90 if len(labels) > 12 else 0,
        fontsize=8,
    )
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1 on test")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=len(series))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _task_detail(task: dict[str, Any], out: Path, top: int | None = None) -> list[str]:
    lines = [f"### {task['title']}", ""]
    sizes = task["sizes"]
    lines.append(
        f"{sizes['train']} train / {sizes['dev']} dev / {sizes['test']} test documents, "
        f"{len(task['labels'])} labels, {task['kind']}; metric: {task['metric'].replace('_', ' ')}."
    )
    lines.append("")
    rows = []
    for s in task["systems"].values():
        if "skipped" in s:
            rows.append([s["system"], "skipped: " + s["skipped"], "", "", "", "", ""])
            continue
        m = s["metrics"]
        chosen = ", ".join(f"{k}={v}" for k, v in s.get("setting", {}).items() if k != "seed") or "defaults"
        dev = "; ".join(
            _pct(d["dev_score"], 1) if d.get("dev_score") is not None else "failed" for d in s.get("dev", [])
        )
        rows.append(
            [
                s["system"],
                f"**{_pct(s['score'])}**",
                _pct(m.get("micro_f1")),
                _pct(m.get("macro_f1")),
                chosen + (f" (dev: {dev})" if dev else ""),
                f"{s.get('fit_seconds', 0):.1f}",
                f"{s.get('predict_seconds', 0):.2f}",
            ]
        )
    lines += _table(
        [
            "system",
            task["metric"].replace("_", " "),
            "micro F1",
            "macro F1",
            "setting (chosen on dev)",
            "fit s",
            "predict s",
        ],
        rows,
        "lrrrlrr",
    )
    lines.append("")
    tagger = task["systems"].get("tagger", {})
    selection = (tagger.get("info") or {}).get("selection")
    if selection:
        # results of trainers with select_metric also hold example-based F1 and name the criterion
        with_example = all("example_f1" in t for t in selection["tried"])
        tried = "; ".join(
            ", ".join(f"{k}={v}" for k, v in t["setting"].items())
            + f": {_pct(t['micro_f1'], 1)}/{_pct(t['macro_f1'], 1)}"
            + (f"/{_pct(t['example_f1'], 1)}" if with_example else "")
            for t in selection["tried"]
        )
        chosen = ", ".join(f"{k}={v}" for k, v in selection["chosen"].items())
        shrink = (tagger.get("info") or {}).get("shrink") or {}
        criterion = _CRITERIA.get(selection.get("metric", "mean"), selection.get("metric"))
        lines.append(
            f"tagger's own selection on {selection['on']} ({selection['dev_records']} records, criterion: "
            f"{criterion}), micro/macro{'/example-based' if with_example else ''} F1 ×100 "
            f"per setting tried: {tried}. Chosen: **{chosen}**"
            + (f"; threshold shrinkage chosen by cross-validation: {shrink['chosen']:g}." if shrink else ".")
        )
        lines.append("")
    diag = tagger.get("diagnostics")
    if diag and diag["test_documents_without_gold"] > 0.2 * sizes["test"]:
        diag = None  # most documents carry no label: "report the best label anyway" does not apply
    if diag and tagger.get("trained_on") == "train + dev":
        diag = {k: v for k, v in diag.items() if not k.startswith("dev_")}  # dev became training data
    if diag:
        lines.append(
            f"Diagnostic (not part of the score): {diag['test_documents_without_prediction']} of {sizes['test']} "
            f"test documents get no label from tagger ({diag['test_documents_without_gold']} have none in gold). "
            f"Reporting the top label when none passes its threshold would give {_pct(diag['test_top1_fallback'])}"
            + (
                f" (dev: {_pct(diag['dev_plain'])} → {_pct(diag['dev_top1_fallback'])})."
                if "dev_plain" in diag
                else "."
            )
        )
        lines.append("")
    for note in task.get("notes", []):
        lines.append(f"- {note}")
    if task.get("notes"):
        lines.append("")
    series = {
        k: {lab: v["f1"] for lab, v in s["metrics"]["per_label"].items()}
        for k, s in task["systems"].items()
        if "metrics" in s
    }
    if series:
        first = next(iter(task["systems"].values()))
        per_label = first.get("metrics", {}).get("per_label", {})
        labels = [lab for lab in task["labels"] if per_label.get(lab, {}).get("support", 0) > 0] or task["labels"]
        labels = sorted(labels, key=lambda lab: -per_label.get(lab, {}).get("support", 0))
        if top:
            labels = labels[:top]
        plot = f"per_label_f1_{task['task']}.png"
        shown = f" (top {len(labels)} by support)" if top else ""
        if _plot(
            lines,
            _per_label_plot,
            out / plot,
            f"{task['title']}: per-label F1 on test{shown}",
            series,
            labels,
            task.get("label_names"),
        ):
            lines += [f"![per-label F1]({plot})", ""]
        if not top:
            keys = [k for k in task["systems"] if "metrics" in task["systems"][k]]
            rows = []
            for lab in labels:
                name = task.get("label_names", {}).get(lab)
                row = [lab + (f" ({name})" if name else ""), str(per_label.get(lab, {}).get("support", 0))]
                row += [_pct(task["systems"][k]["metrics"]["per_label"].get(lab, {}).get("f1"), 1) for k in keys]
                rows.append(row)
            lines += _table(["label", "support"] + [task["systems"][k]["system"] for k in keys], rows)
            lines.append("")
    return lines
