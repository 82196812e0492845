"""The whole UCDP GED Syria extract (16,566 real events) through the UCDP reader and the shipped mapping.

The file lives in ``../shared/data/ucdp-ged-syria/`` (CC BY 4.0, read in place, never copied into the repository);
where it is absent the test is skipped with a message. Run with ``-s`` to see the mapping report.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from tagger import load_taxonomy
from tagger.readers.mapping import MappingReport
from tagger.readers.ucdp import read_ucdp

GED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ucdp-ged-syria" / "ucdp_ged_syria_2016_2019.csv"
ROWS = 16_566

# GED adm_1 -> region id, as in data/ucdp/MAPPING.md (an empty adm_1 is the country).
ADM_1 = {
    "Aleppo Governorate": "sy-aleppo",
    "Rif Dimashq Governorate": "sy-rif-dimashq",
    "Deir ez Zor Governorate": "sy-deir-ez-zor",
    "Idlib Governorate": "sy-idlib",
    "Ar Raqqah Governorate": "sy-raqqa",
    "Hamah Governorate": "sy-hama",
    "Homs Governorate": "sy-homs",
    "Daraa Governorate": "sy-daraa",
    "Damascus Governorate": "sy-damascus",
    "Al Hasakah Governorate": "sy-hasakah",
    "Latakia Governorate": "sy-latakia",
    "Quneitra Governorate": "sy-quneitra",
    "As Suwayda Governorate": "sy-as-suwayda",
    "Tartus Governorate": "sy-tartus",
    "": "sy",
}

pytestmark = pytest.mark.skipif(not GED.is_file(), reason=f"UCDP GED Syria extract not found at {GED}")


@pytest.fixture(scope="module")
def read():
    report = MappingReport()
    records = list(read_ucdp(GED, load_taxonomy(), report=report))
    print("\n" + "\n".join(report.lines(limit=15)))
    return records, report


def test_counts(read):
    records, report = read
    skipped = sum(report.skipped.values())
    assert report.records == len(records)
    assert len(records) + skipped == ROWS  # every row is either a record or counted as skipped
    assert set(report.skipped) == {"empty or junk headline"}
    assert 100 <= skipped <= 170  # source codes ("TS164"), bare links, "Airwars assessment": about 0.8 %
    assert len({r.id for r in records}) == len(records)


def test_mapping_coverage(read):
    records, report = read
    assert report.annotated["region"] == report.labelled["region"] == len(records)  # every adm_1 maps
    assert report.coverage("actor") > 0.995
    assert report.annotated["event_type"] == 0  # GED has no event-type field: not annotated
    mentions = sum(report.unmapped.values())
    assert set(field for field, _ in report.unmapped) == {"side"}
    assert mentions < 0.01 * len(records)


def test_labels_follow_the_codes(read):
    records, _ = read
    with GED.open(encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    violence = Counter()
    for record in records:
        row = rows[record.id]
        assert record.labels["region"] == (ADM_1[row["adm_1"]],)
        actors = record.labels["actor"]
        if row["type_of_violence"] == "3":
            violence["one-sided"] += 1
            assert "civilians" in actors
        if row["side_a"] == "Government of Syria":
            assert actors[0] == "syrian-government"
        if row["side_b"] == "SDF":
            assert "sdf" in actors
        assert record.text.strip() and row["source_headline"].strip()[:40] in record.text
    assert violence["one-sided"] > 450
