"""Input a real user has: byte-order marks, other encodings, a bad byte mid-file, absurd nesting (issue 13)."""

from __future__ import annotations

import io
import json

import pytest

from tagger import DataError, TaxonomyError, load_taxonomy
from tagger.readers import read_csv, read_jsonl, read_records


def test_a_utf8_bom_is_accepted_in_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "x"}).encode() + b"\n")
    assert [r.id for r in read_jsonl(jsonl, require_labels=False)] == ["a"]
    data = tmp_path / "bom.csv"
    data.write_bytes(b"\xef\xbb\xbftext,id\nhello,1\n")
    assert [(r.text, r.id) for r in read_csv(data, require_labels=False)] == [("hello", "1")]
    assert [r.text for r in read_csv(io.StringIO("\ufefftext\nhi\n"), require_labels=False)] == ["hi"]


def test_cp1252_csv_reads_with_encoding_and_the_error_names_file_line_and_byte(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text\nfine\nCaf\u00e9 in Sa\u00efda\n".encode("cp1252"))
    with pytest.raises(DataError) as caught:
        list(read_csv(path, require_labels=False))
    message = str(caught.value)
    assert f"{path}:3:" in message and "byte 4 of the line (0xe9)" in message and "--encoding cp1252" in message
    assert [r.text for r in read_csv(path, require_labels=False, encoding="cp1252")][-1] == "Caf\u00e9 in Sa\u00efda"
    with pytest.raises(DataError, match="unknown text encoding 'nope'"):
        list(read_csv(path, encoding="nope"))


def test_a_bad_byte_after_3000_lines_keeps_every_earlier_record(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = [json.dumps({"id": f"r{i}", "text": f"line {i}"}).encode() for i in range(3000)]
    bad = '{"id": "bad", "text": "Caf\u00e9"}'.encode("latin-1")
    path.write_bytes(b"\n".join([*good, bad, *good[:2]]).replace(b'"r0"', b'"r0"') + b"\n")
    seen = []
    with pytest.raises(DataError, match=r"mixed\.jsonl:3001: byte \d+ of the line \(0xe9\) is not valid utf-8"):
        for record in read_jsonl(path, require_labels=False):
            seen.append(record.id)
    assert seen == [f"r{i}" for i in range(3000)]
    skipped: list[DataError] = []
    path.write_bytes(b"\n".join([*good[:5], bad, *[g.replace(b'"r', b'"s') for g in good[:5]]]) + b"\n")
    ids = [r.id for r in read_jsonl(path, require_labels=False, skip_bad=True, skipped=skipped)]
    assert len(ids) == 10 and len(skipped) == 1 and ":6:" in str(skipped[0])


def test_a_bad_byte_in_a_csv_is_skipped_and_counted(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'id,text\n1,a\n2,caf\xe9\n3,"multi\nline"\n4,d\n')
    skipped: list[DataError] = []
    rows = list(read_csv(path, require_labels=False, skip_bad=True, skipped=skipped))
    assert [(r.id, r.line) for r in rows] == [("1", 2), ("3", 5), ("4", 6)]
    assert len(skipped) == 1 and f"{path}:3:" in str(skipped[0])


def test_deep_json_nesting_is_a_clean_error():
    deep = '{"text": "x", "labels": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(DataError, match=r"<stream>:1: the JSON is nested too deeply"):
        list(read_jsonl(io.StringIO(deep), require_labels=False))


def test_a_5000_digit_id_is_a_clean_error():
    line = '{"id": ' + "9" * 5000 + ', "text": "x"}'
    with pytest.raises(DataError, match=r":1: invalid JSON \(Exceeds the limit"):
        list(read_jsonl(io.StringIO(line), require_labels=False))


@pytest.mark.slow  # PyYAML takes seconds to compose 10,000 levels
def test_deep_yaml_nesting_is_a_clean_error(tmp_path):
    deep = "families: " + "[" * 10_000 + "]" * 10_000 + "\n"
    path = tmp_path / "deep.yaml"
    path.write_text(deep, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="deep.yaml: the YAML is nested too deeply"):
        load_taxonomy(path)


def test_encoding_reaches_every_text_reader(tmp_path):
    path = tmp_path / "acled.csv"
    header = "event_id_cnty,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,country,admin1,notes\n"
    row = "SYR1,Battles,Armed clash,Military Forces of Syria (2000-),,,,Syria,Idleb,Clashes near Ma\u00e2rrat al-Numan today\n"
    path.write_bytes((header + row).encode("cp1252"))
    with pytest.raises(DataError, match=":2: byte"):
        list(read_records(path, format="acled"))
    assert len(list(read_records(path, format="acled", encoding="cp1252"))) == 1
