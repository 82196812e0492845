"""Never lose data, never leave a mess, never a traceback (issue 13): the CLI end to end on real files and models."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tagger import DataError, ParameterError, Tagger
from tagger.batch import tag_stream
from tagger.cli import build_parser, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def model_path(small_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("safe") / "model"
    small_model.save(path)
    return path


@pytest.fixture(scope="module")
def texts(small_records):
    return [r.text for r in small_records]


def _write_jsonl(path, texts, n):
    path.write_text(
        "".join(json.dumps({"id": f"d{i}", "text": texts[i % len(texts)]}) + "\n" for i in range(n)), encoding="utf-8"
    )
    return path


def _tag(model_path, *args):
    return main(["tag", "--model", str(model_path), "--no-progress", "--jobs", "1", *map(str, args)])


def _ids(path):
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


# --- data loss -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_output_that_is_the_input_is_refused(model_path, texts, tmp_path, capsys, link):
    source = _write_jsonl(tmp_path / "a.jsonl", texts, 20)
    before = source.read_bytes()
    target = source
    if link == "symlink":
        target = tmp_path / "b.jsonl"
        target.symlink_to(source)
    elif link == "hardlink":
        target = tmp_path / "b.jsonl"
        os.link(source, target)
    assert _tag(model_path, "--input", source, "--output", target, "--force") == 1
    assert "is the input file" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_an_existing_output_is_refused_unless_forced_and_no_temp_file_is_left(model_path, texts, tmp_path, capsys):
    source = _write_jsonl(tmp_path / "in.jsonl", texts, 10)
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    assert _tag(model_path, "--input", source, "--output", out) == 1
    assert "exists; pass --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert _tag(model_path, "--input", source, "--output", out, "--force") == 0
    assert _ids(out) == [f"d{i}" for i in range(10)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_a_run_that_fails_before_any_row_leaves_the_old_output(model_path, tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text("{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    assert _tag(model_path, "--input", source, "--output", out, "--force") == 1
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_a_bad_byte_mid_file_writes_every_earlier_record_and_names_the_line(model_path, texts, tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    good = [json.dumps({"id": f"d{i}", "text": texts[i % len(texts)]}).encode() for i in range(3000)]
    bad = '{"id": "x", "text": "Caf\u00e9 bombed"}'.encode("latin-1")
    source.write_bytes(b"\n".join([*good, bad, *good[:0]]) + b"\n" + b'{"id": "last", "text": "Raqqa"}\n')
    out = tmp_path / "out.jsonl"
    assert _tag(model_path, "--input", source, "--output", out, "--batch-size", "64") == 1
    err = capsys.readouterr().err
    assert f"{source}:3001: byte" in err and "--encoding" in err and "Traceback" not in err
    assert _ids(out) == [f"d{i}" for i in range(3000)]
    short = tmp_path / "short.jsonl"  # the same bad line among a few good ones: skipped, or read as Latin-1
    short.write_bytes(b"\n".join([*good[:5], bad]) + b"\n" + b'{"id": "last", "text": "Raqqa"}\n')
    assert _tag(model_path, "--input", short, "--output", out, "--skip-bad", "--force") == 0
    assert "skipped 1 bad line" in capsys.readouterr().err
    assert _ids(out) == [*(f"d{i}" for i in range(5)), "last"]
    assert _tag(model_path, "--input", short, "--output", out, "--encoding", "latin-1", "--force") == 0
    assert _ids(out) == [*(f"d{i}" for i in range(5)), "x", "last"]


def test_parquet_output_stopped_by_a_bad_line_is_readable(model_path, texts, tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    source = _write_jsonl(tmp_path / "in.jsonl", texts, 300)
    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines[:200] + ["{nope"] + lines[200:]) + "\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert _tag(model_path, "--input", source, "--output", out, "--batch-size", "50") == 1
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == [f"d{i}" for i in range(200)]


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_resume_skips_the_ids_already_in_the_output(model_path, texts, tmp_path, capsys, suffix):
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    source = _write_jsonl(tmp_path / "in.jsonl", texts, 120)
    full, out = tmp_path / f"full.{suffix}", tmp_path / f"out.{suffix}"
    assert _tag(model_path, "--input", source, "--output", full) == 0
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(source.read_text(encoding="utf-8").splitlines(True)[:45]), encoding="utf-8")
    assert _tag(model_path, "--input", partial, "--output", out) == 0
    if suffix == "jsonl":  # an interrupted run leaves a line cut short: it is tagged again
        out.write_bytes(out.read_bytes() + b'{"id": "d45", "regi')
    assert _tag(model_path, "--input", source, "--output", out, "--resume") == 0
    assert "45 record(s) were already in" in capsys.readouterr().err
    if suffix == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_table(out).to_pylist() == pq.read_table(full).to_pylist()
    else:
        assert out.read_text(encoding="utf-8") == full.read_text(encoding="utf-8")


def test_train_checks_out_before_reading_the_data(tmp_path, capsys):
    out = tmp_path / "a-file"
    out.write_text("x", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert main(["train", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--out" in err and "is a file" in err and "bad.jsonl" not in err
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root can write anywhere
            assert main(["train", str(bad), "--out", str(locked / "m")]) == 1
            assert "permission denied" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


# --- clean errors --------------------------------------------------------------------------------------------------


def test_labels_of_an_unknown_family_is_an_error(capsys):
    assert main(["labels", "--family", "nope"]) == 1
    assert "no family 'nope' in the taxonomy; it has: region, actor, event_type" in capsys.readouterr().err


def test_parquet_to_stdout_is_refused_before_tagging(model_path, texts, tmp_path, capsys):
    source = _write_jsonl(tmp_path / "in.jsonl", texts, 3)
    assert _tag(model_path, "--input", source, "--output", "-", "--output-format", "parquet") == 1
    assert "parquet output needs a file" in capsys.readouterr().err


def test_an_unreachable_dask_scheduler_is_a_parameter_error():
    pytest.importorskip("dask.distributed")
    from tagger.batch.dask_engine import local_client

    with pytest.raises(ParameterError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        local_client(1, "tcp://127.0.0.1:9", timeout=2)


def test_evaluate_on_an_empty_file_says_there_are_no_records(model_path, tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["evaluate", str(model_path), str(empty)]) == 1
    assert "no records to evaluate" in capsys.readouterr().err


def test_jobs_zero_is_refused(model_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["tag", "--model", str(model_path), "--input", "x.jsonl", "--jobs", "0"])
    assert exit_.value.code == 2
    assert "--jobs/-j: expected a whole number >= 1, got 0" in capsys.readouterr().err


def test_every_cli_option_has_help_and_train_names_its_default_strategy():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    missing = [
        f"{name} {action.option_strings or action.dest}"
        for name, sub in commands.items()
        for action in sub._actions
        if action.dest != "help" and not action.help
    ]
    assert missing == []
    assert "default: auto" in " ".join(commands["train"].format_help().split())


# --- the API -------------------------------------------------------------------------------------------------------


def test_tag_many_refuses_a_single_string(small_model):
    with pytest.raises(TypeError, match="got a single str; use Tagger.tag"):
        small_model.tag_many("Clashes near Mosul")


def test_tag_stream_accepts_dicts_and_strings(small_model):
    text = "Clashes near Mosul"
    rows = list(tag_stream([text, {"id": 7, "text": text, "url": "u"}], model=small_model, keep=["url"]))
    expected = small_model.tag(text).to_dict()
    assert rows == [expected, {"id": "7", "url": "u", **expected}]
    with pytest.raises(TypeError, match="item 1 is a int"):
        list(tag_stream([3], model=small_model))


def test_top_k_and_threshold_override_the_cutoffs(small_model, model_path, tmp_path, capsys):
    text = "Drone strike on ISIS near Raqqa, the Pentagon said, as Iraqi forces clashed near Mosul"
    default = small_model.tag(text)
    low = small_model.tag(text, threshold=0.0)
    assert all(len(low[f]) == len(small_model.families[f].family) for f in small_model.families)
    assert [len(r) for r in small_model.tag(text, top_k=1).families.values()] == [
        min(1, len(r)) for r in default.families.values()
    ]
    assert small_model.tag(text, threshold=1.0).to_dict() == {f: [] for f in small_model.families}
    with pytest.raises(ParameterError, match="'threshold' parameter of Tagger.tag must be a float in"):
        small_model.tag(text, threshold=1.5)
    assert _tag(model_path, "--top-k", "1", "--threshold", "0", text) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(len(items) == 1 for items in out.values())


def test_csv_and_parquet_scores_are_numbers(model_path, texts, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    source = _write_jsonl(tmp_path / "in.jsonl", texts, 30)
    assert _tag(model_path, "--input", source, "--output", tmp_path / "o.parquet") == 0
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.schema.field("region").type == pa.list_(pa.string())
    assert table.schema.field("region_scores").type == pa.list_(pa.float64())
    row = table.slice(0, 1).to_pylist()[0]
    assert len(row["region"]) == len(row["region_scores"]) and all(0 <= s <= 1 for s in row["region_scores"])
    assert _tag(model_path, "--input", source, "--output", tmp_path / "o.csv") == 0
    with open(tmp_path / "o.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    tops = [float(r["region_top_score"]) for r in rows if r["region"]]
    assert tops and all(0 <= t <= 1 for t in tops)
    assert all(float(r["region_scores"].split("|")[0]) == float(r["region_top_score"]) for r in rows if r["region"])


# --- stray processes (slow: real signals on a real run) -------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(model_path, source, out):
    command = [sys.executable, "-m", "tagger", "tag", "--model", str(model_path), "--input", str(source)]
    command += ["--output", str(out), "--jobs", "2", "--batch-size", "20", "--no-progress"]
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_sigterm_with_two_jobs_stops_cleanly(model_path, texts, tmp_path, suffix):
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    source = _write_jsonl(tmp_path / "in.jsonl", texts, 40_000)
    out = tmp_path / f"out.{suffix}"
    process = _start(model_path, source, out)
    workers: set[int] = set()

    def started() -> bool:
        workers.update(_children(process.pid))
        temps = list(tmp_path.glob(f".out.{suffix}.*.tmp"))
        return len(workers) >= 2 and bool(temps) and temps[0].stat().st_size > 20_000

    assert _wait_for(started), process.stderr.read() if process.poll() is not None else "no progress"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "terminated (SIGTERM)" in err and "Traceback" not in err
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 15), "workers outlived the run"
    if suffix == "parquet":
        import pyarrow.parquet as pq

        ids = pq.read_table(out).column("id").to_pylist()
    else:
        ids = _ids(out)
    assert 0 < len(ids) < 40_000 and ids == [f"d{i}" for i in range(len(ids))]
    assert not list(tmp_path.glob(".out.*.tmp"))


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.slow
def test_kill_9_of_the_parent_takes_the_workers_down(model_path, texts, tmp_path):
    source = _write_jsonl(tmp_path / "in.jsonl", texts, 40_000)
    process = _start(model_path, source, tmp_path / "out.jsonl")
    workers: set[int] = set()

    def started() -> bool:
        workers.update(_children(process.pid))
        return len(workers) >= 3 and any(p.stat().st_size > 0 for p in tmp_path.glob(".out.jsonl.*.tmp"))

    assert _wait_for(started), "no workers"
    process.kill()
    process.wait(timeout=10)
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 15), [p for p in workers if _alive(p)]


def test_data_errors_name_the_file_for_resume_without_ids(model_path, tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "no id"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("", encoding="utf-8")
    assert _tag(model_path, "--input", source, "--output", out, "--resume") == 1
    assert "--resume needs ids" in capsys.readouterr().err
    assert isinstance(DataError("x"), ValueError) and Tagger
