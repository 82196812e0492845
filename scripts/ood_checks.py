"""Out-of-distribution checks of a model: text unlike what it was trained on.

    python scripts/ood_checks.py [--model models/default] [--loso] [--out models/default/OOD.json]

1. The evaluation-only world event notes (data/eval/*.jsonl, never trained on): every family, and regions at
   country level (a subdivision counts as its country), as the real event-note sets are scored.
2. Syria from nothing: the share of records not about Syria that get ``sy`` (target ≤ 2%), on the evaluation notes
   and on the held-out parts of every source.
3. Reuters-21578 places (1987 newswire, ModApte test split) as countries, when ../shared/data/reuters21578 is there.
4. No place evidence, no region: texts without any place name must get no region.
5. With ``--loso``: leave one source out: train without the team articles and test on their held-out part, and
   the same for the UCDP headlines (each a full training run of the default recipe).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from tagger import Tagger, evaluate, load_taxonomy, read_records  # noqa: E402
from tagger.readers import Record  # noqa: E402

NO_PLACE_TEXTS = [
    "hello world",
    "Gunmen attacked a police post overnight, killing two officers, officials said.",
    "Mix the flour with two eggs and a pinch of salt, then bake for forty minutes.",
    "Shares rose 2% on Tuesday as investors welcomed lower inflation figures.",
    "Protesters gathered outside the parliament building demanding higher wages.",
    "An airstrike hit a weapons depot, the military said in a statement.",
    "The striker fired a shot past the keeper in the 89th minute to win the derby.",
]


def countries(tagger: Tagger, ids) -> set[str]:
    family = tagger.taxonomy["region"]
    out = set()
    for label in ids:
        chain = [label, *family.ancestors(label)]
        if len(chain) >= 2:
            out.add(chain[-2])
    return out


def country_f1(tagger: Tagger, records: list[Record]) -> dict[str, float]:
    """Micro precision / recall / F1 of regions collapsed to countries."""
    tp = fp = fn = 0
    results = tagger.tag_many([r.text for r in records])
    for record, result in zip(records, results, strict=True):
        gold = countries(tagger, record.labels.get("region", ()))
        pred = countries(tagger, result.ids("region"))
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / max(p + r, 1e-9), 4)}


def syria_rate(tagger: Tagger, records: list[Record]) -> dict[str, float]:
    others = [r for r in records if "region" in r.labels and "sy" not in countries(tagger, r.labels["region"])]
    if not others:
        return {"records": 0, "tagged_sy": 0, "rate": 0.0}
    hits = sum("sy" in countries(tagger, res.ids("region")) for res in tagger.tag_many([r.text for r in others]))
    return {"records": len(others), "tagged_sy": hits, "rate": round(hits / len(others), 4)}


def micro(metrics) -> dict[str, float]:
    return {fam: round(m.micro_f1, 4) for fam, m in metrics.items()}


def reuters_places(tagger: Tagger) -> dict | None:
    try:
        from benchmarks.common import Budget
        from benchmarks.datasets import reuters_places as load
    except Exception as exc:  # pragma: no cover - benchmarks not importable
        return {"skipped": str(exc)}
    try:
        task = load(Budget(quick=False))
    except Exception as exc:
        return {"skipped": f"Reuters-21578 not available ({exc})"}
    records = [Record(text=d.text, labels={"region": sorted(d.labels)}, id=d.id) for d in task.test]
    return {"test_documents": len(records), "countries": country_f1(tagger, records)}


def heldout_records(taxonomy) -> dict[str, list[Record]]:
    from build_default_model import DEFAULT_GED, is_heldout, read_corpus, read_ucdp

    sources = read_corpus(taxonomy)
    sources["ucdp"], _ = read_ucdp(taxonomy, DEFAULT_GED)
    return {name: [r for r in recs if is_heldout(r.id)] for name, recs in sources.items() if recs}


def leave_one_source_out(taxonomy) -> dict:
    from build_default_model import DEFAULT_GED, OPTIONS, STRATEGY, is_heldout, read_corpus, read_ucdp, rebalance

    from tagger import train

    sources = read_corpus(taxonomy)
    sources["ucdp"], _ = read_ucdp(taxonomy, DEFAULT_GED)
    out = {}
    for left_out in ("team", "ucdp"):
        if not sources.get(left_out):
            continue
        train_records = [r for name, recs in sources.items() if name != left_out for r in recs if not is_heldout(r.id)]
        weights, _ = rebalance(train_records, taxonomy)
        started = time.perf_counter()
        model = train(train_records, taxonomy, strategy=STRATEGY, sample_weight=weights, **OPTIONS)
        test = [r for r in sources[left_out] if is_heldout(r.id)]
        out[f"without_{left_out}"] = {
            "tested_on": f"{left_out} held-out ({len(test)} records)",
            "micro_f1": micro(evaluate(model, test)),
            "countries": country_f1(model, test),
            "seconds": round(time.perf_counter() - started, 1),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--loso", action="store_true", help="also train without each source (minutes)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy(ROOT / "labels.yaml")
    tagger = Tagger.load(args.model)
    report: dict = {"model": str(args.model)}

    for path in sorted((ROOT / "data" / "eval").glob("*.jsonl")):
        records = list(read_records(path, taxonomy))
        report[path.stem] = {
            "records": len(records),
            "micro_f1": micro(evaluate(tagger, records)),
            "countries": country_f1(tagger, records),
            "syria_from_nothing": syria_rate(tagger, records),
        }
    heldout = heldout_records(taxonomy)
    report["heldout_per_source"] = {
        name: {
            "records": len(recs),
            "micro_f1": micro(evaluate(tagger, recs)),
            "countries": country_f1(tagger, recs),
            "syria_from_nothing": syria_rate(tagger, recs),
        }
        for name, recs in heldout.items()
    }
    report["no_place_texts"] = {
        "texts": len(NO_PLACE_TEXTS),
        "with_a_region": sum(bool(r.ids("region")) for r in tagger.tag_many(NO_PLACE_TEXTS)),
    }
    report["reuters_places_test"] = reuters_places(tagger)
    if args.loso:
        report["leave_one_source_out"] = leave_one_source_out(taxonomy)
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
