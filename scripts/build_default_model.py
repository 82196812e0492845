"""Rebuild the default model in models/default from data/ (and the UCDP GED headlines when present).

    python scripts/build_default_model.py [--ged PATH] [--seed 0] [--out models/default]

Sources (data/corpus/README.md describes each):
- data/corpus/team-*.jsonl — articles written by the team (v1), labelled by data/GUIDELINES.md;
- data/corpus/notes-*.jsonl — world event notes (v2); articles-background-*.jsonl — background-heavy articles;
  negatives.jsonl — non-conflict texts; headlines-world.jsonl — headlines from every region;
- data/ucdp/annotations-*.jsonl — hand labels of UCDP GED Syria headlines, joined with the GED CSV (not in the
  repository; default path ../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv). Without the CSV the build
  runs on the team corpus alone and the manifest says so.

A fixed 20% of each source (by a hash of the record id, independent of the seed) is held out: never trained or
tuned on, it gives the model card's scores. data/eval/ is never trained on at all. So that no country dominates,
the UCDP Syria headlines are weighed down until no country holds more than MAX_COUNTRY_SHARE of the training
weight; the weight is recorded in the manifest. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tagger import evaluate, load_taxonomy, read_records, train  # noqa: E402
from tagger.readers import Record  # noqa: E402

DEFAULT_GED = ROOT.parent / "shared" / "data" / "ucdp-ged-syria" / "ucdp_ged_syria_2016_2019.csv"
UCDP_CITATION = (
    "Sundberg, Ralph and Erik Melander (2013). Introducing the UCDP Georeferenced Event Dataset. "
    "Journal of Peace Research 50(4). UCDP GED 19.1, CC BY 4.0."
)
HELDOUT_PERCENT = 20
MAX_COUNTRY_SHARE = 0.25
# how each family is scored (see tagger.scorers): regions and actors only from evidence in the text. Regions by the
# candidate scorer alone (it scores only labels the text names; n-gram re-scoring of ~300 regions costs minutes of
# training and the delexicalised n-grams hold no place names to judge them by); actors by the evidence scorer (the
# n-gram classifiers may re-score a candidate, never add one); event types by n-gram classifiers over delexicalised
# text, because an event needs no named trigger word.
STRATEGY = {"region": "candidate", "actor": "evidence", "event_type": "ovr"}
# character n-grams of one length (4) instead of 3–5: a third of the hashing when tagging and ~40% of the training
# time, at the same accuracy within noise on the out-of-distribution checks (scripts/ood_checks.py; 2026-12-02:
# eval-only notes actor/event 0.844/0.863 vs 0.847/0.871, held-out event type +0.6 articles, +0.5 team, +0.2 UCDP,
# = headlines; benchmarks/results/REPORT.md §4 gives the table). Without character n-grams event
# types lose 1–2 points everywhere.
OPTIONS = {"char_ngrams": (4, 4)}


def is_heldout(record_id: str) -> bool:
    """The fixed held-out split: 20% of ids by SHA-1, the same in every build and for every seed."""
    digest = hashlib.sha1(record_id.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100 < HELDOUT_PERCENT


def usable_headline(text: str) -> bool:
    """GED junk headlines are source codes (``TS164``): short or without a space."""
    return len(text) >= 20 and " " in text.strip()


def source_of(path: Path) -> str:
    """The source a corpus file belongs to: its name up to the first dash (team, notes, articles, …)."""
    return path.stem.split("-")[0]


def read_corpus(taxonomy) -> dict[str, list[Record]]:
    sources: dict[str, list[Record]] = {}
    for path in sorted((ROOT / "data" / "corpus").glob("*.jsonl")):
        sources.setdefault(source_of(path), []).extend(read_records(path, taxonomy))
    return sources


def read_team(taxonomy) -> list[Record]:
    """Every team-written record of data/corpus/ (all its sources), for the benchmarks."""
    return [r for recs in read_corpus(taxonomy).values() for r in recs]


def training_inputs(taxonomy, ged: Path = DEFAULT_GED):
    """What the default model is trained on: ``(sources, splits per source (train, held out), training records,
    their weights, the balance summary, the UCDP status)`` (also what the speed benchmark times training on)."""
    sources = read_corpus(taxonomy)
    ucdp, ucdp_status = read_ucdp(taxonomy, ged)
    sources["ucdp"] = ucdp
    splits = {
        name: ([r for r in recs if not is_heldout(r.id)], [r for r in recs if is_heldout(r.id)])
        for name, recs in sources.items()
    }
    train_records = [r for tr, _ in splits.values() for r in tr]
    weights, balance = rebalance(train_records, taxonomy)
    return sources, splits, train_records, weights, balance, ucdp_status


def country_of(label: str, taxonomy) -> str | None:
    family = taxonomy["region"]
    chain = [label, *family.ancestors(label)]
    return chain[-2] if len(chain) >= 2 else None


def rebalance(records: list[Record], taxonomy) -> tuple[list[float], dict]:
    """Per-record weights: the UCDP Syria headlines weighed down so no country has more than MAX_COUNTRY_SHARE of
    the effective training weight (every other record weighs 1)."""

    def countries(record: Record) -> set[str]:
        return {c for c in (country_of(r, taxonomy) for r in record.labels.get("region", ())) if c}

    counts = Counter(c for r in records for c in countries(r))
    top, top_n = counts.most_common(1)[0]
    is_ucdp = [(r.id or "").startswith("ucdp-") for r in records]
    n_ucdp = sum(is_ucdp)
    n_other = len(records) - n_ucdp
    other_top = sum(1 for r, u in zip(records, is_ucdp, strict=True) if not u and top in countries(r))
    weight = 1.0
    if n_ucdp and top_n / len(records) > MAX_COUNTRY_SHARE:
        # (other_top + w * n_ucdp) / (n_other + w * n_ucdp) = share, for the UCDP weight w
        weight = (MAX_COUNTRY_SHARE * n_other - other_top) / ((1 - MAX_COUNTRY_SHARE) * n_ucdp)
        weight = float(min(1.0, max(0.05, weight)))
    weights = [weight if u else 1.0 for u in is_ucdp]
    total = sum(weights)
    after: Counter[str] = Counter()
    for record, w in zip(records, weights, strict=True):
        for c in countries(record):
            after[c] += w
    info = {
        "rule": f"UCDP Syria headlines weighed so that no country exceeds {MAX_COUNTRY_SHARE:.0%} of the training weight",
        "ucdp_records": n_ucdp,
        "ucdp_weight": round(weight, 4),
        "top_countries_before": {c: round(n / len(records), 3) for c, n in counts.most_common(5)},
        "top_countries_after": {c: round(n / total, 3) for c, n in after.most_common(5)},
    }
    return weights, info


def read_ucdp(taxonomy, ged_path: Path) -> tuple[list[Record], str]:
    if not ged_path.is_file():
        return [], f"absent ({ged_path} not found): the build used the team corpus only"
    with ged_path.open(encoding="utf-8", newline="") as handle:
        headlines = {row["id"]: row["source_headline"] for row in csv.DictReader(handle)}
    records = []
    for path in sorted((ROOT / "data" / "ucdp").glob("annotations-*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                entry = json.loads(line)
                ged_id = str(entry["ged_id"])
                text = headlines.get(ged_id)
                if text is None or not usable_headline(text):
                    continue
                record = Record(text=text, labels=entry["labels"], id=f"ucdp-{ged_id}", source=str(path), line=line_no)
                records.append(record)
    # validate ids like any other reader, and drop repeated GED ids (annotated twice by accident)
    from tagger.readers._common import check_labels

    unique: dict[str, Record] = {}
    for record in records:
        check_labels(record.labels, taxonomy, record.source or "", record.line)
        unique.setdefault(record.id or "", record)
    return list(unique.values()), f"present ({ged_path.name})"


def label_counts(records: list[Record]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter] = {}
    for record in records:
        for family, ids in record.labels.items():
            counts.setdefault(family, Counter()).update(ids)
    return {family: dict(sorted(c.items())) for family, c in counts.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ged", type=Path, default=DEFAULT_GED, help="UCDP GED Syria CSV")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "default")
    parser.add_argument(
        "--strategy",
        action="append",
        default=[],
        metavar="FAMILY=KIND",
        help="override a family's scorer for an experiment (e.g. event_type=evidence); the default is STRATEGY",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="a trainer option for an experiment, its value as JSON (e.g. char_ngrams=null, cv=3); repeatable",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    strategy = dict(STRATEGY)
    for item in args.strategy:
        family, _, kind = item.partition("=")
        if family not in strategy or not kind:
            parser.error(f"--strategy {item!r}: expected FAMILY=KIND with FAMILY one of {', '.join(strategy)}")
        strategy[family] = kind
    options: dict = dict(OPTIONS)
    for item in args.option:
        name, _, value = item.partition("=")
        try:
            options[name] = json.loads(value)
        except json.JSONDecodeError:
            parser.error(f"--option {item!r}: the value after '=' must be JSON (null, 3, [4, 4], \"balanced\")")
    taxonomy = load_taxonomy(ROOT / "labels.yaml")
    sources, splits, train_records, weights, balance, ucdp_status = training_inputs(taxonomy, args.ged)
    print(
        ", ".join(f"{name}: {len(recs)} records" for name, recs in sources.items()) + f" (UCDP GED {ucdp_status})",
        file=sys.stderr,
    )
    print(f"training on {len(train_records)} records; {balance}", file=sys.stderr)
    model = train(
        train_records,
        taxonomy,
        seed=args.seed,
        strategy=strategy,
        sample_weight=weights,
        **options,
        progress=lambda m: print("  " + m, file=sys.stderr),
    )

    heldout = {}
    for name, (_, test) in splits.items():
        if test:
            heldout[name] = {fam: m.to_dict() for fam, m in evaluate(model, test).items()}
    all_test = [r for _, te in splits.values() for r in te]
    heldout["all"] = {fam: m.to_dict() for fam, m in evaluate(model, all_test).items()}

    model.info["build"] = {
        "command": " ".join(["python scripts/build_default_model.py", *(f"--option {o}" for o in args.option)]),
        "seed": args.seed,
        "seconds": round(time.perf_counter() - started, 1),
        "sources": {
            name: {"records": len(recs), "train": len(splits[name][0]), "heldout": len(splits[name][1])}
            for name, recs in sources.items()
        },
        "ucdp_ged": ucdp_status,
        "ucdp_citation": UCDP_CITATION,
        "heldout_rule": f"sha1(id) % 100 < {HELDOUT_PERCENT}, per source; never trained or tuned on",
        "evaluation_only": "data/eval/*.jsonl: never trained or tuned on",
        "balance": balance,
        "strategy": strategy,
        "options": options,
        "train_label_counts": label_counts(train_records),
    }
    evaluation_only = {}
    for path in sorted((ROOT / "data" / "eval").glob("*.jsonl")):
        evaluation_only[path.stem] = {
            fam: m.to_dict() for fam, m in evaluate(model, read_records(path, taxonomy)).items()
        }
    model.info["evaluation_only_metrics"] = evaluation_only
    model.info["heldout_metrics"] = heldout
    model.save(args.out)
    from model_card import write_model_card

    write_model_card(args.out)
    print(f"saved {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    for fam, m in heldout["all"].items():
        print(f"held-out {fam:<11} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
