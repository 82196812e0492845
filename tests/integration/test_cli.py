"""The CLI end to end in a temporary folder: train -> tag -> evaluate -> labels, through main() and a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tagger.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LABELS = str(FIXTURES / "labels-small.yaml")
DATA = str(FIXTURES / "small.jsonl")


@pytest.mark.slow
def test_train_tag_evaluate(tmp_path, capsys):
    model = tmp_path / "models" / "small"
    assert main(["train", DATA, "--labels", LABELS, "--out", str(model), "--cv", "3"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "saved" in out and "microF1" in out
    assert captured.err.startswith("trained 3 families on ")  # stderr is not a terminal: one summary line
    assert (model / "manifest.json").is_file()

    assert main(["tag", "--model", str(model), "Drone strike on ISIS near Raqqa, the Pentagon said"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["region", "actor", "event_type"]
    assert "sy-raqqa" in [item["id"] for item in result["region"]]

    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "a", "text": "Protesters rally in Paris"}\n{"id": "b", "text": ""}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    assert main(["tag", "--model", str(model), "--input", str(inputs), "--output", str(output)]) == 0
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[1]["region"] == [] and lines[1]["actor"] == []

    assert main(["evaluate", str(model), DATA, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"region", "actor", "event_type"}
    assert 0.0 <= report["event_type"]["micro_f1"] <= 1.0


def test_bad_data_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "labels": {"actor": ["nobody"]}}\n', encoding="utf-8")
    assert main(["train", str(bad), "--labels", LABELS, "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: unknown label id 'nobody' in family 'actor'" in err
    assert not (tmp_path / "m").exists()


def test_labels_check(tmp_path, capsys):
    assert main(["labels", "--check", LABELS]) == 0
    assert "ok" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("families:\n  region:\n    labels:\n      - {id: a, parent: zz}\n", encoding="utf-8")
    assert main(["labels", "--check", str(broken)]) == 1
    assert f"{broken}:4:" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m_and_stdin(tmp_path):
    model = tmp_path / "m"
    subprocess.run(
        [sys.executable, "-m", "tagger", "train", DATA, "--labels", LABELS, "--out", str(model), "--cv", "3"],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "tagger", "tag", "--model", str(model), "-"],
        input="Clashes between the SDF and IS fighters near Tabqa",
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    assert "sdf" in [item["id"] for item in result["actor"]]


def test_train_select_metric_reaches_the_trainer(tmp_path, capsys):
    from tagger import Tagger

    model = tmp_path / "m"
    argv = ["train", DATA, "--labels", LABELS, "--out", str(model), "--cv", "2", "--strategy", "ovr", "--select"]
    assert main([*argv, "--select-metric", "macro", "--shrink", "cv"]) == 0
    info = Tagger.load(model).info
    assert info["options"]["select_metric"] == "macro"
    assert info["families"]["event_type"]["selection"]["metric"] == "macro"
    assert info["families"]["event_type"]["shrink"]["metric"] == "macro"
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main([*argv, "--select-metric", "f1"])
    assert "--select-metric" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_corrupt_model_is_a_clear_error_with_any_number_of_jobs(tmp_path, capsys, jobs):
    """With --jobs 2 the workers load the model (this process reads only its manifest): the error is the same."""
    import shutil

    from tagger._resources import default_model_path

    if not (default_model_path() / "manifest.json").is_file():
        pytest.skip("no default model")
    model = tmp_path / "m"
    shutil.copytree(default_model_path(), model)
    weights = bytearray((model / "weights.npz").read_bytes())
    weights[5000:5100] = b"x" * 100
    (model / "weights.npz").write_bytes(bytes(weights))
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "a", "text": "Protesters rally in Paris"}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    argv = ["tag", "--model", str(model), "--input", str(inputs), "--output", str(output), "--jobs", jobs]
    assert main(argv) == 1
    assert f"{model / 'weights.npz'}: checksum mismatch" in capsys.readouterr().err
    assert not output.exists()
