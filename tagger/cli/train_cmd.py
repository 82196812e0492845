"""``tagger train``: train a model from JSONL/CSV files, save it, print its cross-validated metrics."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from ..errors import DataError, ParameterError
from ..evaluate import FamilyMetrics, render_report
from ..model import STRATEGIES
from ..readers import read_records
from ..readers.formats import input_formats
from ..taxonomy import load_taxonomy
from ..training_core import SELECT_METRICS
from ._common import add_encoding_option, positive_int, read_data
from ._progress import FamilyProgress, StreamProgress


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("train", help="train a model on labelled JSONL/CSV data and save it")
    parser.add_argument("data", nargs="+", metavar="DATA", help="labelled JSONL, CSV, ACLED or UCDP files")
    parser.add_argument("--out", "-o", required=True, metavar="PATH", help="model folder to write")
    parser.add_argument("--labels", metavar="FILE", help="taxonomy file (default: the shipped labels.yaml)")
    parser.add_argument(
        "--format",
        choices=["auto", *input_formats(labelled=True)],
        default="auto",
        help="format of DATA (default: by extension; acled and ucdp must be named)",
    )
    parser.add_argument("--mapping", metavar="FILE", help="label mapping for --format acled/ucdp (default: shipped)")
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="auto",
        help="scorer kind for every family (default: auto, which cross-validates ovr, candidate and hybrid per "
        "family and keeps the best; evidence rests every tag on a name in the text)",
    )
    parser.add_argument(
        "--cv", type=positive_int, default=5, metavar="K", help="cross-validation folds for thresholds (5)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same model (0)")
    parser.add_argument("--no-char-ngrams", action="store_true", help="word n-grams only (faster, smaller)")
    parser.add_argument(
        "--select",
        action="store_true",
        help="choose C, class weighting, word vs word+char n-grams, sublinear vs linear TF and LR vs linear SVM per "
        "family on a dev split",
    )
    parser.add_argument(
        "--select-metric",
        choices=SELECT_METRICS,
        default="mean",
        help="what --select and --shrink cv maximise: the mean of micro- and macro-F1, either alone, or example-based "
        "F1 (default: mean)",
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
    parser.add_argument(
        "--batch-size", type=positive_int, default=2000, metavar="N", help="records per batch with --streaming (2000)"
    )
    add_encoding_option(parser)
    parser.set_defaults(run=run)


def _run_streaming(args: argparse.Namespace, taxonomy: Any) -> int:
    from ..train_stream import train_streaming

    skipped: list[DataError] = []

    def source() -> Iterator[Any]:
        skipped.clear()
        for path in args.data:
            yield from read_records(
                path,
                taxonomy,
                format=args.format,
                mapping=args.mapping,
                skip_bad=args.skip_bad,
                skipped=skipped,
                encoding=args.encoding,
            )

    progress = StreamProgress(1)
    strategy = args.strategy if args.strategy in ("auto", "ovr", "candidate") else "auto"
    options: dict[str, Any] = {"batch_size": args.batch_size, "seed": args.seed, "strategy": strategy}
    if args.no_char_ngrams:
        options["char_ngrams"] = None
    tagger = train_streaming(source, taxonomy, progress=progress, **options)
    progress.close(tagger.info["records"])
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


def check_out(path: str) -> None:
    """Refuse an --out that cannot become a model folder, before any data is read (training takes minutes)."""
    from pathlib import Path

    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ParameterError(f"--out {target} is a file; a model is a folder: choose another path.")
    if target.is_dir() and any(target.iterdir()) and not (target / "manifest.json").is_file():
        raise ParameterError(f"--out {target} is a folder that holds something other than a model; refusing it.")
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ParameterError(f"--out {target}: {parent} is not a folder.")
    import os

    if not os.access(parent, os.W_OK | os.X_OK):
        raise ParameterError(f"--out {target}: cannot write in {parent} (permission denied).")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise DataError(f"--shrink must be a number or 'cv', got {text!r}.") from None


def run(args: argparse.Namespace) -> int:
    check_out(args.out)
    taxonomy = load_taxonomy(args.labels)
    if args.streaming:
        return _run_streaming(args, taxonomy)
    records = read_data(args, taxonomy)
    progress = FamilyProgress(list(taxonomy))
    options: dict[str, Any] = {"strategy": args.strategy, "cv": args.cv, "seed": args.seed, "select": args.select}
    options["select_metric"] = args.select_metric
    options["shrink"] = "cv" if args.shrink == "cv" else _number(args.shrink)
    if args.no_char_ngrams:
        options["char_ngrams"] = None
    if args.dev:
        options["dev"] = read_data(argparse.Namespace(**{**vars(args), "data": args.dev}), taxonomy)
    from ..training import train  # scikit-learn is imported only by the commands that train

    tagger = train(records, taxonomy, progress=progress, **options)
    progress.close(len(records))
    tagger.save(args.out)
    report = {
        name: FamilyMetrics(**{**info["cv_metrics"], "labels": ()}) for name, info in tagger.info["families"].items()
    }
    print(f"saved {args.out} ({len(records)} records)")
    print("cross-validated metrics:")
    print(render_report(report, per_label=False))
    return 0
