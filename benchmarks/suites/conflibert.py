"""ConfliBERT's public classification tasks, scored with ConfliBERT's own metrics, next to its published results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common import CONFLIBERT_DIR, Budget, Progress, Skip
from ..datasets import CONFLIBERT_TASKS, conflibert_task
from ..protocol import run_task
from ..render import (
    _pct,
    _score,
    _table,
    _task_detail,
)

__all__ = ["run"]


def run(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    if not CONFLIBERT_DIR.is_dir():
        raise Skip(f"{CONFLIBERT_DIR} not found: ConfliBERT's task data is only staged on the team's machines")
    tasks: dict[str, Any] = {}
    for name in CONFLIBERT_TASKS:
        try:
            task = conflibert_task(name, budget)
        except Skip as skip:
            tasks[name] = {"task": name, "skipped": str(skip)}
            progress.note(f"  {name} skipped: {skip}")
            continue
        result = run_task(task, budget, progress)
        published = task.published
        if published:
            ours = result["systems"]["tagger"].get("score")
            if ours is not None:
                # published scores are ×100; the ratio is ours ÷ theirs
                result["ratio_to_published"] = round(100 * ours / published["ConfliBERT"], 4)
                result["ratio_to_bert"] = round(100 * ours / published["BERT"], 4)
        tasks[name] = result
        tagger = result["systems"].get("tagger", {})
        if "score" in tagger:
            progress.note(
                f"  {task.title}: tagger {100 * tagger['score']:.2f}"
                + (f" vs ConfliBERT {published['ConfliBERT']:.2f}" if published else "")
            )
    return {"tasks": tasks}


# --- report section (rendered by benchmarks.report) ------------------------------------------------------------


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


render = _conflibert_section
