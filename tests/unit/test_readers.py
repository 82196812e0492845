"""Readers on in-memory files: good records, every kind of bad line, and the skip option."""

from __future__ import annotations

import io
import json

import pytest

from tagger import DataError
from tagger.readers import read_csv, read_jsonl, read_records


def jsonl(*objects) -> io.StringIO:
    lines = [o if isinstance(o, str) else json.dumps(o) for o in objects]
    return io.StringIO("\n".join(lines) + "\n")


def test_absent_family_is_not_annotated_and_empty_list_is_none(small_taxonomy):
    (record,) = read_jsonl(jsonl({"id": "a", "text": "x", "labels": {"actor": []}}), small_taxonomy)
    assert record.labels == {"actor": ()}
    assert "region" not in record.labels


def test_reader_is_lazy():
    stream = jsonl({"text": "one", "labels": {"actor": []}}, "not json")
    records = read_jsonl(stream)
    assert next(records).text == "one"
    with pytest.raises(DataError):
        next(records)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{bad json", "invalid JSON"),
        ('{"labels": {"actor": []}}', "missing 'text'"),
        ('{"text": 5, "labels": {"actor": []}}', "'text' must be a string"),
        ('{"text": "x", "labels": {"actor": ["nobody"]}}', "unknown label id 'nobody' in family 'actor'"),
        ('{"text": "x", "labels": {"weather": ["rain"]}}', "unknown family 'weather'"),
        ('{"text": "x", "labels": {"actor": "sdf"}}', "must be a list"),
        ("[1, 2]", "expected a JSON object"),
        ('{"text": "x"}', "no 'labels'"),
    ],
)
def test_bad_lines_name_file_and_line(small_taxonomy, line, expected):
    stream = jsonl({"text": "fine", "labels": {"actor": []}}, line)
    stream.name = "data.jsonl"
    with pytest.raises(DataError) as info:
        list(read_jsonl(stream, small_taxonomy))
    assert str(info.value).startswith("data.jsonl:2:")
    assert expected in str(info.value)


def test_duplicate_ids(small_taxonomy):
    stream = jsonl({"id": "a", "text": "x", "labels": {"actor": []}}, {"id": "a", "text": "y", "labels": {"actor": []}})
    with pytest.raises(DataError, match="duplicate record id 'a' \\(first on line 1\\)"):
        list(read_jsonl(stream, small_taxonomy))


def test_skip_bad_counts_skipped_lines(small_taxonomy):
    skipped: list[DataError] = []
    stream = jsonl({"text": "x", "labels": {"actor": []}}, "{bad", {"text": "y", "labels": {"actor": ["nobody"]}})
    records = list(read_jsonl(stream, small_taxonomy, skip_bad=True, skipped=skipped))
    assert [r.text for r in records] == ["x"]
    assert len(skipped) == 2


def test_csv_columns_per_family(small_taxonomy):
    data = io.StringIO('id,text,actor,event_type,extra\n1,"Clashes, then calm",sdf|islamic-state,,kept\n')
    (record,) = read_csv(data, small_taxonomy)
    assert record.id == "1"
    assert record.labels == {"actor": ("sdf", "islamic-state"), "event_type": ()}
    assert record.extra == {"extra": "kept"}


def test_csv_errors(small_taxonomy):
    with pytest.raises(DataError, match="no 'text' column"):
        list(read_csv(io.StringIO("body,actor\nx,sdf\n"), small_taxonomy))
    with pytest.raises(DataError, match=":2: unknown label id 'nobody'"):
        list(read_csv(io.StringIO("text,actor\nx,nobody\n"), small_taxonomy))
    with pytest.raises(DataError, match=":2: 1 fields, the header has 2"):
        list(read_csv(io.StringIO("text,actor\nx\n"), small_taxonomy))


def test_read_records_picks_reader_from_name(tmp_path, small_taxonomy):
    path = tmp_path / "d.csv"
    path.write_text("text,region\nParis,fr\n", encoding="utf-8")
    assert [r.labels for r in read_records(path, small_taxonomy)] == [{"region": ("fr",)}]
    with pytest.raises(DataError, match="file not found"):
        list(read_records(tmp_path / "missing.jsonl", small_taxonomy))
