"""``tagger tag``: tag text given as an argument, on stdin, or in a JSONL/CSV file; one JSON object per line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from ..readers import read_records
from ._common import add_model_option, load_tagger, stdin_or_path


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("tag", help="tag articles and print one JSON object per line")
    parser.add_argument("text", nargs="?", help="article text, or - to read one article from stdin")
    parser.add_argument("--input", "-i", metavar="FILE", help="JSONL or CSV file of records with 'text' (and 'id')")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--format", choices=["auto", "jsonl", "csv"], default="auto", help="format of --input")
    parser.add_argument("--batch-size", type=int, default=256, help="articles per vectorised batch (256)")
    add_model_option(parser)
    parser.set_defaults(run=run)


def tag_records(tagger: Any, source: Any, *, format: str = "auto", batch_size: int = 256) -> Iterator[dict]:
    """Tag every record of a JSONL/CSV source; yields the ``to_dict`` shape plus ``id`` when the record has one."""
    records = read_records(source, None, format=format, require_labels=False)
    pending: list[Any] = []

    def flush() -> Iterator[dict]:
        results = tagger.tag_many([r.text for r in pending], batch_size=batch_size)
        for record, result in zip(pending, results, strict=True):
            out = {"id": record.id} if record.id is not None else {}
            out.update(result.to_dict())
            yield out

    for record in records:
        pending.append(record)
        if len(pending) >= batch_size:
            yield from flush()
            pending = []
    if pending:
        yield from flush()


def _write(lines: Iterator[dict], handle: IO[str]) -> None:
    for obj in lines:
        handle.write(json.dumps(obj, ensure_ascii=False) + "\n")


def run(args: argparse.Namespace) -> int:
    if (args.text is None) == (args.input is None):
        print("tagger tag: give either TEXT (or - for stdin) or --input FILE", file=sys.stderr)
        return 2
    tagger = load_tagger(args.model)
    if args.input is not None:
        lines = tag_records(tagger, stdin_or_path(args.input), format=args.format, batch_size=args.batch_size)
    else:
        text = sys.stdin.read() if args.text == "-" else args.text
        lines = iter([tagger.tag(text).to_dict()])
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            _write(lines, handle)
    else:
        _write(lines, sys.stdout)
    return 0
