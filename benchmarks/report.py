"""Render results (the dict saved as results.json) into REPORT.md and PNG plots (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_report"]

PEERS = ("tagger", "fasttext", "tfidf_lr")
NAMES = {"tagger": "tagger", "fasttext": "fastText", "tfidf_lr": "TF-IDF + LogReg", "alias_only": "alias only"}
COLORS = {
    "tagger": "#1f77b4",
    "fasttext": "#ff7f0e",
    "tfidf_lr": "#2ca02c",
    "alias_only": "#9e9e9e",
    "tagger_default_model": "#17becf",
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


def _speed_plots(out: Path, speed: dict[str, Any]) -> list[str]:
    plt = _plt()
    written = []
    training = speed.get("training", {}).get("systems", {})
    if training:
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        for key, entry in training.items():
            sizes = sorted(int(s) for s in entry["seconds"])
            ax.plot(
                sizes,
                [entry["seconds"][str(s)] for s in sizes],
                marker="o",
                label=NAMES.get(key, key),
                color=COLORS.get(key),
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training documents")
        ax.set_ylabel("training time (s, median)")
        ax.set_title("Training time vs corpus size (2-core machine)", fontsize=11)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "speed_vs_corpus_size.png", dpi=110)
        plt.close(fig)
        written.append("speed_vs_corpus_size.png")
    systems = speed.get("systems", {})
    if systems:
        keys = list(systems)
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
        panels = (
            ("docs / s (median, 1 core)", [("batch_docs_per_s", "batch"), ("single_docs_per_s", "one at a time")]),
            ("latency per article (ms)", [("p50_latency_ms", "p50"), ("p99_latency_ms", "p99")]),
            ("cold import + load (s)", [("import_load_seconds", "import + load")]),
        )
        import numpy as np

        for ax, (title, fields) in zip(axes, panels, strict=True):
            x = np.arange(len(keys))
            width = 0.8 / len(fields)
            for k, (field, label) in enumerate(fields):
                ax.bar(
                    x + (k - (len(fields) - 1) / 2) * width,
                    [systems[s][field] for s in keys],
                    width,
                    label=label,
                    color=[COLORS.get(s, "#999999") for s in keys],
                    alpha=1.0 if k == 0 else 0.55,
                )
            ax.set_xticks(x)
            ax.set_xticklabels([NAMES.get(s, s) for s in keys], fontsize=8)
            ax.set_title(title, fontsize=10)
            if len(fields) > 1:
                ax.set_yscale("log")
            ax.grid(axis="y", which="both", alpha=0.3)
            if len(fields) > 1:
                ax.legend(fontsize=7)
        fig.suptitle("Tagging speed on 350-word articles", fontsize=11)
        fig.tight_layout()
        fig.savefig(out / "tagging_speed.png", dpi=110)
        plt.close(fig)
        written.append("tagging_speed.png")
    return written


# --- sections -------------------------------------------------------------------------------------------------------


def _header(results: dict[str, Any]) -> list[str]:
    meta = results["meta"]
    m, v = meta["machine"], meta["versions"]
    lines = ["# tagger benchmarks", ""]
    if meta["mode"] == "quick":
        lines += [
            "> **Quick mode** (CI smoke run): tiny subsamples and few repeats. These numbers only show that the "
            "suites run; read the full report in `benchmarks/results/REPORT.md`.",
            "",
        ]
    here = {k: s for k, s in meta["suite_seconds"].items() if not _other_run(results, k)}
    others = [k for k in meta["suite_seconds"] if _other_run(results, k)]
    lines += [
        f"Generated by `{meta['command'].strip()}` on {meta['date']} (git {meta.get('git_commit') or '?'}), "
        f"{meta['mode']} mode, {meta.get('total_seconds', 0) / 60:.1f} min in total "
        f"({', '.join(f'{k} {s:.0f} s' for k, s in here.items())})"
        + (
            ". Kept from earlier runs into the same folder: "
            + ", ".join(f"{k} ({results['suites'][k].get('date')}, {meta['suite_seconds'][k]:.0f} s)" for k in others)
            if others
            else ""
        )
        + ".",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m.get('memory_gb')} GB; {m['platform']}. "
        + "Versions: "
        + ", ".join(f"{k} {val}" for k, val in v.items() if val)
        + ".",
        "",
    ]
    skipped = [(k, s["reason"]) for k, s in results["suites"].items() if s.get("status") == "skipped"]
    for name, reason in skipped:
        lines.append(f"- **{name} skipped**: {reason}")
    if skipped:
        lines.append("")
    return lines


def _other_run(results: dict[str, Any], suite: str) -> bool:
    """Whether a suite's results were kept from an earlier run (``--suites`` runs keep the other suites)."""
    entry = results["suites"].get(suite, {})
    date = entry.get("date")
    return bool(date) and str(date) < results["meta"]["date"]


def _summary(results: dict[str, Any]) -> list[str]:
    rows = []
    conf = results["suites"].get("conflibert", {})
    for task in conf.get("tasks", {}).values():
        if "systems" not in task:
            continue
        s = task["systems"]
        pub = task.get("published") or {}
        metric = "example F1" if task["metric"] == "example_f1" else "macro F1"
        ratio = task.get("ratio_to_published")
        rows.append(
            [
                task["title"],
                metric,
                _pct(_score(s.get("tagger"))),
                _pct(_score(s.get("fasttext"))),
                _pct(_score(s.get("tfidf_lr"))),
                f"{pub['ConfliBERT']:.2f} (ConfliBERT)" if pub else "– (see §2)",
                f"{ratio:.2f}" if ratio else "–",
            ]
        )
    reu = results["suites"].get("reuters", {})
    topics = reu.get("tasks", {}).get("reuters_topics")
    if topics and "systems" in topics:
        s = topics["systems"]
        svm = topics["published"]["SVM (linear)"]
        for field, label in (("micro_f1", "micro F1"), ("macro_f1", "macro F1")):
            ours = (s.get("tagger") or {}).get("metrics", {}).get(field)
            rows.append(
                [
                    topics["title"],
                    label,
                    _pct(ours),
                    _pct((s.get("fasttext") or {}).get("metrics", {}).get(field)),
                    _pct((s.get("tfidf_lr") or {}).get("metrics", {}).get(field)),
                    f"{100 * svm[field]:.2f} (linear SVM)",
                    f"{ours / svm[field]:.2f}" if ours else "–",
                ]
            )
    places = reu.get("tasks", {}).get("reuters_places")
    if places and "systems" in places:
        s = places["systems"]
        best_tagger = max(
            (k for k in ("tagger", "tagger_default_model") if _score(s.get(k)) is not None),
            key=lambda k: _score(s[k]),
            default=None,
        )
        rows.append(
            [
                places["title"],
                "micro F1",
                _pct(_score(s.get(best_tagger))) + (f" ({s[best_tagger]['system']})" if best_tagger else ""),
                _pct(_score(s.get("fasttext"))),
                _pct(_score(s.get("tfidf_lr"))),
                "–",
                "–",
            ]
        )
    dm = results["suites"].get("default_model", {})
    if dm.get("status") == "ok":
        for fam, m in dm["systems"]["tagger"]["families"].items():
            peers = [
                dm["systems"].get(k, {}).get("families", {}).get(fam, {}).get("micro_f1")
                for k in ("fasttext", "tfidf_lr")
            ]
            alias = dm["systems"]["alias_only"]["families"].get(fam, {}).get("micro_f1")
            rows.append(
                [
                    f"default model held-out · {fam}",
                    "micro F1",
                    _pct(m["micro_f1"]),
                    _pct(peers[0]),
                    _pct(peers[1]),
                    f"{_pct(alias)} (alias only)",
                    "–",
                ]
            )
    if not rows:
        return []
    lines = [
        "## Summary",
        "",
        "Scores ×100 on each task's test split (details, settings and per-label tables in §1–3). "
        '"ratio" is tagger ÷ the published reference.',
        "",
    ]
    lines += _table(["task", "metric", "tagger", "fastText", "TF-IDF + LogReg", "published", "ratio"], rows, "llrrrrr")
    lines.append("")
    speed = results["suites"].get("speed", {})
    if speed.get("status") == "ok":
        lines += _speed_summary(speed)
    return lines


def _speed_summary(speed: dict[str, Any]) -> list[str]:
    t = speed["systems"].get("tagger")
    if not t:
        return []
    targets = speed["targets"]
    dt = speed.get("default_training", {})

    def mark(ok: bool | None) -> str:
        return "–" if ok is None else ("✅ met" if ok else "❌ not met")

    rows = [
        [
            "throughput, batch (all families, 1 core)",
            f"{t['batch_docs_per_s']:,.0f} docs/s",
            f"≥ {targets['batch_docs_per_s']:,.0f}",
            mark(t["batch_docs_per_s"] >= targets["batch_docs_per_s"]),
        ],
        [
            "p50 latency, one article",
            f"{t['p50_latency_ms']:.2f} ms",
            f"≤ {targets['p50_latency_ms']} ms",
            mark(t["p50_latency_ms"] <= targets["p50_latency_ms"]),
        ],
        [
            "cold import + model load",
            f"{t['import_load_seconds']:.2f} s",
            f"≤ {targets['import_load_seconds']} s",
            mark(t["import_load_seconds"] <= targets["import_load_seconds"]),
        ],
        [
            "model size on disk",
            f"{t['model_bytes'] / 1e6:.1f} MB",
            f"≤ {targets['model_mb']} MB",
            mark(t["model_bytes"] / 1e6 <= targets["model_mb"]),
        ],
        [
            "training the default model",
            f"{dt['seconds']:.0f} s" if "seconds" in dt else f"– ({dt.get('skipped', '')})",
            f"≤ {targets['default_training_seconds']:.0f} s on 2 cores",
            mark(dt["seconds"] <= targets["default_training_seconds"]) if "seconds" in dt else "–",
        ],
    ]
    lines = ["Speed against the targets (details in §4):", ""]
    lines += _table(["figure", "tagger", "target", ""], rows, "lrrl")
    lines += ["", f"Model measured: {speed['model']}", ""]
    return lines


def _default_model_section(results: dict[str, Any], out: Path) -> list[str]:
    dm = results["suites"].get("default_model", {})
    lines = ["## 1. Default model on its held-out split", ""]
    if dm.get("status") != "ok":
        return lines + [f"Skipped: {dm.get('reason', 'not run')}.", ""]
    lines += [
        f"Model: `{dm['model_repr']}`. {dm['sizes']['heldout']} held-out records "
        f"({', '.join(f'{k}: {n}' for k, n in dm['heldout_by_source'].items())}), "
        f"{dm['sizes']['train']} training records for the peers.",
        "",
    ]
    lines += [f"- {n}" for n in dm["notes"]] + [""]
    rows = []
    for fam in dm["systems"]["tagger"]["families"]:
        for key in ("tagger", "alias_only", "fasttext", "tfidf_lr"):
            m = dm["systems"].get(key, {}).get("families", {}).get(fam)
            if not m:
                continue
            rows.append(
                [
                    fam,
                    NAMES.get(key, key),
                    str(m["documents"]),
                    _pct(m["micro_precision"], 1),
                    _pct(m["micro_recall"], 1),
                    _pct(m["micro_f1"], 1),
                    _pct(m["macro_precision"], 1),
                    _pct(m["macro_recall"], 1),
                    _pct(m["macro_f1"], 1),
                ]
            )
    lines += _table(
        ["family", "system", "docs", "micro P", "micro R", "micro F1", "macro P", "macro R", "macro F1"],
        rows,
        "llrrrrrrr",
    )
    lines.append("")
    for fam, m in dm["systems"]["tagger"]["families"].items():
        labels = [lm for lm in m["labels"] if lm["support"] > 0]
        alias = {lm["id"]: lm for lm in dm["systems"]["alias_only"]["families"][fam]["labels"]}
        series = {
            "tagger": {lm["id"]: lm["f1"] for lm in m["labels"]},
            "alias_only": {k: v["f1"] for k, v in alias.items()},
        }
        for key in ("fasttext", "tfidf_lr"):
            fm = dm["systems"].get(key, {}).get("families", {}).get(fam)
            if fm:
                series[key] = {lm["id"]: lm["f1"] for lm in fm["labels"]}
        shown = [lm["id"] for lm in labels[:40]]
        plot = f"per_label_f1_default_{fam}.png"
        drawn = _plot(
            lines,
            _per_label_plot,
            out / plot,
            f"default model, {fam}: per-label F1 (held-out, top {len(shown)} by support)",
            series,
            shown,
        )
        lines += [
            f"**{fam}** per label (held-out; alias-only F1 for comparison)" + (f" — ![]({plot})" if drawn else ""),
            "",
        ]
        rows = [
            [
                lm["id"],
                _pct(lm["precision"], 1),
                _pct(lm["recall"], 1),
                _pct(lm["f1"], 1),
                str(lm["support"]),
                str(lm["predicted"]),
                _pct(alias.get(lm["id"], {}).get("f1", 0.0), 1),
            ]
            for lm in labels[:40]
        ]
        lines += _table(["label", "P", "R", "F1", "support", "predicted", "alias-only F1"], rows)
        if len(labels) > 40:
            lines.append(
                f"\n{len(labels) - 40} more labels with 1–{labels[40]['support']} held-out examples each: "
                "see results.json."
            )
        lines.append("")
    return lines


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


def _conflibert_section(results: dict[str, Any], out: Path) -> list[str]:
    conf = results["suites"].get("conflibert", {})
    lines = ["## 2. ConfliBERT's tasks", ""]
    if conf.get("status") != "ok":
        return lines + [f"Skipped: {conf.get('reason', 'not run')}.", ""]
    lines += [
        "Each system is trained on the repository's `train` split, chooses among 2–3 settings on `dev`, and predicts "
        "`test` once. Scores use ConfliBERT's own code path: example-based F1 for the multi-label tasks "
        "(`example_based.py`: mean over documents of 2|T∩P|/(|T|+|P|), documents with neither gold nor predicted "
        "labels skipped), scikit-learn macro-F1 for cameo_class. Published: Hu et al., NAACL 2022, Table 3 (best "
        "ConfliBERT variant, and BERT-base), fine-tuned transformers with 110M parameters.",
        "",
    ]
    rows = []
    for task in conf["tasks"].values():
        if "systems" not in task:
            rows.append([task["task"], "skipped: " + task.get("skipped", ""), "", "", "", "", "", ""])
            continue
        s, pub = task["systems"], task.get("published")
        rows.append(
            [
                task["title"],
                _pct(_score(s.get("tagger"))),
                _pct(_score(s.get("fasttext"))),
                _pct(_score(s.get("tfidf_lr"))),
                f"{pub['ConfliBERT']:.2f}" if pub else "–",
                f"{pub['BERT']:.2f}" if pub else "–",
                f"{task['ratio_to_published']:.2f}" if pub and task.get("ratio_to_published") else "–",
                f"{task['ratio_to_bert']:.2f}" if pub and task.get("ratio_to_bert") else "–",
            ]
        )
    lines += _table(
        ["task", "tagger", "fastText", "TF-IDF + LogReg", "ConfliBERT", "BERT", "tagger ÷ ConfliBERT", "tagger ÷ BERT"],
        rows,
    )
    lines += [
        "",
        "cameo_class has no ratio: the repository's test file looks like the paper's dev and test sets "
        "together (451 sentences, a class balance unlike train's), so no published number applies to it.",
        "",
    ]
    for task in conf["tasks"].values():
        if "systems" in task:
            lines += _task_detail(task, out)
    return lines


def _reuters_section(results: dict[str, Any], out: Path) -> list[str]:
    reu = results["suites"].get("reuters", {})
    lines = ["## 3. Reuters-21578", ""]
    if reu.get("status") != "ok":
        return lines + [f"Skipped: {reu.get('reason', 'not run')}.", ""]
    topics = reu["tasks"].get("reuters_topics")
    if topics:
        pub = topics["published"]
        lines += ["Read from `../shared/data/reuters21578/` (research use only; never copied into the repository).", ""]
        rows = []
        for s in topics["systems"].values():
            if "metrics" in s:
                rows.append([s["system"], _pct(s["metrics"]["micro_f1"]), _pct(s["metrics"]["macro_f1"]), "this run"])
        for name in ("SVM (linear)", "kNN"):
            rows.append([name, _pct(pub[name]["micro_f1"]), _pct(pub[name]["macro_f1"]), "Yang & Liu 1999"])
        lines += _table(["system", "micro F1", "macro F1", "source"], rows, "lrrl")
        lines += ["", f"Published: {pub['source']}. {pub['note']}", ""]
        lines += _task_detail(topics, out, top=30)
    places = reu["tasks"].get("reuters_places")
    if places:
        lines += _places_detail(places, out)
    return lines


def _places_detail(task: dict[str, Any], out: Path) -> list[str]:
    lines = [f"### {task['title']}", ""]
    sizes = task["sizes"]
    lines.append(
        f"{sizes['train']} train / {sizes['dev']} dev / {sizes['test']} test documents, "
        f"{len(task['labels'])} countries. Country-level predictions only (ISO alpha-2 ids); the world "
        "regions and subdivisions tagger also reports are left out."
    )
    lines.append("")
    rows = []
    for s in task["systems"].values():
        if "metrics" not in s:
            rows.append([s["system"], "skipped: " + s.get("skipped", ""), "", "", "", ""])
            continue
        m = s["metrics"]
        rows.append(
            [
                s["system"],
                _pct(m["micro_precision"]),
                _pct(m["micro_recall"]),
                f"**{_pct(m['micro_f1'])}**",
                _pct(m["macro_f1"]),
                _pct(m["example_f1"]),
            ]
        )
    lines += _table(["system", "micro P", "micro R", "micro F1", "macro F1", "example F1"], rows)
    lines.append("")
    lines += [f"- {n}" for n in task.get("notes", [])] + [""]
    series = {
        k: {lab: v["f1"] for lab, v in s["metrics"]["per_label"].items()}
        for k, s in task["systems"].items()
        if "metrics" in s
    }
    if series:
        support = next(iter(s for s in task["systems"].values() if "metrics" in s))["metrics"]["per_label"]
        labels = sorted(
            (lab for lab in support if support[lab]["support"] > 0), key=lambda lab: -support[lab]["support"]
        )[:30]
        plot = "per_label_f1_reuters_places.png"
        names = {k: s["system"] for k, s in task["systems"].items() if "metrics" in s}
        if _plot(
            lines,
            _per_label_plot,
            out / plot,
            "Reuters places: per-country F1 (top 30 by support)",
            series,
            labels,
            None,
            names,
        ):
            lines += [f"![per-country F1]({plot})", ""]
    return lines


def _speed_section(results: dict[str, Any], out: Path) -> list[str]:
    speed = results["suites"].get("speed", {})
    lines = ["## 4. Speed", ""]
    if speed.get("status") != "ok":
        return lines + [f"Skipped: {speed.get('reason', 'not run')}.", ""]
    w = speed["workload"]
    lines += [
        f"Each figure is measured in its own fresh Python process with one BLAS/OpenMP thread (per core), after a "
        f"warm-up; throughput is the median of {w['repeats']} runs over {w['batch_docs']} synthetic "
        f"{w['articles_words']}-word articles in batch and {w['single_docs']} one at a time; latency percentiles pool "
        f"every one-at-a-time call; import + load is the median of {w['load_repeats']} fresh processes. "
        f"Peak memory is the process's max RSS (an empty Python: {speed['python_baseline_rss_mb']:.0f} MB).",
        "",
    ]
    lines += [f"- {n}" for n in speed["notes"]] + [""]
    systems = speed["systems"]
    keys = list(systems)
    peers = [k for k in keys if k != "tagger"]
    figures = [
        ("batch throughput (docs/s)", "batch_docs_per_s", "{:,.0f}", "higher"),
        ("batch throughput (words/s)", "batch_words_per_s", "{:,.0f}", "higher"),
        ("one-at-a-time throughput (docs/s)", "single_docs_per_s", "{:,.0f}", "higher"),
        ("p50 latency (ms)", "p50_latency_ms", "{:.3f}", "lower"),
        ("p99 latency (ms)", "p99_latency_ms", "{:.3f}", "lower"),
        ("cold import + load (s)", "import_load_seconds", "{:.3f}", "lower"),
        ("model on disk (MB)", "model_bytes", "{:.2f}", "lower"),
        ("peak memory while tagging (MB RSS)", "peak_rss_tagging_mb", "{:.0f}", "lower"),
    ]
    rows = []
    for label, field, fmt, _ in figures:
        scale = 1e-6 if field == "model_bytes" else 1.0
        row = [label] + [fmt.format(systems[k][field] * scale) for k in keys]
        row += [_ratio(systems["tagger"][field] / systems[p][field]) if systems[p][field] else "–" for p in peers]
        rows.append(row)
    training = speed["training"]["systems"]
    for size in speed["training"]["sizes"]:
        s = str(size)
        row = [f"training, {size:,} docs (s)"] + [
            f"{training[k]['seconds'][s]:.2f}" if k in training else "–" for k in keys
        ]
        row += [
            _ratio(training["tagger"]["seconds"][s] / training[p]["seconds"][s]) if p in training else "–"
            for p in peers
        ]
        rows.append(row)
    lines += _table(
        ["figure"] + [systems[k]["system"] for k in keys] + [f"tagger ÷ {systems[p]['system']}" for p in peers], rows
    )
    lines += [
        "",
        f"Training data for the curve: {speed['training']['data']}; tagger with its default options "
        "(5-fold cross-validated thresholds; its label classifiers run in one process per core), fastText with "
        "epoch 25 / lr 0.5 / word bigrams on one thread per core, TF-IDF + LogReg with C = 10 on one core; "
        "median of "
        + ", ".join(
            f"{r} run(s) at {s:,}"
            for s, r in zip(speed["training"]["sizes"], speed["training"]["repeats"], strict=True)
        )
        + ".",
        "",
    ]
    st = speed["stream"]
    lines += [
        f"`tag_stream` over {st['documents']:,} articles: jobs=1 {st['seconds']['1']:.2f} s, jobs=2 "
        f"{st['seconds']['2']:.2f} s — speed-up {st['speedup']:.2f}× (includes starting the worker processes, "
        "each loading the model).",
        "",
    ]
    dt = speed.get("default_training", {})
    if "seconds" in dt:
        lines += [
            f"Training the default model as `scripts/build_default_model.py` does ({dt['records']} records, "
            f"UCDP: {dt['ucdp']}): {dt['seconds']:.1f} s (target ≤ 60 s on 2 cores; the trainer fits label classifiers in "
            "one process per core).",
            "",
        ]
    else:
        lines += [f"Training the default model: not measured ({dt.get('skipped', '')}).", ""]
    written: list[str] = []
    _plot(lines, lambda: written.extend(_speed_plots(out, speed)))
    for plot in written:
        lines += [f"![{plot}]({plot})", ""]
    return lines


def _method_section() -> list[str]:
    return [
        "## Method",
        "",
        "- One protocol for every accuracy task and system (`benchmarks/protocol.py`): train on `train`, choose among "
        "2–3 settings on `dev`, predict `test` once. Where a task has no dev split (cameo_class, Reuters) a fixed "
        "hash-chosen part of train serves as dev and the chosen setting is refitted on all of train.",
        '- tagger: a one-family taxonomy built in code whose labels are the task\'s classes, each named "class X" so '
        'no alias can match text by accident; `strategy="ovr"`; settings: defaults, `class_weight="balanced"`, '
        "`char_ngrams=None`. Thresholds are the trainer's own cross-validated per-label cuts (on train). Multiclass: "
        "argmax of `predict_scores`.",
        "- fastText (fasttext-numpy2 bindings): tutorial preprocessing (lower case, punctuation split off); "
        '`loss="ova"`, labels with probability ≥ 0.5 for multi-label (documents without a label are trained with a '
        "placeholder label that is never reported, since fastText skips unlabelled lines; a fit that stops with "
        'fastText\'s random "Encountered NaN" is retried), softmax + top-1 for '
        "multiclass; settings: defaults, the tutorial's epoch 25 / lr 0.5 / word bigrams, and fastText's own autotune "
        "on dev (F1, 40 s) in the full run.",
        "- TF-IDF + LogReg: scikit-learn `TfidfVectorizer(sublinear_tf, word 1–2-grams, min_df 2)` + "
        "`LogisticRegression` (one-vs-rest liblinear in its dual form — the same optimum, faster — with a 0.5 threshold "
        "for multi-label); settings C = 1 and C = 10.",
        "- Speed: `benchmarks/_speed_worker.py`, one fresh process per measurement, `time.perf_counter`, warm-up "
        "first, medians; peak memory from `resource.getrusage(RUSAGE_SELF).ru_maxrss`.",
        "- Data are read in place from `../shared/data/` and never copied into the repository; without them the "
        "suites are skipped with a message.",
        "",
    ]


def _scale_section(results: dict[str, Any]) -> list[str]:
    entry = results.get("suites", {}).get("scale")
    if not entry:
        return []
    lines = ["## Scale", ""]
    if entry.get("status") != "ok":
        return [*lines, f"Skipped: {entry.get('reason', '')}", ""]
    stream = entry["stream"]
    lines += [
        f"`tagger tag --input N.jsonl --output N.out.jsonl --jobs J` on generated {stream['words_per_article']}-word "
        "articles, one subprocess per size. Peak memory: the CLI's own high-water mark and the largest worker's.",
        "",
        *_table(
            ["articles", "input MB", "jobs", "seconds", "docs/s", "CLI peak MB", "worker peak MB"],
            [
                [
                    f"{r['articles']:,}",
                    f"{r['input_mb']:.0f}",
                    str(r["jobs"]),
                    f"{r['seconds']:.0f}",
                    f"{r['docs_per_s']:,.0f}",
                    f"{r['max_rss_mb_cli']:.0f}",
                    f"{r['max_rss_mb_worker']:.0f}",
                ]
                for r in stream["rows"]
            ],
        ),
        "",
        f"Input grew {stream['input_ratio_large_vs_small']:.0f}×; peak memory grew "
        f"{stream['memory_ratio_large_vs_small']:.2f}× (flat).",
        "",
    ]
    dask = entry.get("dask", {})
    if "articles" in dask:
        lines += [
            f"Dask LocalCluster (2 worker processes) vs one process on {dask['articles']:,} articles: "
            f"{dask['dask_2_workers_docs_per_s']:,.0f} vs {dask['single_process_docs_per_s']:,.0f} docs/s "
            f"({dask['speedup']:.2f}×); identical output: {dask['identical_output']}.",
            "",
        ]
    elif dask:
        lines += [f"Dask: skipped — {dask.get('reason', '')}", ""]
    st = entry.get("streaming_training", {})
    if "train" in st:
        lines += [
            f"Out-of-core training (`train_streaming`, 3 epochs) vs `train` on {st['task']} "
            f"({st['train_records']:,} train / {st['test_records']:,} test sentences), example-based F1 on test:",
            "",
            *_table(
                ["trainer", "example F1", "seconds", "peak memory growth MB"],
                [
                    [
                        name,
                        f"{st[name]['example_f1'] * 100:.2f}",
                        f"{st[name]['seconds']:.1f}",
                        f"{st[name]['max_rss_growth_mb']:.0f}",
                    ]
                    for name in ("train", "train_streaming")
                ],
            ),
            "",
            f"Cost of streaming: {st['f1_cost'] * 100:.1f} F1 points.",
            "",
        ]
    return lines


def write_report(results: dict[str, Any], out: Path) -> Path:
    """Write ``out/REPORT.md`` (and the plots it links) from ``results``; returns the report's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _said.clear()
    lines = _header(results)
    lines += _summary(results)
    lines += _default_model_section(results, out)
    lines += _conflibert_section(results, out)
    lines += _reuters_section(results, out)
    lines += _speed_section(results, out)
    lines += _scale_section(results)
    lines += _method_section()
    path = out / "REPORT.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
