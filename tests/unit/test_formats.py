"""The format registry, the shared CSV code and the batch package's shared helpers (issue 10, items 3 and 4)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from tagger import DataError, ParameterError
from tagger.batch import default_jobs, resolve_model
from tagger.batch.writers import OUTPUT_FORMATS, WRITERS, guess_output_format
from tagger.cli import build_parser
from tagger.readers import FORMATS, read_csv, read_records
from tagger.readers.formats import get_format, guess_format, input_formats


def test_every_format_is_one_registry_entry_with_its_properties():
    assert list(FORMATS) == ["jsonl", "csv", "parquet", "acled", "ucdp"]
    assert FORMATS["parquet"].suffixes == (".parquet", ".pq") and not FORMATS["parquet"].labelled
    assert FORMATS["acled"].needs_mapping and FORMATS["ucdp"].needs_mapping and not FORMATS["csv"].needs_mapping
    assert input_formats(labelled=True) == ("jsonl", "csv", "acled", "ucdp")
    assert set(WRITERS) == set(OUTPUT_FORMATS) == {name for name, fmt in FORMATS.items() if fmt.writable}


def test_suffixes_are_guessed_from_the_registry():
    assert [guess_format(n) for n in ("a.jsonl", "a.CSV", "a.pq", "a.parquet", "a.txt", "-")] == [
        "jsonl", "csv", "parquet", "parquet", "jsonl", "jsonl",
    ]  # fmt: skip
    assert guess_output_format("out.parquet") == "parquet" and guess_output_format(None) == "jsonl"
    with pytest.raises(DataError, match="unknown data format 'xml'"):
        get_format("xml")


def test_cli_format_choices_come_from_the_registry():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    choice = lambda cmd, dest: next(a for a in sub[cmd]._actions if a.dest == dest).choices  # noqa: E731
    assert choice("train", "format") == ["auto", *input_formats(labelled=True)]
    assert choice("evaluate", "format") == ["auto", *input_formats(labelled=True)]
    assert tuple(choice("tag", "output_format")) == ("auto", *OUTPUT_FORMATS)
    assert "parquet" in choice("tag", "format")


def test_parquet_is_read_through_the_registry_and_refuses_to_train(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["x", "y"], "url": ["u1", "u2"]}), path)
    records = list(read_records(path, require_labels=False))
    assert [(r.id, r.text, r.extra) for r in records] == [("a", "x", {"url": "u1"}), ("b", "y", {"url": "u2"})]
    with pytest.raises(DataError, match="Parquet input carries no labels"):
        list(read_records(path))
    with pytest.raises(ParameterError, match="mapping applies to the acled and ucdp formats only"):
        read_records(path, mapping="m.yaml")


def test_importing_and_reading_leave_the_csv_field_limit_alone():
    code = (
        "import csv, io; before = csv.field_size_limit()\n"
        "import tagger, tagger.readers.csv, tagger.readers.acled, tagger.readers.ucdp, tagger.readers.mapping\n"
        "import tagger.cli\n"
        "assert csv.field_size_limit() == before, 'import changed the limit'\n"
        "from tagger.readers import read_csv\n"
        "long = 'x' * 300_000\n"
        "rows = list(read_csv(io.StringIO('text,actor\\n' + long + ',\\n'), require_labels=False))\n"
        "assert rows[0].text == long\n"
        "assert csv.field_size_limit() == before, 'reading changed the limit'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert csv.field_size_limit() == 131072


def test_csv_family_columns_can_come_from_the_caller():
    data = "text,actor,region\nhello,hamas,sy\n"
    record = next(read_csv(io.StringIO(data), families=("actor",)))
    assert record.labels == {"actor": ("hamas",)} and record.extra == {"region": "sy"}


def test_resolve_model_is_the_one_way_to_get_a_tagger(small_model, tmp_path):
    assert resolve_model(small_model) is small_model
    small_model.save(tmp_path / "m")
    loaded = resolve_model(tmp_path / "m", max_chars=40)
    assert loaded.max_chars == 40 and list(loaded.families) == list(small_model.families)
    with pytest.raises(TypeError, match="model must be a path, a Tagger or None"):
        resolve_model(3)
    assert default_jobs() >= 1


def test_stream_workers_use_the_max_chars_asked_for(small_model, tmp_path):
    from tagger.batch import tag_stream

    small_model.save(tmp_path / "m")
    text = "Protesters rallied peacefully in the square for hours. " * 3 + "Clashes near Mosul with IS fighters."
    short = resolve_model(tmp_path / "m", max_chars=60).tag(text).to_dict()
    full = small_model.tag(text).to_dict()
    assert short != full
    rows = list(tag_stream([text, text], model=tmp_path / "m", jobs=2, batch_size=1, max_chars=60))
    assert [{k: v for k, v in row.items() if k != "id"} for row in rows] == [short, short]


def test_the_old_module_names_still_import_for_the_benchmarks():
    import tagger.batch
    import tagger.batch.dask_engine
    from tagger.dask_engine import tag_bag
    from tagger.stream import tag_stream

    assert tag_stream is tagger.batch.tag_stream and tag_bag is tagger.batch.dask_engine.tag_bag
