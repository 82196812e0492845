"""Speed, side by side: tagger (all three families), fastText and the TF-IDF + LogReg pipeline.

Every measurement runs in its own fresh interpreter (``benchmarks._speed_worker``) with one BLAS/OpenMP thread, so
figures are per core and a cold import is really cold. Each reports the median of repeated runs after a warm-up.

- throughput on synthetic 350-word articles (real headlines + sentences sampled across the team corpus), in batch
  and one at a time; p50/p99 latency of one article;
- cold ``import`` + model load; model size on disk; peak memory (max RSS) while tagging;
- training time at growing corpus sizes (IndiaPoliceEvents sentences), and the default model's own training;
- ``tag_stream(jobs=2)`` against ``jobs=1``.

The peers are trained on the same team-corpus articles as the tagger model, with one flat label per family and
label ("event_type:airstrike"), so they produce the same kind of output.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..common import (
    CONFLIBERT_DIR,
    CORPUS_DIR,
    DEFAULT_MODEL,
    LABELS_YAML,
    ROOT,
    Budget,
    Progress,
    Skip,
    stopwatch,
    usable_cores,
)
from ..datasets import corpus_texts, synthetic_articles
from ..peers import SYSTEMS, FastTextClassifier, SklearnClassifier
from ..protocol import tagger_quick_options

__all__ = ["run", "TARGETS"]

# Targets from the speed issue (15); reported against, never asserted in tests. 5,000 docs/s is the goal after it.
TARGETS = {
    "batch_docs_per_s": 2500.0,  # ≥, per core, all three families
    "p50_latency_ms": 1.0,  # ≤
    "p99_latency_ms": 3.0,  # ≤
    "import_load_seconds": 0.3,  # ≤
    "model_mb": 10.0,  # ≤
    "default_training_seconds": 60.0,  # ≤, on 2 cores
}
NAMES = {**SYSTEMS, "fasttext_raw": "fastText raw predict"}
PEER_SETTINGS = {"fasttext": {"epoch": 25, "lr": 0.5, "wordNgrams": 2}, "tfidf_lr": {"C": 10.0}}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _worker(spec: dict[str, Any], *, timeout: float = 1800) -> dict[str, Any]:
    env = {**os.environ, **ONE_THREAD, "PYTHONHASHSEED": "0"}
    spec = {**spec, "root": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._speed_worker", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"speed worker {spec['mode']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo))


def _size_on_disk(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- the models compared ------------------------------------------------------------------------------------------


def _corpus_records() -> list[dict[str, Any]]:
    records = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    if not records:
        raise Skip(f"no articles in {CORPUS_DIR}")
    return records


def _tagger_model(budget: Budget, workdir: Path, records: list[dict[str, Any]]) -> tuple[Path, str, Any]:
    """The default model if built; otherwise a clearly labelled stand-in trained here on the team corpus."""
    from tagger import Tagger, load_taxonomy
    from tagger.errors import TaggerError
    from tagger.training import train

    why = f"no default model in {DEFAULT_MODEL.relative_to(ROOT)} yet"
    if (DEFAULT_MODEL / "manifest.json").is_file():
        try:
            model = Tagger.load(DEFAULT_MODEL)
            return DEFAULT_MODEL, f"default model ({DEFAULT_MODEL.relative_to(ROOT)})", model.taxonomy
        except TaggerError as error:
            why = f"{DEFAULT_MODEL.relative_to(ROOT)} cannot be loaded by this tagger ({error})"
    rng = random.Random(budget.seed)
    sample = rng.sample(records, min(len(records), 150)) if budget.quick else records
    cv = 2 if budget.quick else 3
    if LABELS_YAML.is_file():
        taxonomy = load_taxonomy()
        strategy: Any = {"region": "candidate", "actor": "ovr", "event_type": "ovr"}
        what = "shipped labels.yaml"
    else:
        from tagger.taxonomy import Taxonomy

        families: dict[str, set[str]] = {}
        for r in records:
            for fam, ids in r["labels"].items():
                families.setdefault(fam, set()).update(ids)
        taxonomy = Taxonomy.from_dict(
            {
                "version": 1,
                "families": {
                    fam: {"labels": [{"id": i, "name": f"label {i}"} for i in sorted(ids)]}
                    for fam, ids in families.items()
                },
            }
        )
        strategy = "ovr"
        what = "a flat taxonomy of the corpus's label ids (labels.yaml not built yet: no aliases, no gazetteer)"
    model = train(
        [{"text": r["text"], "labels": r["labels"]} for r in sample],
        taxonomy,
        seed=budget.seed,
        cv=cv,
        strategy=strategy,
        **tagger_quick_options(budget),
    )
    path = model.save(workdir / "standin-model")
    note = (
        f"STAND-IN model: {why}; trained here on {len(sample)} "
        f"team-corpus articles with {what}, cv={cv}. Rerun when the default model exists."
    )
    return path, note, taxonomy


def _flat_labels(record: dict[str, Any], taxonomy: Any) -> frozenset[str]:
    out = set()
    for fam, ids in record["labels"].items():
        family = taxonomy.families.get(fam)
        ids = [i for i in ids if family is not None and i in family]
        closed = family.with_ancestors(ids) if family is not None else ids
        out.update(f"{fam}:{i}" for i in closed)
    return frozenset(out)


def _training_data(budget: Budget, workdir: Path) -> tuple[Path, str]:
    """Up to the largest size of labelled short documents for the training-time curve, as JSON lines."""
    n = max(budget.train_sizes)
    path = CONFLIBERT_DIR / "IndiaPoliceEvents_sents.csv"
    rows: list[dict[str, Any]] = []
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["text"].strip():
                    rows.append(
                        {
                            "text": row["text"],
                            "labels": [c for c in ("lab1", "lab2", "lab3", "lab4", "lab5") if row[c] == "1"],
                        }
                    )
        what = "IndiaPoliceEvents sentences (all splits; ~20 words each)"
    else:
        rows = [{"text": r["text"], "labels": r["labels"].get("event_type", [])} for r in _corpus_records()]
        what = "team-corpus articles with their event types, repeated (ConfliBERT data absent)"
    rng = random.Random(budget.seed)
    rng.shuffle(rows)
    if len(rows) < n:
        rows = [rows[i % len(rows)] for i in range(n)]
        what += f", repeated to {n}"
    out = workdir / "train-data.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for row in rows[:n]:
            handle.write(json.dumps(row) + "\n")
    return out, what


# --- the suite ----------------------------------------------------------------------------------------------------


def run(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    workdir = Path(workdir) / "speed"
    workdir.mkdir(parents=True, exist_ok=True)
    records = _corpus_records()
    notes: list[str] = []
    steps = 2 * 4 + 3 + 1 + 1
    bar = progress.bar(steps, "speed")
    timings: dict[str, float] = {}
    clock = {"name": "", "start": time.perf_counter()}

    def step(name: str) -> None:
        """Show the step on the bar and keep how long the previous one took (results.json: step_seconds)."""
        now = time.perf_counter()
        if clock["name"]:
            timings[clock["name"]] = round(timings.get(clock["name"], 0.0) + now - clock["start"], 2)
        clock.update(name=name, start=now)
        bar.set_postfix_str(name)

    step("models")
    tagger_path, model_note, taxonomy = _tagger_model(budget, workdir, records)
    notes.append(model_note)
    peer_records = random.Random(budget.seed).sample(records, min(len(records), 150)) if budget.quick else records
    texts = [r["text"] for r in peer_records]
    flat = [_flat_labels(r, taxonomy) for r in peer_records]
    notes.append(
        f"fastText and TF-IDF + LogReg trained on {len(peer_records)} team-corpus articles "
        f"({len(set().union(*flat))} flat labels)."
    )
    paths: dict[str, Path] = {"tagger": tagger_path}
    systems_available = ["tagger"]
    for key, make in (("fasttext", FastTextClassifier), ("tfidf_lr", SklearnClassifier)):
        try:
            clf = make(**PEER_SETTINGS[key]).fit(texts, flat)
            paths[key] = clf.save(workdir)
            systems_available.append(key)

        except Skip as skip:
            notes.append(f"{SYSTEMS[key]} skipped: {skip}")
    if "fasttext" in paths:  # fastText's raw speed: the same model, texts cleaned before the clock, predict only
        paths["fasttext_raw"] = paths["fasttext"]
        systems_available.append("fasttext_raw")
    articles = synthetic_articles(
        max(budget.speed_docs, budget.speed_single_docs, budget.stream_docs), 350, budget.seed, corpus_texts()
    )
    articles_path = workdir / "articles.jsonl"
    with articles_path.open("w", encoding="utf-8") as handle:
        for text in articles:
            handle.write(json.dumps({"text": text}) + "\n")

    out: dict[str, Any] = {
        "notes": notes,
        "systems": {},
        "targets": TARGETS,
        "model": model_note,
        "workload": {
            "articles_words": 350,
            "batch_docs": budget.speed_docs,
            "single_docs": budget.speed_single_docs,
            "repeats": budget.repeats,
            "load_repeats": budget.load_repeats,
        },
    }
    out["python_baseline_rss_mb"] = _worker({"mode": "load", "system": "none", "path": ""})["maxrss_mb"]

    for key in systems_available:
        name = NAMES[key]
        step(f"{name}: load")
        loads = [_worker({"mode": "load", "system": key, "path": str(paths[key])}) for _ in range(budget.load_repeats)]
        bar.update(1)
        step(f"{name}: tag")
        tag = _worker(
            {
                "mode": "tag",
                "system": key,
                "path": str(paths[key]),
                "articles": str(articles_path),
                "batch_docs": budget.speed_docs,
                "single_docs": budget.speed_single_docs,
                "repeats": budget.repeats,
            }
        )
        bar.update(1)
        out["systems"][key] = {
            "system": name,
            "model_bytes": _size_on_disk(paths[key]),
            "import_load_seconds": _median([r["seconds"] for r in loads]),
            "import_load_runs": [r["seconds"] for r in loads],
            "rss_after_load_mb": _median([r["maxrss_mb"] for r in loads]),
            "batch_docs_per_s": _median(tag["batch_docs_per_s"]),
            "batch_runs": tag["batch_docs_per_s"],
            "single_docs_per_s": _median(tag["single_docs_per_s"]),
            "p50_latency_ms": _percentile(tag["latencies_ms"], 0.50),
            "p99_latency_ms": _percentile(tag["latencies_ms"], 0.99),
            "words_per_doc": tag["words_per_doc"],
            "peak_rss_tagging_mb": tag["maxrss_mb"],
        }
        out["systems"][key]["batch_words_per_s"] = out["systems"][key]["batch_docs_per_s"] * tag["words_per_doc"]
        out["systems"][key]["single_words_per_s"] = out["systems"][key]["single_docs_per_s"] * tag["words_per_doc"]

    data_path, what = _training_data(budget, workdir)
    out["training"] = {
        "data": what,
        "sizes": list(budget.train_sizes),
        "repeats": list(budget.train_repeats),
        "systems": {},
    }
    for key in (k for k in systems_available if k in SYSTEMS):
        step(f"{SYSTEMS[key]}: training")
        options = {"seed": budget.seed, **tagger_quick_options(budget)} if key == "tagger" else dict(PEER_SETTINGS[key])
        spec = {
            "mode": "train",
            "system": key,
            "data": str(data_path),
            "sizes": list(budget.train_sizes),
            "repeats": list(budget.train_repeats),
            "options": options,
        }
        if key == "fasttext":
            spec["threads"] = usable_cores()  # like tagger's trainer (one process per core); the pipeline uses one
        result = _worker(spec)
        out["training"]["systems"][key] = {
            "system": SYSTEMS[key],
            "options": options,
            "threads": spec.get("threads", 1) if key != "tagger" else "trainer default (n_jobs: all cores)",
            "seconds": {size: _median(times) for size, times in result["seconds"].items()},
            "runs": result["seconds"],
            "peak_rss_mb": result["maxrss_mb"],
        }
        bar.update(1)

    step("tag_stream jobs")
    with stopwatch():
        stream = _worker(
            {
                "mode": "stream",
                "path": str(tagger_path),
                "articles": str(articles_path),
                "jobs": [1, 2],
                "repeats": 1 if budget.quick else 3,
            }
        )
    s1, s2 = _median(stream["seconds"]["1"]), _median(stream["seconds"]["2"])
    out["stream"] = {
        "documents": stream["documents"],
        "seconds": {"1": s1, "2": s2},
        "speedup": s1 / s2,
        "runs": stream["seconds"],
    }
    bar.update(1)

    if budget.default_training:
        step("default model training")
        if not LABELS_YAML.is_file():
            out["default_training"] = {"skipped": f"{LABELS_YAML.relative_to(ROOT)} not built yet"}
        else:
            try:
                out["default_training"] = _worker({"mode": "train_default"})
            except RuntimeError as error:
                out["default_training"] = {"skipped": str(error)[-500:]}
        bar.update(1)
    else:
        out["default_training"] = {"skipped": "not in this run's budget (quick mode, or default_training off)"}

    step("")
    out["step_seconds"] = timings
    out["ratios"] = _ratios(out)
    bar.close()
    return out


def _ratios(out: dict[str, Any]) -> dict[str, Any]:
    """tagger's figure divided by each peer's (for speeds, > 1 means tagger is faster; for sizes/times, smaller)."""
    ours = out["systems"].get("tagger")
    ratios: dict[str, Any] = {}
    if not ours:
        return ratios
    fields = (
        "batch_docs_per_s",
        "single_docs_per_s",
        "p50_latency_ms",
        "p99_latency_ms",
        "import_load_seconds",
        "model_bytes",
        "peak_rss_tagging_mb",
    )
    for key, peer in out["systems"].items():
        if key == "tagger":
            continue
        ratios[key] = {f: (ours[f] / peer[f] if peer.get(f) else None) for f in fields}
        train_ours = out["training"]["systems"].get("tagger", {}).get("seconds", {})
        train_peer = out["training"]["systems"].get(key, {}).get("seconds", {})
        ratios[key]["training_seconds"] = {
            size: (train_ours[size] / train_peer[size] if train_peer.get(size) else None) for size in train_ours
        }
    return ratios
