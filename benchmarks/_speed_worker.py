"""One speed measurement in a fresh interpreter: ``python -m benchmarks._speed_worker '<json spec>'``.

Prints one JSON object on the last line of stdout. Nothing heavy is imported before the clock starts, so ``load``
times a cold ``import`` plus model load. Peak memory is this process's ``ru_maxrss``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any


def _maxrss_mb() -> float:
    """Peak resident memory of this process, in MB.

    Linux keeps ``ru_maxrss`` across fork + exec, so a worker started by a large parent would report the parent's
    size; the ``VmHWM`` line of /proc/self/status belongs to this program's own address space. Elsewhere,
    ``getrusage(RUSAGE_SELF).ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)  # macOS reports bytes, Linux kilobytes


def _load(system: str, path: str) -> Any:
    """Import the system's package and load its model (the clock runs around this)."""
    if system == "tagger":
        import tagger

        return tagger.Tagger.load(path)
    if system in ("fasttext", "fasttext_raw"):
        import fasttext

        return fasttext.load_model(path)
    if system == "tfidf_lr":
        import joblib

        return joblib.load(path)  # our own file, written by this benchmark run
    if system == "none":
        return None
    raise ValueError(system)


def _tag_functions(system: str, model: Any) -> tuple[Any, Any]:
    """(tag a batch, tag one text) for a loaded model, each returning what a user would consume."""
    if system == "tagger":
        return (lambda texts: list(model.tag_many(texts, batch_size=256))), model.tag
    from benchmarks.peers import predict_fasttext, predict_sklearn

    if system == "fasttext_raw":  # fastText's own speed: texts cleaned before the clock, predict only

        def raw(texts: list[str]) -> Any:
            return model.predict(texts, k=-1, threshold=0.5)

        return raw, (lambda text: model.predict(text, k=-1, threshold=0.5))
    if system == "fasttext":
        return (lambda texts: predict_fasttext(model, texts, False)), (
            lambda text: predict_fasttext(model, [text], False)
        )
    pipeline, classes = model["pipeline"], model["classes"]
    return (
        (lambda texts: predict_sklearn(pipeline, classes, texts, False)),
        (lambda text: predict_sklearn(pipeline, classes, [text], False)),
    )


def _read_lines(path: str) -> list[Any]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def measure_load(spec: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    _load(spec["system"], spec["path"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "maxrss_mb": _maxrss_mb()}


def measure_tag(spec: dict[str, Any]) -> dict[str, Any]:
    articles = [a["text"] for a in _read_lines(spec["articles"])]
    if spec["system"] == "fasttext_raw":
        from benchmarks.peers import fasttext_clean

        articles = [fasttext_clean(text) for text in articles]
    batch = articles[: spec["batch_docs"]]
    single = articles[: spec["single_docs"]]
    model = _load(spec["system"], spec["path"])
    tag_batch, tag_one = _tag_functions(spec["system"], model)
    tag_batch(batch[: min(len(batch), 64)])  # warm-up: first-call caches, lazy imports
    for text in single[:10]:
        tag_one(text)
    batch_rates, single_rates, latencies = [], [], []
    for _ in range(spec["repeats"]):
        start = time.perf_counter()
        tag_batch(batch)
        batch_rates.append(len(batch) / (time.perf_counter() - start))
        times = []
        for text in single:
            t0 = time.perf_counter()
            tag_one(text)
            times.append(time.perf_counter() - t0)
        single_rates.append(len(single) / sum(times))
        latencies.extend(1000 * t for t in times)
    words = sum(len(t.split()) for t in batch) / len(batch)
    return {
        "batch_docs_per_s": batch_rates,
        "single_docs_per_s": single_rates,
        "latencies_ms": latencies,
        "words_per_doc": words,
        "maxrss_mb": _maxrss_mb(),
    }


def measure_train(spec: dict[str, Any]) -> dict[str, Any]:
    data = _read_lines(spec["data"])
    system = spec["system"]
    from benchmarks.peers import FastTextClassifier, SklearnClassifier, TaggerClassifier

    def make() -> Any:
        if system == "tagger":
            return TaggerClassifier(**spec.get("options", {}))
        if system == "fasttext":
            return FastTextClassifier(threads=spec.get("threads", 1), **spec.get("options", {}))
        return SklearnClassifier(**spec.get("options", {}))

    warm = data[: min(len(data), 100)]  # warm-up fit: imports and first-call costs stay out of the timings
    make().fit([d["text"] for d in warm], [frozenset(d["labels"]) for d in warm])
    out: dict[str, list[float]] = {}
    for size, repeats in zip(spec["sizes"], spec["repeats"], strict=True):
        rows = data[:size]
        texts, labels = [d["text"] for d in rows], [frozenset(d["labels"]) for d in rows]
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            make().fit(texts, labels)
            times.append(time.perf_counter() - start)
        out[str(size)] = times
    return {"seconds": out, "maxrss_mb": _maxrss_mb()}


def measure_stream(spec: dict[str, Any]) -> dict[str, Any]:
    from tagger.batch.stream import tag_stream
    from tagger.readers import Record

    records = [Record(text=a["text"], id=str(i)) for i, a in enumerate(_read_lines(spec["articles"]))]
    list(tag_stream(records[:64], model=spec["path"], jobs=1))  # warm-up
    out: dict[str, list[float]] = {}
    for jobs in spec["jobs"]:
        times = []
        for _ in range(spec["repeats"]):
            start = time.perf_counter()
            n = sum(
                1 for _ in tag_stream(records, model=spec["path"], jobs=jobs, batch_size=spec.get("batch_size", 256))
            )
            times.append(time.perf_counter() - start)
            assert n == len(records)
        out[str(jobs)] = times
    return {"seconds": out, "documents": len(records)}


def measure_cli_jobs(spec: dict[str, Any]) -> dict[str, Any]:
    """``tagger tag --input A --output B --jobs J`` as a user runs it (a fresh process each time, reading and
    writing JSONL), for each J; wall seconds per run and whether every J wrote the same bytes."""
    import subprocess
    import tempfile

    out: dict[str, list[float]] = {}
    outputs: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as folder:
        for jobs in spec["jobs"]:
            times = []
            for _ in range(spec["repeats"]):
                target = f"{folder}/out-{jobs}.jsonl"
                command = [sys.executable, "-m", "tagger", "tag", "--input", spec["articles"], "--output", target]
                command += ["--force", "--jobs", str(jobs), "--no-progress", "--model", spec["path"]]
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times.append(time.perf_counter() - start)
            out[str(jobs)] = times
            with open(target, "rb") as handle:
                outputs[str(jobs)] = handle.read()
    return {"seconds": out, "identical": len(set(outputs.values())) == 1}


def measure_profile(spec: dict[str, Any]) -> dict[str, Any]:
    """CPU milliseconds per article by stage of ``tag_many`` (benchmarks.profile)."""
    from benchmarks.profile import stage_profile
    from tagger import Tagger

    texts = [a["text"] for a in _read_lines(spec["articles"])][: spec["docs"]]
    tagger = Tagger.load(spec["path"])
    return {"ms_per_article": stage_profile(tagger, texts, batch_size=spec["batch_size"], repeats=spec["repeats"])}


def measure_train_default(spec: dict[str, Any]) -> dict[str, Any]:
    """Train the default model exactly as scripts/build_default_model.py does (same records, options, seed)."""
    from benchmarks.common import ROOT, load_script

    build = load_script("build_default_model")
    taxonomy = build.load_taxonomy(ROOT / "labels.yaml")
    _, _, records, weights, _, status = build.training_inputs(taxonomy)
    start = time.perf_counter()
    build.train(records, taxonomy, seed=0, strategy=build.STRATEGY, sample_weight=weights, **build.OPTIONS)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "records": len(records), "ucdp": status, "maxrss_mb": _maxrss_mb()}


MODES = {
    "load": measure_load,
    "tag": measure_tag,
    "train": measure_train,
    "stream": measure_stream,
    "cli_jobs": measure_cli_jobs,
    "profile": measure_profile,
    "train_default": measure_train_default,
}


def main() -> int:
    spec = json.loads(sys.argv[1])
    root = spec.get("root")
    if root and root not in sys.path:
        sys.path.insert(0, root)
    result = MODES[spec["mode"]](spec)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
