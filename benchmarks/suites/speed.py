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
from ..render import (
    COLORS,
    _plot,
    _plt,
    _ratio,
    _table,
)

__all__ = ["run", "TARGETS"]

# Targets from the speed issue (15); reported against, never asserted in tests. 5,000 docs/s is the goal after it.
TARGETS = {
    "batch_docs_per_s": 2500.0,  # ≥, per core, all three families
    "p50_latency_ms": 1.0,  # ≤
    "p99_latency_ms": 3.0,  # ≤
    "import_load_seconds": 0.3,  # ≤
    "model_mb": 10.0,  # ≤
    "default_training_seconds": 60.0,  # ≤, on 2 cores
    "vs_tfidf_lr": 2.0,  # batch throughput ≥ this × the scikit-learn pipeline's, side by side
    "vs_fasttext_raw": 0.5,  # ≥ this × fastText's raw predict
    "jobs2_speedup": 1.8,  # `tagger tag --jobs 2` ÷ `--jobs 1` on 20k articles
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
    steps = 2 * 4 + 3 + 1 + 1 + 1
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
    out["stream"] = _jobs_speedup(stream, stream["documents"])
    stream_path = workdir / "stream.jsonl"  # the first stream_docs articles, as a user's JSONL input
    with articles_path.open(encoding="utf-8") as source, stream_path.open("w", encoding="utf-8") as target:
        for _, line in zip(range(budget.stream_docs), source, strict=False):
            target.write(line)
    cli = _worker(
        {
            "mode": "cli_jobs",
            "path": str(tagger_path),
            "articles": str(stream_path),
            "jobs": [1, 2],
            "repeats": 1 if budget.quick else 3,
        }
    )
    out["cli_jobs"] = {**_jobs_speedup(cli, budget.stream_docs), "identical": cli["identical"]}
    bar.update(1)

    step("profile")
    out["profile"] = _worker(
        {
            "mode": "profile",
            "path": str(tagger_path),
            "articles": str(articles_path),
            "docs": budget.speed_docs,
            "batch_size": 256,
            "repeats": 1 if budget.quick else 3,
        }
    )

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


def _jobs_speedup(result: dict[str, Any], documents: int) -> dict[str, Any]:
    """Median seconds with 1 and 2 jobs from a worker's runs, and the speed-up of 2 over 1."""
    one, two = _median(result["seconds"]["1"]), _median(result["seconds"]["2"])
    return {"documents": documents, "seconds": {"1": one, "2": two}, "speedup": one / two, "runs": result["seconds"]}


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


# --- report section (rendered by benchmarks.report) ------------------------------------------------------------


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
        f"`tag_stream` over {st['documents']:,} articles in memory: jobs=1 {st['seconds']['1']:.2f} s, jobs=2 "
        f"{st['seconds']['2']:.2f} s — speed-up {st['speedup']:.2f}× (includes starting the worker processes, "
        "each loading the model).",
        "",
    ]
    if "cli_jobs" in speed:
        cj = speed["cli_jobs"]
        lines += [
            f"`tagger tag --input {cj['documents']:,}.jsonl --output out.jsonl --jobs J` (a fresh process each, "
            f"reading and writing JSONL; median of {len(cj['runs']['1'])}): --jobs 1 {cj['seconds']['1']:.2f} s, "
            f"--jobs 2 {cj['seconds']['2']:.2f} s — speed-up {cj['speedup']:.2f}× (target ≥ 1.8×); identical "
            f"output: {cj['identical']}. On 2 cores the reading, parsing and writing of the records stays in the "
            "main process, beside the two workers.",
            "",
        ]
    lines += _profile_section(speed)
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


def _profile_section(speed: dict[str, Any]) -> list[str]:
    """The stage profile of this run beside the pure-Python baseline (benchmarks/baselines/profile_cdcb320.json)."""
    if "profile" not in speed:
        return []
    from ..profile import markdown

    baseline = json.loads((Path(__file__).resolve().parents[1] / "baselines" / "profile_cdcb320.json").read_text())
    return [
        "### Where the time goes: `tag_many` by stage (issue 15)",
        "",
        "CPU time per article (process time), batch 256, the 350-word articles above, the model measured above "
        f"(`python -m benchmarks.profile`). *before* = commit {baseline['commit']} (pure Python and numpy, before "
        f"the compiled kernel), measured {baseline['measured']} on this kind of machine and kept in "
        "`benchmarks/baselines/` (that code cannot read the current model format); *now* = this run. Tags are unchanged by the kernel: `tests/integration/test_fast_path.py` compares the "
        "compiled path with the pure-Python reference on the default model.",
        "",
        *markdown(speed["profile"]["ms_per_article"], baseline["ms_per_article"]),
        "",
        *_why_short(speed),
        *_char_ngram_table(),
    ]


def _char_ngram_table() -> list[str]:
    """Accuracy out of distribution of the default model per character n-gram range (issue 15: char n-grams at
    their worth), from the builds kept in benchmarks/baselines/char_ngrams_ood.json."""
    path = Path(__file__).resolve().parents[1] / "baselines" / "char_ngrams_ood.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["rows"]
    sets = list(next(iter(rows.values()))["micro_f1"])
    lines = [
        "### Character n-grams at their worth",
        "",
        data["about"] + " Event type (and actor) per set:",
        "",
        "| character n-grams | " + " | ".join(sets) + " | build s |",
        "| :--- |" + " ---: |" * (len(sets) + 1),
    ]
    for name, row in rows.items():
        cells = [f"{row['micro_f1'][s]['actor']:.3f} / {row['micro_f1'][s]['event_type']:.3f}" for s in sets]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {row['build_seconds']:.0f} |")
    return lines + [
        "",
        "Regions are the same with any setting (their scorer reads no n-grams). Without character n-grams event "
        "types lose up to 1.7 points (on five of the six sets); one length (4) is within noise of 3–5 (−0.8 on the eval-only notes, "
        "+0.5 to +0.6 on held-out articles and team articles) at a third of the character hashing, so the default "
        "model uses 4-grams (`OPTIONS` in `scripts/build_default_model.py`).",
        "",
    ]


def _why_short(speed: dict[str, Any]) -> list[str]:
    """Why the throughput ratios to the peers stay short of their targets, from this run's profile."""
    now = speed["profile"]["ms_per_article"]
    total = sum(now.values()) or 1.0
    tokens = now.get("tokenise + match (3 families)", 0.0) / total
    ngrams = now.get("delexicalise + n-gram hashing + TF-IDF", 0.0) / total
    return [
        "Where the ratios to the peers fall short, and why: the scikit-learn pipeline tags with one TF-IDF transform "
        "and one sparse product in C over word n-grams; fastText's raw `predict` hashes words in C++ and does no "
        "matching. tagger also matches three families' names and places over every token, hashes character 4-grams, "
        "builds candidate rows and decides through the label tree. In this profile tokenising and matching take "
        f"{tokens:.0%} of the time and n-gram hashing {ngrams:.0%}: both still make a Python string per token and a "
        "tuple per match (the lists the matcher and the mention features read). The next step toward 2× the "
        "pipeline is tokens kept as offsets into the text inside the kernel, not Python objects.",
        "",
    ]


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
        *[
            [
                f"batch throughput ÷ {speed['systems'][peer]['system']} (same run)",
                f"{t['batch_docs_per_s'] / speed['systems'][peer]['batch_docs_per_s']:.2f}×",
                f"≥ {targets[target]}×",
                mark(t["batch_docs_per_s"] / speed["systems"][peer]["batch_docs_per_s"] >= targets[target]),
            ]
            for peer, target in (("tfidf_lr", "vs_tfidf_lr"), ("fasttext_raw", "vs_fasttext_raw"))
            if peer in speed["systems"] and target in targets
        ],
        [
            "p50 latency, one article",
            f"{t['p50_latency_ms']:.2f} ms",
            f"≤ {targets['p50_latency_ms']} ms",
            mark(t["p50_latency_ms"] <= targets["p50_latency_ms"]),
        ],
        [
            "p99 latency, one article",
            f"{t['p99_latency_ms']:.2f} ms",
            f"≤ {targets.get('p99_latency_ms', 3.0)} ms",
            mark(t["p99_latency_ms"] <= targets.get("p99_latency_ms", 3.0)),
        ],
        *[
            [
                f"`tagger tag --jobs 2` ÷ `--jobs 1`, {speed['cli_jobs']['documents']:,} articles",
                f"{speed['cli_jobs']['speedup']:.2f}×",
                f"≥ {targets['jobs2_speedup']}×",
                mark(speed["cli_jobs"]["speedup"] >= targets["jobs2_speedup"]),
            ]
            for _ in [0]
            if "cli_jobs" in speed and "jobs2_speedup" in targets
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


render = _speed_section
