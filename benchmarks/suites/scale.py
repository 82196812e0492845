"""Scale: tagging a generated JSONL stream of up to 1,000,000 articles, memory as the input grows, Dask, and
out-of-core training.

- ``tagger tag --input big.jsonl --output big.out.jsonl --jobs N`` as a subprocess, on 100k and 1M articles (quick:
  1k and 5k): wall time, docs/s, and the peak resident memory of any one process (``ru_maxrss`` of the children:
  the CLI and its workers). Flat memory means the 1M figure is no larger than the 100k one.
- The Dask engine on a LocalCluster of 2 workers against one process (``tag_stream(jobs=1)``) on the same input.
- ``train_streaming`` (two passes, SGD) against ``train`` on ConfliBERT's IndiaPoliceEvents sentences: example-based
  F1 on the test split, training seconds and peak memory.

The generated articles are 120 words (a headline and sampled corpus sentences): a 1M-article file of 350-word
articles would take over an hour to tag here, and the point of this suite is how memory and time grow, not
per-article speed (the speed suite measures that on 350-word articles).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..common import CONFLIBERT_DIR, DEFAULT_MODEL, ROOT, Budget, Progress, Skip, usable_cores
from ..datasets import conflibert_task, synthetic_articles
from ..metrics import example_f1
from ..render import (
    _table,
)

__all__ = ["run"]

WORDS = 120


def _write_stream(path: Path, n: int, pool: list[str]) -> int:
    """Write ``n`` JSONL records cycling through ``pool`` (varied ids so nothing is cached); returns bytes."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": f"a{i}", "text": pool[i % len(pool)]}) + "\n")
    return path.stat().st_size


def _tag_subprocess(inp: Path, out: Path, jobs: int) -> dict[str, Any]:
    """Run the CLI in a fresh process; time it and read the largest resident set of it and its workers.

    The CLI's own peak is its ``VmHWM`` (Linux carries ``ru_maxrss`` across exec from the parent); the workers' is
    ``ru_maxrss`` of the children, a high-water mark of the largest one."""
    code = (
        "import resource, sys, time\n"
        "from tagger.cli import main\n"
        "t = time.perf_counter()\n"
        f"rc = main(['tag', '--model', {str(DEFAULT_MODEL)!r}, '--input', {str(inp)!r}, '--output', {str(out)!r},"
        f" '--jobs', '{jobs}', '--no-progress', '--batch-size', '512'])\n"
        "dt = time.perf_counter() - t\n"
        "me = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(rc, dt, me, kids)\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    rc, seconds, me, kids = done.stdout.split()[-4:]
    if rc != "0":
        raise RuntimeError(f"tagger tag failed: {done.stderr[-500:]}")
    return {"seconds": float(seconds), "max_rss_mb_cli": int(me) / 1024, "max_rss_mb_worker": int(kids) / 1024}


def _stream_suite(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    sizes = (1_000, 5_000) if budget.quick else (100_000, 1_000_000)
    jobs = usable_cores()
    pool = synthetic_articles(2000, words=WORDS, seed=budget.seed)
    rows = []
    bar = progress.bar(len(sizes), "scale: streams")
    for n in sizes:
        inp, out = workdir / f"stream-{n}.jsonl", workdir / f"stream-{n}.out.jsonl"
        size = _write_stream(inp, n, pool)
        measured = _tag_subprocess(inp, out, jobs)
        lines = sum(1 for _ in out.open(encoding="utf-8"))
        if lines != n:
            raise RuntimeError(f"expected {n} output lines, got {lines}")
        rows.append(
            {"articles": n, "input_mb": size / 1e6, "jobs": jobs, "docs_per_s": n / measured["seconds"], **measured}
        )
        inp.unlink()
        out.unlink()
        bar.update(1)
    bar.close()
    small, large = rows[0], rows[-1]
    peak = lambda row: max(row["max_rss_mb_cli"], row["max_rss_mb_worker"])  # noqa: E731
    return {
        "words_per_article": WORDS,
        "rows": rows,
        "memory_ratio_large_vs_small": peak(large) / peak(small),
        "input_ratio_large_vs_small": large["articles"] / small["articles"],
    }


def _dask_suite(budget: Budget, progress: Progress) -> dict[str, Any]:
    try:
        import dask.bag as db
        from dask.distributed import Client, LocalCluster  # noqa: F401
    except ImportError:
        return {"status": "skipped", "reason": "dask[distributed] is not installed: pip install '.[dask]'"}
    from tagger.batch.dask_engine import local_client, tag_bag
    from tagger.batch.stream import tag_stream
    from tagger.readers import Record

    n = 500 if budget.quick else 20_000
    texts = synthetic_articles(n, words=WORDS, seed=budget.seed + 1)
    records = [Record(text=t, id=str(i)) for i, t in enumerate(texts)]
    start = time.perf_counter()
    single = list(tag_stream(records, model=DEFAULT_MODEL, jobs=1, batch_size=512))
    single_s = time.perf_counter() - start
    client = local_client(2)
    try:
        bag = db.from_sequence([{"id": r.id, "text": r.text} for r in records], npartitions=8)
        tagged = tag_bag(bag, model=DEFAULT_MODEL, batch_size=512)
        tagged.take(1, npartitions=1)  # warm-up: workers load the model once
        start = time.perf_counter()
        distributed = tagged.compute()
        dask_s = time.perf_counter() - start
    finally:
        client.close()
    if distributed != single:
        raise RuntimeError("the Dask engine's output differs from the single-process output")
    return {
        "articles": n,
        "single_process_docs_per_s": n / single_s,
        "dask_2_workers_docs_per_s": n / dask_s,
        "speedup": single_s / dask_s,
        "identical_output": True,
    }


def _streaming_training(budget: Budget, progress: Progress) -> dict[str, Any]:
    if not (CONFLIBERT_DIR / "IndiaPoliceEvents_sents.csv").is_file():
        return {"status": "skipped", "reason": f"{CONFLIBERT_DIR} is absent"}
    from tagger import train
    from tagger.taxonomy import Taxonomy
    from tagger.train_stream import train_streaming

    task = conflibert_task("IndiaPoliceEvents_sents", budget)
    family = "labels"
    from tagger.readers import Record

    ids = {c: f"c-{c.lower()}" for c in task.labels}
    taxonomy = Taxonomy.from_dict(
        {"families": {family: {"labels": [{"id": ids[c], "name": f"class {c}"} for c in task.labels]}}}
    )
    as_records = [Record(text=d.text, labels={family: tuple(ids[c] for c in d.labels)}) for d in task.train]
    back = {v: k for k, v in ids.items()}
    results: dict[str, Any] = {
        "task": "IndiaPoliceEvents_sents",
        "train_records": len(as_records),
        "test_records": len(task.test),
    }
    for name, fit in (
        ("train", lambda: train(as_records, taxonomy, seed=budget.seed)),
        ("train_streaming", lambda: train_streaming(lambda: iter(as_records), taxonomy, seed=budget.seed, epochs=3)),
    ):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        model = fit()
        seconds = time.perf_counter() - start
        predicted = [
            [back[label_id] for label_id in result.ids(family)]
            for result in model.tag_many([d.text for d in task.test], batch_size=512)
        ]
        truth = [list(d.labels) for d in task.test]
        results[name] = {
            "example_f1": example_f1(truth, predicted),
            "seconds": seconds,
            "max_rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
        }
    results["f1_cost"] = results["train"]["example_f1"] - results["train_streaming"]["example_f1"]
    return results


def run(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    if not (DEFAULT_MODEL / "manifest.json").is_file():
        raise Skip(f"no default model at {DEFAULT_MODEL}: build it with python scripts/build_default_model.py")
    workdir.mkdir(parents=True, exist_ok=True)
    return {
        "stream": _stream_suite(budget, progress, workdir),
        "dask": _dask_suite(budget, progress),
        "streaming_training": _streaming_training(budget, progress),
    }


# --- report section (rendered by benchmarks.report) ------------------------------------------------------------


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


render = _scale_section
