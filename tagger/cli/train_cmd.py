"""``tagger train``: train a model from JSONL/CSV files, save it, print its cross-validated metrics."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from tqdm import tqdm

from ..errors import DataError
from ..evaluate import FamilyMetrics, render_report
from ..model import STRATEGIES
from ..readers import FORMATS, read_records
from ..taxonomy import load_taxonomy
from ._common import read_data


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("train", help="train a model on labelled JSONL/CSV data and save it")
    parser.add_argument("data", nargs="+", metavar="DATA", help="labelled JSONL, CSV, ACLED or UCDP files")
    parser.add_argument("--out", "-o", required=True, metavar="PATH", help="model folder to write")
    parser.add_argument("--labels", metavar="FILE", help="taxonomy file (default: the shipped labels.yaml)")
    parser.add_argument("--format", choices=["auto", *FORMATS], default="auto")
    parser.add_argument("--mapping", metavar="FILE", help="label mapping for --format acled/ucdp (default: shipped)")
    parser.add_argument("--strategy", choices=STRATEGIES, default="auto", help="scorer kind for every family")
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds for thresholds (5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-char-ngrams", action="store_true", help="word n-grams only (faster, smaller)")
    parser.add_argument(
        "--select",
        action="store_true",
        help="choose C, class weighting, word vs word+char n-grams and LR vs linear SVM per family on a dev split",
    )
    parser.add_argument(
        "--dev", nargs="+", metavar="FILE", help="labelled dev files for --select (default: every 5th record)"
    )
    parser.add_argument(
        "--shrink", default="5", help="threshold shrinkage towards the family's cut: a number, or 'cv' to choose it (5)"
    )
    parser.add_argument("--skip-bad", action="store_true", help="skip malformed lines and report how many")
    parser.add_argument(
        "--streaming",
        action="store_true",
        help="out-of-core training for data larger than memory (two passes, SGD, thresholds on a 10%% sample)",
    )
    parser.add_argument("--batch-size", type=int, default=2000, help="records per batch with --streaming (2000)")
    parser.set_defaults(run=run)


def _run_streaming(args: argparse.Namespace, taxonomy: Any) -> int:
    from ..train_stream import train_streaming

    skipped: list[DataError] = []

    def source() -> Iterator[Any]:
        skipped.clear()
        for path in args.data:
            yield from read_records(
                path, taxonomy, format=args.format, mapping=args.mapping, skip_bad=args.skip_bad, skipped=skipped
            )

    bar = tqdm(desc="streaming training", unit="batch", file=sys.stderr, disable=None)

    def progress(message: str) -> None:
        bar.set_postfix_str(message[:60])
        bar.update()

    strategy = args.strategy if args.strategy in ("auto", "ovr", "candidate") else "auto"
    options: dict[str, Any] = {"batch_size": args.batch_size, "seed": args.seed, "strategy": strategy}
    if args.no_char_ngrams:
        options["char_ngrams"] = None
    tagger = train_streaming(source, taxonomy, progress=progress, **options)
    bar.close()
    if skipped:
        print(f"skipped {len(skipped)} bad line(s); first: {skipped[0]}", file=sys.stderr)
    tagger.save(args.out)
    print(f"saved {args.out} ({tagger.info['records']} records, {tagger.info['holdout']} held out for thresholds)")
    report = {
        name: FamilyMetrics(**{**info["holdout_metrics"], "labels": ()})
        for name, info in tagger.info["families"].items()
        if "holdout_metrics" in info
    }
    print("metrics on the held-out sample:")
    print(render_report(report, per_label=False))
    return 0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise DataError(f"--shrink must be a number or 'cv', got {text!r}.") from None


def run(args: argparse.Namespace) -> int:
    taxonomy = load_taxonomy(args.labels)
    if args.streaming:
        return _run_streaming(args, taxonomy)
    records = read_data(args, taxonomy)
    steps = tqdm(desc="training", unit="step", file=sys.stderr, disable=None)

    def progress(message: str) -> None:
        steps.set_postfix_str(message[:60])
        steps.update()

    options: dict[str, Any] = {"strategy": args.strategy, "cv": args.cv, "seed": args.seed, "select": args.select}
    options["shrink"] = "cv" if args.shrink == "cv" else _number(args.shrink)
    if args.no_char_ngrams:
        options["char_ngrams"] = None
    if args.dev:
        options["dev"] = read_data(argparse.Namespace(**{**vars(args), "data": args.dev}), taxonomy)
    from ..training import train  # scikit-learn is imported only by the commands that train

    tagger = train(records, taxonomy, progress=progress, **options)
    steps.close()
    tagger.save(args.out)
    report = {
        name: FamilyMetrics(**{**info["cv_metrics"], "labels": ()}) for name, info in tagger.info["families"].items()
    }
    print(f"saved {args.out} ({len(records)} records)")
    print("cross-validated metrics:")
    print(render_report(report, per_label=False))
    return 0
