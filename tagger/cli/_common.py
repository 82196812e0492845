"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import DataError
from ..model import Tagger, default_tagger
from ..readers import Record, read_records
from ..readers.mapping import MappingReport
from ..taxonomy import Taxonomy, load_taxonomy


def load_tagger(model: str | None) -> Tagger:
    return default_tagger() if model is None else Tagger.load(model)


def load_labels(path: str | None) -> Taxonomy:
    return load_taxonomy(path)


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="model folder (default: the shipped default model)")


def stdin_or_path(value: str):
    return sys.stdin if value == "-" else Path(value)


def read_data(args: argparse.Namespace, taxonomy: Taxonomy) -> list[Record]:
    """Read every ``args.data`` file (format, mapping, skip-bad from ``args``); report skips and unmapped codes."""
    skipped: list[DataError] = []
    mapped = MappingReport()  # filled by the acled and ucdp readers
    records: list[Record] = []
    for path in args.data:
        records.extend(
            read_records(
                path,
                taxonomy,
                format=args.format,
                mapping=args.mapping,
                report=mapped,
                skip_bad=args.skip_bad,
                skipped=skipped,
            )
        )
    if skipped:
        print(f"skipped {len(skipped)} bad line(s); first: {skipped[0]}", file=sys.stderr)
    if args.format in ("acled", "ucdp"):
        print("\n".join(mapped.lines()), file=sys.stderr)
    return records
