"""``tagger evaluate``: score a model on labelled data — per-family micro/macro P/R/F1 and a per-label table."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import DataError
from ..evaluate import errors, evaluate, evaluate_details, render_report, write_plots
from ..model import Tagger
from ..readers.formats import input_formats
from ._common import add_encoding_option, read_data


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("evaluate", help="score a model on labelled JSONL/CSV data")
    parser.add_argument("model", metavar="MODEL", help="model folder")
    parser.add_argument("data", nargs="+", metavar="DATA", help="labelled JSONL, CSV, ACLED or UCDP files")
    parser.add_argument(
        "--format",
        choices=["auto", *input_formats(labelled=True)],
        default="auto",
        help="format of DATA (default: by extension; acled and ucdp must be named)",
    )
    parser.add_argument("--mapping", metavar="FILE", help="label mapping for --format acled/ucdp (default: shipped)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--skip-bad", action="store_true", help="skip malformed lines and report how many")
    add_encoding_option(parser)
    parser.add_argument(
        "--errors", metavar="FILE", help="write the misclassified records (gold, predicted, scores) as JSONL"
    )
    parser.add_argument("--plots", metavar="DIR", help="write PNG plots: per-label F1, precision/recall vs threshold")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    tagger = Tagger.load(args.model)
    records = read_data(args, tagger.taxonomy)
    if not records:
        raise DataError(f"no records to evaluate in {', '.join(args.data)}: the data is empty.")
    if args.errors or args.plots:
        details = evaluate_details(tagger, records)
        report = details.metrics
        if args.errors:
            wrong = errors(details)
            with open(args.errors, "w", encoding="utf-8") as handle:
                for row in wrong:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(f"wrote {len(wrong)} misclassified record(s) to {args.errors}", file=sys.stderr)
        if args.plots:
            files = write_plots(details, args.plots)
            print(f"wrote {len(files)} plot(s) to {args.plots}", file=sys.stderr)
    else:
        report = evaluate(tagger, records)
    if args.json:
        print(json.dumps({name: m.to_dict() for name, m in report.items()}, indent=1))
    else:
        print(render_report(report))
    return 0
