"""Run the benchmark suites and write REPORT.md, results.json and plots.

    python -m benchmarks [--quick] [--suites default_model,conflibert,reuters,speed] [--out DIR] [--no-progress]
    python benchmarks/run.py ...                # the same
    python -m benchmarks --report-only [--out DIR]   # re-render REPORT.md and plots from DIR/results.json

The full run writes benchmarks/results/ (committed); --quick writes benchmarks/results/quick/ (git-ignored), so CI
never overwrites the committed report. A suite whose data or model is absent is skipped with a message.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__" and not __package__:  # `python benchmarks/run.py`: import the package from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.run import main as _main

    raise SystemExit(_main())

from .common import ROOT, Budget, Progress, Skip, git_commit, machine, now_iso, versions
from .suites import SUITES

__all__ = ["main", "run"]

RESULTS = ROOT / "benchmarks" / "results"


def run(suites: list[str], budget: Budget, out: Path, progress: Progress, argv: list[str]) -> dict[str, Any]:
    """Run ``suites`` in order, saving results.json after each one (a crash keeps what was measured)."""
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "meta": {
            "date": now_iso(),
            "mode": "quick" if budget.quick else "full",
            "command": "python -m benchmarks " + " ".join(argv),
            "git_commit": git_commit(),
            "machine": machine(),
            "versions": versions(),
            "seed": budget.seed,
            "suite_seconds": {},
        },
        "suites": {},
    }
    _keep_other_suites(results, out, suites, budget)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tagger-bench-") as tmp:
        bar = progress.bar(len(suites), "suites")
        for name in suites:
            bar.set_postfix_str(name)
            module = importlib.import_module(f"benchmarks.suites.{name}")
            t0 = time.perf_counter()
            try:
                data = module.run(budget, progress, Path(tmp) / name)
                entry = {"status": "ok", **data}
            except Skip as skip:
                entry = {"status": "skipped", "reason": str(skip)}
                progress.note(f"{name}: skipped — {skip}")
            seconds = time.perf_counter() - t0
            entry["seconds"] = seconds
            entry["date"] = now_iso()
            results["suites"][name] = entry
            results["meta"]["suite_seconds"][name] = round(seconds, 1)
            results["meta"]["total_seconds"] = round(time.perf_counter() - started, 1)
            _save(results, out)
            progress.note(f"{name}: {entry['status']} in {seconds:.1f} s")
            bar.update(1)
        bar.close()
    results["meta"]["total_seconds"] = round(time.perf_counter() - started, 1)
    _save(results, out)
    return results


def _keep_other_suites(results: dict[str, Any], out: Path, suites: list[str], budget: Budget) -> None:
    """A run of some suites (``--suites``) into a folder that holds results of the same mode keeps the others'
    results, each with the date it was measured, so one REPORT.md covers every suite."""
    path = out / "results.json"
    if not path.is_file():
        return
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if previous.get("meta", {}).get("mode") != results["meta"]["mode"]:
        return
    for name, entry in previous.get("suites", {}).items():
        if name not in suites:
            entry.setdefault("date", previous["meta"].get("date"))
            results["suites"][name] = entry
            seconds = previous["meta"].get("suite_seconds", {}).get(name)
            if seconds is not None:
                results["meta"]["suite_seconds"][name] = seconds


def _save(results: dict[str, Any], out: Path) -> None:
    path = out / "results.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=False, default=_jsonable) + "\n", encoding="utf-8")
    tmp.replace(path)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seconds, small inputs (CI); writes results/quick/")
    parser.add_argument("--suites", default=",".join(SUITES), help=f"comma-separated, from {', '.join(SUITES)}")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default benchmarks/results[/quick])")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--report-only", action="store_true", help="re-render the report from OUT/results.json")
    args = parser.parse_args(argv)
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    from .report import write_report

    if args.report_only:
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        print(write_report(results, out))
        return 0
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    budget = Budget.quick_run(args.seed) if args.quick else Budget.full(args.seed)
    progress = Progress(enabled=not args.no_progress)
    results = run(suites, budget, out, progress, argv)
    report = write_report(results, out)
    print(f"wrote {report} and results.json, plots in {out} ({results['meta']['total_seconds']:.0f} s)")
    for name, entry in results["suites"].items():
        print(f"  {name}: {entry['status']}" + (f" — {entry['reason']}" if entry["status"] == "skipped" else ""))
    return 0
