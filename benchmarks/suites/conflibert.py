"""ConfliBERT's public classification tasks, scored with ConfliBERT's own metrics, next to its published results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common import CONFLIBERT_DIR, Budget, Progress, Skip
from ..datasets import CONFLIBERT_TASKS, conflibert_task
from ..protocol import run_task

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
