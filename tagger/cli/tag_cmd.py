"""``tagger tag``: tag one text, stdin, or a JSONL/CSV/Parquet stream of any size; output order = input order."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..errors import DataError
from ..model import Tagger, default_tagger
from ..readers import read_records
from ..stream import default_jobs, tag_stream
from ..writers import OUTPUT_FORMATS, guess_output_format, open_writer
from ._common import add_model_option

INPUT_FORMATS = ("auto", "jsonl", "csv", "parquet")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("tag", help="tag articles and write one JSON object (or row) per article")
    parser.add_argument("text", nargs="?", help="article text, or - to read one article from stdin")
    parser.add_argument(
        "--input", "-i", metavar="FILE", help="JSONL, CSV or Parquet records with 'text' (- = stdin JSONL)"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here (.jsonl, .csv, .parquet) instead of stdout")
    parser.add_argument("--format", choices=INPUT_FORMATS, default="auto", help="format of --input (by extension)")
    parser.add_argument("--output-format", choices=("auto", *OUTPUT_FORMATS), default="auto")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--batch-size", type=int, default=256, help="articles per vectorised batch (256)")
    parser.add_argument(
        "--keep", action="append", default=[], metavar="FIELD", help="copy this input field to the output (repeatable)"
    )
    parser.add_argument("--skip-bad", action="store_true", help="skip malformed input lines and report how many")
    parser.add_argument("--engine", choices=("local", "dask"), default="local", help="local processes or Dask")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="add each label's evidence (text spans and their sentence) to the JSON output",
    )
    add_model_option(parser)
    parser.set_defaults(run=run)


def count_records(path: str, fmt: str) -> int | None:
    """How many records a file holds, cheaply (newlines; Parquet metadata), for the progress bar's ETA."""
    if path == "-":
        return None
    if fmt == "parquet":
        try:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        except Exception:
            return None
    lines = 0
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                lines += chunk.count(b"\n")
    except OSError:
        return None
    return max(lines - (1 if fmt == "csv" else 0), 0)


def _input_format(args: argparse.Namespace) -> str:
    if args.format != "auto":
        return args.format
    suffix = Path(args.input).suffix.lower() if args.input != "-" else ""
    return {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "jsonl")


def _records(args: argparse.Namespace, fmt: str, skipped: list[DataError]) -> Iterator[Any]:
    if fmt == "parquet":
        from ..readers.parquet import read_parquet

        return read_parquet(args.input)
    source = sys.stdin if args.input == "-" else args.input
    return read_records(source, None, format=fmt, require_labels=False, skip_bad=args.skip_bad, skipped=skipped)


def _dask_rows(args: argparse.Namespace, records: Iterator[Any], jobs: int) -> Iterator[dict]:
    import dask.bag as db

    from ..dask_engine import local_client, tag_bag

    client = local_client(jobs, args.scheduler)
    try:
        items = [{"id": r.id, "text": r.text} for r in records]
        bag = db.from_sequence(items, partition_size=args.batch_size)
        for partition in tag_bag(bag, model=args.model, batch_size=args.batch_size).to_delayed():
            yield from partition.compute()
    finally:
        client.close()


def run(args: argparse.Namespace) -> int:
    if (args.text is None) == (args.input is None):
        print("tagger tag: give either TEXT (or - for stdin) or --input FILE", file=sys.stderr)
        return 2
    if args.input is None:
        tagger = default_tagger() if args.model is None else Tagger.load(args.model)
        text = sys.stdin.read() if args.text == "-" else args.text
        print(json.dumps(tagger.tag(text, explain=args.explain).to_dict(), ensure_ascii=False))
        return 0

    if args.engine == "dask":
        try:
            from ..dask_engine import require_dask

            require_dask()
        except ImportError as exc:
            print(f"tagger tag: {exc}", file=sys.stderr)
            return 2
    fmt = _input_format(args)
    jobs = args.jobs or default_jobs()
    skipped: list[DataError] = []
    records = _records(args, fmt, skipped)
    if args.engine == "dask":
        rows = _dask_rows(args, records, jobs)
    else:
        rows = tag_stream(
            records, model=args.model, jobs=jobs, batch_size=args.batch_size, keep=args.keep, explain=args.explain
        )
    families = ["region", "actor", "event_type"] if args.model is None else list(Tagger.load(args.model).families)
    out_fmt = guess_output_format(args.output) if args.output_format == "auto" else args.output_format
    total = count_records(args.input, fmt)
    with contextlib.ExitStack() as stack:
        handle = None
        if out_fmt != "parquet":
            handle = (
                sys.stdout
                if not args.output or args.output == "-"
                else stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
            )
        writer = open_writer(out_fmt, handle, args.output, families)
        stack.callback(writer.close)
        bar = stack.enter_context(
            tqdm(total=total, unit="doc", desc="tagging", file=sys.stderr, disable=True if args.no_progress else None)
        )
        buffer: list[dict] = []
        try:
            for row in rows:
                buffer.append(row)
                if len(buffer) >= args.batch_size:
                    writer.write(buffer)
                    bar.update(len(buffer))
                    buffer = []
        finally:  # whatever stops the run, the rows tagged so far are written
            writer.write(buffer)
            bar.update(len(buffer))
    if skipped:
        print(f"tagger tag: skipped {len(skipped)} bad line(s); first: {skipped[0]}", file=sys.stderr)
    return 0
