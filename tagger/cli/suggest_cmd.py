"""``tagger suggest``: the records of a pool to label next (active learning by uncertainty, with diversity)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..model import Tagger
from ..readers.formats import input_formats
from ..suggest import suggest
from ._common import add_encoding_option, read_data


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("suggest", help="choose the records of a pool to label next")
    parser.add_argument("model", metavar="MODEL", help="model folder")
    parser.add_argument("data", nargs="+", metavar="POOL", help="unlabelled (or partly labelled) JSONL/CSV files")
    parser.add_argument("-n", type=int, default=200, help="how many records to suggest (200)")
    parser.add_argument("--out", "-o", required=True, metavar="FILE", help="JSONL file to write")
    parser.add_argument("--family", help="uncertainty of this family only (default: every family)")
    parser.add_argument("--max-similarity", type=float, default=0.8, help="diversity: cosine cap between picks (0.8)")
    parser.add_argument(
        "--format",
        choices=["auto", *input_formats()],
        default="auto",
        help="input format (default: from the file suffix)",
    )
    parser.add_argument("--mapping", metavar="FILE", help="label mapping for --format acled/ucdp (default: shipped)")
    parser.add_argument("--skip-bad", action="store_true", help="skip malformed lines and report how many")
    add_encoding_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    tagger = Tagger.load(args.model)
    records = read_data(args, tagger.taxonomy)
    picked = suggest(tagger, records, n=args.n, family=args.family, max_similarity=args.max_similarity)
    with open(args.out, "w", encoding="utf-8") as handle:
        for row in picked:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(picked)} record(s) to label to {args.out}", file=sys.stderr)
    return 0
