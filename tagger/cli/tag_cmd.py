"""``tagger tag``: tag one text, stdin, or a JSONL/CSV/Parquet stream of any size; output order = input order."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Generator, Iterator
from typing import Any

from tqdm import tqdm

from ..batch.common import default_jobs, model_families, resolve_model
from ..batch.output import SafeOutput, check_distinct
from ..batch.stream import tag_stream
from ..batch.writers import OUTPUT_FORMATS, guess_output_format, is_binary, open_writer
from ..errors import DataError, ParameterError
from ..model import Tagger
from ..readers import Record, read_records
from ..readers.formats import FORMATS, get_format, input_formats
from ._common import add_encoding_option, add_model_option, positive_int, unit_float

INPUT_FORMATS = ("auto", *(name for name in input_formats() if not FORMATS[name].needs_mapping))


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("tag", help="tag articles and write one JSON object (or row) per article")
    parser.add_argument("text", nargs="?", help="article text, or - to read one article from stdin")
    parser.add_argument(
        "--input", "-i", metavar="FILE", help="JSONL, CSV or Parquet records with 'text' (- = stdin JSONL)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write here (.jsonl, .csv, .parquet) instead of stdout; see --force"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace an existing --output (by default an existing file is refused)"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run: keep the rows already in --output and tag only the ids not in it",
    )
    parser.add_argument(
        "--format", choices=INPUT_FORMATS, default="auto", help="format of --input (default: by extension)"
    )
    parser.add_argument(
        "--output-format",
        choices=("auto", *OUTPUT_FORMATS),
        default="auto",
        help="format of --output (default: by extension, JSONL for stdout)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes, N >= 1 (default: all cores this process may use)",
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=256, metavar="N", help="articles per vectorised batch (256)"
    )
    parser.add_argument(
        "--keep", action="append", default=[], metavar="FIELD", help="copy this input field to the output (repeatable)"
    )
    parser.add_argument(
        "--top-k", type=positive_int, default=None, metavar="K", help="report at most K labels per family"
    )
    parser.add_argument(
        "--threshold",
        type=unit_float,
        default=None,
        metavar="T",
        help="report every label scoring at least T (in [0, 1]) instead of the model's per-label thresholds",
    )
    parser.add_argument(
        "--skip-bad", action="store_true", help="skip malformed or undecodable input lines and report how many"
    )
    add_encoding_option(parser)
    parser.add_argument(
        "--engine", choices=("local", "dask"), default="local", help="local worker processes (default) or Dask"
    )
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


def _records(args: argparse.Namespace, fmt: str, families: tuple[str, ...], skipped: list[DataError]) -> Any:
    source: Any = getattr(sys.stdin, "buffer", sys.stdin) if args.input == "-" else args.input
    options: dict[str, Any] = {"require_labels": False, "skip_bad": args.skip_bad, "skipped": skipped}
    if FORMATS[fmt].text:
        options["encoding"] = args.encoding
    if fmt == "csv":
        options["families"] = families  # label columns are the model's families; the rest can be --keep fields
    return read_records(source, None, format=fmt, **options)


def _skip_done(records: Any, done: set[str]) -> Iterator[Record]:
    for record in records:
        if record.id is None:
            raise DataError(
                f"{record.source}:{record.line}: a record without an 'id'; --resume needs ids to tell what is done."
            )
        if record.id not in done:
            yield record


def _dask_rows(args: argparse.Namespace, records: Iterator[Any], jobs: int) -> Generator[dict, None, None]:
    import dask.bag as db

    from ..batch.dask_engine import local_client, tag_bag

    client = local_client(jobs, args.scheduler)
    try:
        items = [{"id": r.id, "text": r.text} for r in records]
        bag = db.from_sequence(items, partition_size=args.batch_size)
        for partition in tag_bag(bag, model=args.model, batch_size=args.batch_size).to_delayed():
            yield from partition.compute()
    finally:
        client.close()


def _check(args: argparse.Namespace, out_fmt: str) -> None:
    """Every usage problem found before any file is opened."""
    to_stdout = not args.output or args.output == "-"
    if to_stdout and is_binary(out_fmt):
        raise ParameterError(
            f"{out_fmt} output needs a file: give --output FILE.{out_fmt} (stdout takes JSONL or CSV)."
        )
    if (args.force or args.resume) and to_stdout:
        raise ParameterError("--force and --resume apply to an --output file, not to stdout.")
    if args.force and args.resume:
        raise ParameterError("give --force (start again) or --resume (continue), not both.")
    if args.engine == "dask" and args.resume:
        raise ParameterError("--resume works with the local engine only.")
    if args.engine != "dask" and args.scheduler:
        raise ParameterError("--scheduler applies to --engine dask only.")
    check_distinct(args.input, args.output)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs; they are delivered (and raise) right after it."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run(args: argparse.Namespace) -> int:
    if (args.text is None) == (args.input is None):
        print("tagger tag: give either TEXT (or - for stdin) or --input FILE", file=sys.stderr)
        return 2
    cutoffs = {"top_k": args.top_k, "threshold": args.threshold}
    if args.input is None:
        tagger = resolve_model(args.model)
        text = sys.stdin.read() if args.text == "-" else args.text
        print(json.dumps(tagger.tag(text, explain=args.explain, **cutoffs).to_dict(), ensure_ascii=False))
        return 0

    if args.engine == "dask":
        try:
            from ..batch.dask_engine import require_dask

            require_dask()
        except ImportError as exc:
            print(f"tagger tag: {exc}", file=sys.stderr)
            return 2
    fmt = get_format(args.format, args.input).name
    out_fmt = guess_output_format(args.output) if args.output_format == "auto" else args.output_format
    _check(args, out_fmt)
    jobs = args.jobs or default_jobs()
    loaded: Tagger | None = None
    if jobs == 1 or args.engine == "dask":
        loaded = resolve_model(args.model)  # its families name the columns
        families = tuple(loaded.families)
    else:  # the workers load the model while this process starts reading: only the family names are needed here
        families = model_families(args.model)
    skipped: list[DataError] = []
    with contextlib.ExitStack() as stack:
        output: SafeOutput | None = None
        if args.output and args.output != "-":
            output = stack.enter_context(
                SafeOutput(args.output, out_fmt, binary=is_binary(out_fmt), force=args.force, resume=args.resume)
            )
            handle: Any = output.handle
        else:
            handle = sys.stdout
        records = _records(args, fmt, families, skipped)
        done = output.done if output is not None else set()
        if args.resume:
            records = _skip_done(records, done)
        if args.engine == "dask":
            rows = _dask_rows(args, records, jobs)
        else:
            rows = tag_stream(
                records,
                model=loaded if loaded is not None else args.model,
                jobs=jobs,
                batch_size=args.batch_size,
                keep=args.keep,
                explain=args.explain,
                max_chars=loaded.max_chars if loaded is not None else None,
                **cutoffs,
            )
        writer = open_writer(out_fmt, handle, families, output.existing if output is not None else None)
        stack.callback(writer.close)
        stack.callback(rows.close)  # stops the worker processes at once if the run ends early
        total = count_records(args.input, fmt)
        if total is not None and done:
            total = max(total - len(done), 0)
        bar = stack.enter_context(
            tqdm(total=total, unit="doc", desc="tagging", file=sys.stderr, disable=True if args.no_progress else None)
        )
        buffer: list[dict] = []

        def flush() -> None:
            # a batch is written whole or not at all: Ctrl-C and SIGTERM wait until it is (and is marked written),
            # so the rows of a stopped run are neither lost nor written twice
            nonlocal buffer
            with _signals_deferred():
                batch, buffer = buffer, []
                writer.write(batch)
                if output is not None and batch:
                    output.wrote = True
            bar.update(len(batch))

        try:
            for row in rows:
                buffer.append(row)
                if len(buffer) >= args.batch_size:
                    flush()
        finally:  # whatever stops the run, the rows tagged so far are written
            flush()
    if skipped:
        print(f"tagger tag: skipped {len(skipped)} bad line(s); first: {skipped[0]}", file=sys.stderr)
    if done:
        print(f"tagger tag: resumed; {len(done)} record(s) were already in {args.output}", file=sys.stderr)
    return 0
