"""Check team-written corpus files against labels.yaml and print what they cover.

Usage (from the repository root)::

    python scripts/check_corpus.py data/corpus/notes-asia.jsonl [more files ...]

Every line must be a JSON object with a unique ``id``, a non-empty ``text`` and ``labels`` whose families and ids
exist in ``labels.yaml``; world regions must not be listed (they are implied by the countries). The script exits 1
on the first file with an error (naming file and line) and otherwise prints counts per country and label and the
length of the texts, so a writer or reviewer can see the spread of a batch at a glance.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tagger.errors import DataError  # noqa: E402
from tagger.readers.jsonl import read_jsonl  # noqa: E402
from tagger.taxonomy import load_taxonomy  # noqa: E402


def country_of(label: str, parents: dict[str, str | None]) -> str:
    """The country (two-letter id) a region label belongs to, or the label itself for a world region."""
    while len(label) != 2 and parents.get(label):
        label = parents[label] or label
    return label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--quiet", action="store_true", help="print only errors and a one-line summary per file")
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy(ROOT / "labels.yaml")
    region = taxonomy.families["region"]
    parents = {label.id: label.parent for label in region.labels}
    world_regions = {label.id for label in region.labels if label.parent is None}
    seen_ids: dict[str, str] = {}
    status = 0
    for path in args.files:
        try:
            records = list(read_jsonl(path, taxonomy))
        except DataError as error:
            print(f"ERROR {error}")
            status = 1
            continue
        countries: Counter[str] = Counter()
        labels: Counter[tuple[str, str]] = Counter()
        words = []
        for number, record in enumerate(records, start=1):
            if record.id is None:
                print(f"ERROR {path}:{number}: record has no id")
                status = 1
            elif record.id in seen_ids:
                print(f"ERROR {path}:{number}: id {record.id!r} also in {seen_ids[record.id]}")
                status = 1
            else:
                seen_ids[record.id] = str(path)
            for family in ("region", "actor", "event_type"):
                if family not in record.labels:
                    print(f"ERROR {path}:{number}: family {family!r} missing (use [] for 'none apply')")
                    status = 1
            for label in record.labels.get("region", ()):
                if label in world_regions:
                    print(f"ERROR {path}:{number}: world region {label!r} listed; list countries only")
                    status = 1
                countries[country_of(label, parents)] += 1
            for family, ids in record.labels.items():
                for label in ids:
                    labels[(family, label)] += 1
            words.append(len(record.text.split()))
        words.sort()
        median = words[len(words) // 2] if words else 0
        print(
            f"{path}: {len(records)} records, {len(countries)} countries, "
            f"words min/median/max {words[0] if words else 0}/{median}/{words[-1] if words else 0}"
        )
        if not args.quiet:
            print("  countries:", ", ".join(f"{c} {n}" for c, n in countries.most_common()))
            for family in ("actor", "event_type"):
                row = sorted(((n, label) for (fam, label), n in labels.items() if fam == family), reverse=True)
                print(f"  {family}:", ", ".join(f"{label} {n}" for n, label in row))
            empty = sum(1 for r in records if not r.labels.get("event_type"))
            print(f"  records with no event type: {empty}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
