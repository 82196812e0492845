"""Readers round-trip any text and label lists written in their format."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tagger.readers import read_csv, read_jsonl

TEXT = st.text(min_size=1, max_size=200).filter(lambda t: t.strip())
IDS = st.lists(st.sampled_from(["sdf", "islamic-state", "united-states", "civilians"]), max_size=4, unique=True)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, IDS), min_size=1, max_size=8))
def test_jsonl_round_trip(small_taxonomy, rows):
    stream = io.StringIO("".join(json.dumps({"text": t, "labels": {"actor": ids}}) + "\n" for t, ids in rows))
    records = list(read_jsonl(stream, small_taxonomy))
    assert [(r.text, list(r.labels["actor"])) for r in records] == [(t, ids) for t, ids in rows]


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, IDS), min_size=1, max_size=8))
def test_csv_round_trip(small_taxonomy, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["text", "actor"])
    for text, ids in rows:
        writer.writerow([text, "|".join(ids)])
    buffer.seek(0)
    records = list(read_csv(io.StringIO(buffer.getvalue(), newline=""), small_taxonomy))
    assert [(r.text, list(r.labels["actor"])) for r in records] == [(t, ids) for t, ids in rows]
