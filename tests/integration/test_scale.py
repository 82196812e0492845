"""Streaming batch tagging, worker processes, Dask, pandas and out-of-core training — on real files and models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagger import Tagger
from tagger.batch import tag_stream
from tagger.cli import main
from tagger.readers import read_jsonl
from tagger.train_stream import train_streaming

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def model_path(small_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "model"
    small_model.save(path)
    return path


@pytest.fixture(scope="module")
def articles(small_records):
    return [{"id": f"d{i}", "text": small_records[i % len(small_records)].text, "src": f"s{i}"} for i in range(600)]


@pytest.fixture(scope="module")
def input_file(articles, tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "in.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def test_two_workers_equal_one_and_keep_order(model_path, input_file, small_model):
    records = lambda: read_jsonl(input_file, require_labels=False)  # noqa: E731
    single = list(tag_stream(records(), model=model_path, jobs=1, batch_size=50, keep=["src"]))
    double = list(tag_stream(records(), model=model_path, jobs=2, batch_size=50, keep=["src"]))
    assert single == double
    assert [row["id"] for row in single] == [f"d{i}" for i in range(600)]
    assert single[3]["src"] == "s3"
    assert {k: v for k, v in single[0].items() if k not in ("id", "src")} == small_model.tag(
        next(records()).text
    ).to_dict()


def test_bad_line_stops_after_writing_earlier_lines(model_path, input_file, tmp_path, capsys):
    broken = tmp_path / "broken.jsonl"
    lines = input_file.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join(lines[:120] + ["{not json"] + lines[120:]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(
        [
            "tag",
            "--model",
            str(model_path),
            "--input",
            str(broken),
            "--output",
            str(out),
            "--jobs",
            "2",
            "--batch-size",
            "32",
            "--no-progress",
        ]
    )
    assert code == 1
    assert f"{broken}:121: invalid JSON" in capsys.readouterr().err
    written = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in written] == [f"d{i}" for i in range(120)]

    assert (
        main(
            [
                "tag",
                "--model",
                str(model_path),
                "--input",
                str(broken),
                "--output",
                str(out),
                "--jobs",
                "1",
                "--skip-bad",
                "--force",
                "--no-progress",
            ]
        )
        == 0
    )
    assert len(out.read_text(encoding="utf-8").splitlines()) == 600
    assert "skipped 1 bad line" in capsys.readouterr().err


def test_csv_and_parquet_output(model_path, input_file, tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    csv_out, pq_out = tmp_path / "o.csv", tmp_path / "o.parquet"
    for out in (csv_out, pq_out):
        assert (
            main(
                [
                    "tag",
                    "--model",
                    str(model_path),
                    "--input",
                    str(input_file),
                    "--output",
                    str(out),
                    "--jobs",
                    "1",
                    "--keep",
                    "src",
                    "--no-progress",
                ]
            )
            == 0
        )
    header = csv_out.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "id,src,region,region_scores,region_top_score,actor,actor_scores,actor_top_score,"
        "event_type,event_type_scores,event_type_top_score"
    )
    table = pq.read_table(pq_out)
    assert table.num_rows == 600
    # Parquet in, JSONL out
    import pyarrow as pa

    pq_in = tmp_path / "in.parquet"
    rows = [json.loads(line) for line in input_file.read_text(encoding="utf-8").splitlines()]
    pq.write_table(pa.Table.from_pylist(rows), pq_in)
    jsonl_out = tmp_path / "back.jsonl"
    assert (
        main(
            [
                "tag",
                "--model",
                str(model_path),
                "--input",
                str(pq_in),
                "--output",
                str(jsonl_out),
                "--jobs",
                "1",
                "--no-progress",
            ]
        )
        == 0
    )
    back = [json.loads(line) for line in jsonl_out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in back] == [row["id"] for row in rows]


def test_tag_frame(small_model):
    pd = pytest.importorskip("pandas")
    from tagger.batch import tag_frame

    frame = pd.DataFrame({"text": ["Clashes near Mosul", "Protest in Paris"], "n": [1, 2]})
    out = tag_frame(frame, "text", tagger=small_model, scores=True)
    assert list(out.columns) == [
        "text",
        "n",
        "region",
        "region_scores",
        "actor",
        "actor_scores",
        "event_type",
        "event_type_scores",
    ]
    assert out["region"][0] == small_model.tag("Clashes near Mosul").ids("region")
    with pytest.raises(KeyError, match="no column 'body'"):
        tag_frame(frame, "body", tagger=small_model)


@pytest.mark.slow
def test_dask_local_cluster_equals_single_process(model_path, articles, small_model):
    pytest.importorskip("dask.distributed")
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

    from tagger.batch.dask_engine import local_client, tag_bag, tag_dataframe

    client = local_client(2)
    try:
        bag = db.from_sequence(articles[:200], npartitions=4)
        rows = tag_bag(bag, model=model_path).compute()
        expected = [{"id": a["id"], **small_model.tag(a["text"]).to_dict()} for a in articles[:200]]
        assert rows == expected
        frame = dd.from_pandas(pd.DataFrame(articles[:100]), npartitions=3)
        tagged = tag_dataframe(frame, "text", model=model_path).compute()
        assert tagged["actor"].tolist() == [small_model.tag(a["text"]).ids("actor") for a in articles[:100]]
    finally:
        client.close()


def test_streaming_training_gives_a_normal_model(small_taxonomy, tmp_path):
    source = lambda: read_jsonl(FIXTURES / "small.jsonl", small_taxonomy)  # noqa: E731
    model = train_streaming(source, small_taxonomy, batch_size=6, holdout_every=4, epochs=5)
    assert model.info["training"] == "streaming"
    model.save(tmp_path / "s")
    loaded = Tagger.load(tmp_path / "s")
    assert loaded.tag("Protesters rally in Paris").to_dict() == model.tag("Protesters rally in Paris").to_dict()
    assert "fr" in model.tag("Protesters rally in Paris").ids("region")


def test_cli_streaming_training(tmp_path, capsys):
    out = tmp_path / "streamed"
    code = main(
        [
            "train",
            "--streaming",
            str(FIXTURES / "small.jsonl"),
            "--labels",
            str(FIXTURES / "labels-small.yaml"),
            "--out",
            str(out),
            "--batch-size",
            "5",
        ]
    )
    assert code == 0
    assert "held out for thresholds" in capsys.readouterr().out
    assert Tagger.load(out).info["training"] == "streaming"
