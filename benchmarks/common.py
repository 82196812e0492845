"""What every suite shares: paths, the run budget (quick or full), skipping, progress bars and machine facts."""

from __future__ import annotations

import datetime as _dt
import importlib.util
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CONFLIBERT_DIR = SHARED / "conflibert"
REUTERS_CSV = SHARED / "reuters21578" / "reuters21578.csv"
CORPUS_DIR = ROOT / "data" / "corpus"
DEFAULT_MODEL = ROOT / "models" / "default"
LABELS_YAML = ROOT / "labels.yaml"

if str(ROOT) not in sys.path:  # `python benchmarks/run.py` and `python -m benchmarks` both import the checkout
    sys.path.insert(0, str(ROOT))


class Skip(Exception):
    """A suite or task cannot run here (data, model or package absent); the message says why and what to do."""


@dataclass(frozen=True)
class Budget:
    """How much of everything a run does. ``quick`` is for CI: seconds in total, numbers not meant to be read."""

    quick: bool
    seed: int = 0
    # accuracy suites
    max_train: int | None = None  # subsample each split to at most this many documents (None: all)
    max_dev: int | None = None
    max_test: int | None = None
    tagger_grid: bool = True  # pick among 2–3 trainer settings on dev (else the defaults only)
    fasttext_autotune_seconds: int = 0  # 0: no autotune
    reuters_tagger_options: dict[str, Any] = field(default_factory=dict)
    # speed suite
    speed_docs: int = 2000  # synthetic 350-word articles tagged in batch
    speed_single_docs: int = 300  # tagged one at a time (latency)
    repeats: int = 5
    load_repeats: int = 7
    train_sizes: tuple[int, ...] = (1000, 5000, 20000)
    train_repeats: tuple[int, ...] = (3, 3, 1)
    stream_docs: int = 20000  # tag_stream and `tagger tag --jobs 1/2` (the 20k articles)
    default_training: bool = True  # time training the default model

    @classmethod
    def full(cls, seed: int = 0) -> Budget:
        return cls(
            quick=False,
            seed=seed,
            fasttext_autotune_seconds=40,
            # One setting only on Reuters topics: with the trainer's defaults (char 3–5-grams, 5 folds) its 90 labels
            # take ~13× longer (337 s vs 26 s on 2 cores, Nov 2026) for the same micro/macro-F1 (86.5/41.1 vs 86.4/40.7).
            reuters_tagger_options={"char_ngrams": None, "cv": 3},
        )

    @classmethod
    def quick_run(cls, seed: int = 0) -> Budget:
        return cls(
            quick=True,
            seed=seed,
            max_train=160,
            max_dev=60,
            max_test=100,
            tagger_grid=False,
            fasttext_autotune_seconds=0,
            reuters_tagger_options={"char_ngrams": None, "cv": 2},
            speed_docs=120,
            speed_single_docs=20,
            repeats=2,
            load_repeats=1,
            train_sizes=(150, 300),
            train_repeats=(1, 1),
            stream_docs=200,
            default_training=False,
        )


class Progress:
    """A tqdm bar on stderr (or nothing with ``enabled=False``); ``note`` prints above it."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def bar(self, total: int, desc: str) -> Any:
        from tqdm.auto import tqdm

        # disable=None: bars on a terminal only, so CI logs stay readable
        return tqdm(
            total=total,
            desc=desc,
            disable=None if self.enabled else True,
            leave=False,
            file=sys.stderr,
            dynamic_ncols=True,
        )

    def note(self, message: str) -> None:
        from tqdm.auto import tqdm

        tqdm.write(message, file=sys.stderr)


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """``with stopwatch() as t: ...`` then ``t["seconds"]``."""
    box = {"seconds": 0.0}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` (not a package) as a module, e.g. the default model's build script."""
    path = ROOT / "scripts" / f"{name}.py"
    if not path.is_file():
        raise Skip(f"{path} not found")
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    memory_gb = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "memory_gb": memory_gb,
        "platform": platform.platform(),
    }


def versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    try:
        import tagger

        out["tagger"] = tagger.__version__
    except Exception:
        out["tagger"] = None
    for dist in ("scikit-learn", "numpy", "scipy", "fasttext-numpy2", "fasttext", "matplotlib", "pandas"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def git_commit() -> str | None:
    head = ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text(encoding="utf-8").strip()
        if ref.startswith("ref: "):
            return (ROOT / ".git" / ref[5:]).read_text(encoding="utf-8").strip()[:12]
        return ref[:12]
    except OSError:
        return None
