"""Active learning on IndiaPoliceEvents sentences: learning curves (example F1 vs labelled records) for
``tagger.suggest`` (uncertainty near thresholds + diversity rule) against random sampling.

Both start from the same random seed set; each round trains tagger on what is labelled so far, scores the test split,
and adds ``step`` records from the rest of train: the ones ``suggest`` picks, or random ones. The labels of the added
records are the dataset's own (a simulated annotator).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..common import Budget, Progress, Skip
from ..datasets import conflibert_task
from ..metrics import example_f1
from ..peers import TaggerClassifier
from ..render import _pct, _plot, _plt, _table

__all__ = ["run"]

TASK = "IndiaPoliceEvents_sents"


def run(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    try:
        from tagger.suggest import suggest
    except ImportError:
        raise Skip("this tagger has no tagger.suggest") from None
    task = conflibert_task(TASK, budget)
    if budget.quick:
        start, step, rounds, seeds = 40, 40, 2, (0,)
    else:
        start, step, rounds, seeds = 200, 200, 6, (0,)  # one seed: the full run must fit the 2-core budget
    options = {"strategy": "ovr", "char_ngrams": None, "cv": 3, "seed": budget.seed, "n_jobs": 1}
    test_texts = [d.text for d in task.test]
    test_gold = [d.labels for d in task.test]
    curves: dict[str, dict[str, list[float]]] = {}
    bar = progress.bar(2 * len(seeds) * (rounds + 1), "active learning")
    started = time.perf_counter()
    for seed in seeds:
        rng = np.random.default_rng(seed)
        first = [int(i) for i in rng.permutation(len(task.train))[:start]]
        for how in ("uncertainty", "random"):
            labelled = list(first)
            scores = []
            for round_ in range(rounds + 1):
                docs = [task.train[i] for i in labelled]
                clf = TaggerClassifier(**options).fit([d.text for d in docs], [d.labels for d in docs])
                scores.append(example_f1(test_gold, clf.predict(test_texts)))
                bar.update(1)
                if round_ == rounds:
                    break
                taken = set(labelled)
                pool = [i for i in range(len(task.train)) if i not in taken]
                if how == "random":
                    labelled += [int(pool[j]) for j in rng.permutation(len(pool))[:step]]
                else:
                    texts = [task.train[i].text for i in pool]
                    picked = suggest(clf.model, texts, n=step)
                    index = {t: i for i, t in zip(pool, texts, strict=True)}
                    labelled += [index[p["text"]] for p in picked]
            curves.setdefault(how, {})[str(seed)] = scores
    bar.close()
    sizes = [start + step * r for r in range(rounds + 1)]
    median = {
        how: [float(np.median([c[str(s)][r] for s in seeds])) for r in range(rounds + 1)] for how, c in curves.items()
    }
    return {
        "task": TASK,
        "sizes": sizes,
        "seeds": list(seeds),
        "curves": curves,
        "median": median,
        "options": options,
        "pool": len(task.train),
        "test": len(task.test),
        "seconds_total": round(time.perf_counter() - started, 1),
    }


# --- report section (rendered by benchmarks.report) ------------------------------------------------------------


def _active_learning_section(results: dict[str, Any], out: Path) -> list[str]:
    entry = results.get("suites", {}).get("active_learning")
    if not entry:
        return []
    lines = ["## Active learning (`tagger suggest`)", ""]
    if entry.get("status") != "ok":
        return lines + [f"Skipped: {entry.get('reason', '')}", ""]
    sizes, median = entry["sizes"], entry["median"]
    lines += [
        f"{entry['task']}: from the same random {sizes[0]} training sentences, each round trains tagger "
        f"({', '.join(f'{k}={v}' for k, v in entry['options'].items())}) and adds {sizes[1] - sizes[0]} sentences from "
        f"the rest of train ({entry['pool']:,}): those `tagger.suggest` picks (uncertainty near the thresholds with the "
        "cosine diversity rule) or random ones. Example F1 ×100 on the test split "
        f"({entry['test']:,} sentences), median over seeds {entry['seeds']}.",
        "",
    ]
    rows = [[f"{n:,}", _pct(median["uncertainty"][i]), _pct(median["random"][i])] for i, n in enumerate(sizes)]
    lines += _table(["labelled", "uncertainty", "random"], rows)
    lines.append("")

    def draw() -> None:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(sizes, [100 * v for v in median["uncertainty"]], marker="o", label="uncertainty + diversity")
        ax.plot(sizes, [100 * v for v in median["random"]], marker="s", label="random")
        ax.set_xlabel("labelled training sentences")
        ax.set_ylabel("example F1 (test)")
        ax.set_title("IndiaPoliceEvents: learning curves")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "active_learning_curve.png", dpi=110)
        plt.close(fig)

    if _plot(lines, draw):
        lines += ["![learning curves](active_learning_curve.png)", ""]
    return lines


render = _active_learning_section
