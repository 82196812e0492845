"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import sys

from ..errors import DataError
from ..readers import Record, read_records
from ..readers.formats import FORMATS
from ..readers.mapping import MappingReport
from ..taxonomy import Taxonomy


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="model folder (default: the shipped default model)")


def add_encoding_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoding",
        default="utf-8",
        metavar="NAME",
        help="text encoding of JSONL/CSV input, e.g. cp1252 or latin-1 (default: utf-8, with or without a BOM)",
    )


def positive_int(value: str) -> int:
    """argparse type: an integer >= 1 (``--jobs 0`` is refused rather than read as 'all cores')."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {number}")
    return number


def unit_float(value: str) -> float:
    """argparse type: a number in [0, 1]."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {number}")
    return number


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
                encoding=args.encoding,
            )
        )
    if skipped:
        print(f"skipped {len(skipped)} bad line(s); first: {skipped[0]}", file=sys.stderr)
    if args.format != "auto" and FORMATS[args.format].needs_mapping:
        print("\n".join(mapped.lines()), file=sys.stderr)
    return records
