"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import sys

from ..errors import DataError
from ..readers import Record, read_records
from ..readers.mapping import MappingReport
from ..taxonomy import Taxonomy


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="model folder (default: the shipped default model)")


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
