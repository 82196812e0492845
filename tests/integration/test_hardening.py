"""Hostile input, bad training data, crashes during save, concurrency and determinism — each tried for real."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tagger import DataError, Tagger, TrainingError, train
from tagger.readers import read_jsonl
from tagger.taxonomy import parse_taxonomy

# --- text input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, b"bytes", 3, 2.5, ["a list"], {"text": "x"}])
def test_non_text_is_a_type_error_naming_the_type(small_model, value):
    with pytest.raises(TypeError, match=type(value).__name__):
        small_model.tag(value)
    with pytest.raises(TypeError, match=type(value).__name__):
        list(small_model.tag_many(["fine", value]))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02 Raqqa \x7f\x1b[31m",
        "Strike near Raqqa \ud800 broken surrogate \udfff",
        "اشتباكات في الرقة — Столкновения в Ракке — 拉卡发生冲突 — Raqqa",
        "🔥💣 Raqqa 🇸🇾 clashes 👀",
        "<html><body><h1>Clashes near <b>Mosul</b></h1><script>alert(1)</script></body></html>",
    ],
)
def test_odd_text_gives_a_valid_result(small_model, text):
    result = small_model.tag(text).to_dict()
    assert set(result) == {"region", "actor", "event_type"}
    json.dumps(result)  # serialisable


def test_ten_megabytes_is_truncated_and_bounded(small_model):
    huge = "Clashes near Mosul between IS fighters and residents. " * 200_000  # ~10.8 MB
    started = time.perf_counter()
    result = small_model.tag(huge)
    assert time.perf_counter() - started < 30
    assert "iq-nineveh" in result.ids("region")
    assert small_model.max_chars == 100_000


def test_max_chars_is_a_parameter(small_model, tmp_path):
    path = tmp_path / "m"
    small_model.save(path)
    short = Tagger.load(path, max_chars=10)
    # only "Paris riot" survives truncation: Mosul (after character 10) is not seen
    assert "iq-nineveh" not in short.tag("Paris riot. Clashes in Mosul and Mosul again").ids("region")
    with pytest.raises(ValueError, match="'max_chars' parameter of Tagger must be an int >= 1"):
        Tagger.load(path, max_chars=0)


# --- taxonomy -----------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_twenty_thousand_label_taxonomy_loads_quickly():
    lines = ["families:", "  big:", "    labels:"]
    for i in range(20_000):
        parent = f", parent: l{i // 10}" if i >= 10 else ""
        lines.append(f"      - {{id: l{i}, name: Label number {i}, aliases: [alias {i}]{parent}}}")
    started = time.perf_counter()
    taxonomy = parse_taxonomy("\n".join(lines), source="big.yaml")
    assert len(taxonomy["big"]) == 20_000
    assert time.perf_counter() - started < 60


# --- training data ------------------------------------------------------------------------------------------------


def test_zero_records(small_taxonomy):
    with pytest.raises(TrainingError, match="no training records"):
        train([], small_taxonomy)


def test_family_with_no_positive_label(small_taxonomy):
    records = [{"text": f"story {i}", "labels": {"actor": []}} for i in range(6)]
    with pytest.raises(TrainingError, match="family 'actor': none of its 6 annotated records has a label"):
        train(records, small_taxonomy, cv=2)


def test_single_class_family_and_labels_without_examples(small_taxonomy):
    records = [{"text": f"Protest number {i} in Paris", "labels": {"event_type": ["protest"]}} for i in range(6)]
    model = train(records, small_taxonomy, cv=2)
    assert model.tag("A protest in Paris").ids("event_type") == ["protest"]
    info = model.info["families"]["event_type"]
    assert "airstrike" in info["labels_without_examples"]
    assert model.info["families_not_annotated"] == ["region", "actor"]


def test_unknown_label_in_python_records(small_taxonomy):
    with pytest.raises(DataError, match="unknown label id 'nobody' in family 'actor'"):
        train([{"text": "x", "labels": {"actor": ["nobody"]}}], small_taxonomy)


def test_bad_option_names_the_parameter(small_records, small_taxonomy):
    with pytest.raises(ValueError, match="The 'cv' parameter of train must be an int in \\[2, 20\\]. Got 1 instead."):
        train(small_records, small_taxonomy, cv=1)
    with pytest.raises(ValueError, match="'strategy' parameter of train must be one of"):
        train(small_records, small_taxonomy, strategy="magic")
    with pytest.raises(TypeError):
        train(small_records, small_taxonomy, no_such_option=1)


def test_skip_bad_lines_counts(small_taxonomy):
    text = '{"text": "ok", "labels": {"actor": []}}\n{oops\n{"text": "x", "labels": {"nope": []}}\n'
    skipped: list[DataError] = []
    assert len(list(read_jsonl(io.StringIO(text), small_taxonomy, skip_bad=True, skipped=skipped))) == 1
    assert [str(e).split(":")[1] for e in skipped] == ["2", "3"]


# --- crash during save, concurrent saves --------------------------------------------------------------------------

SAVER = textwrap.dedent(
    """
    import sys
    from tagger import Tagger, load_taxonomy, read_records, train
    fixtures, path, seed, loops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    tax = load_taxonomy(fixtures + "/labels-small.yaml")
    records = list(read_records(fixtures + "/small.jsonl", tax))
    if seed:
        records = records[seed:] + records[:seed]
    model = train(records, tax, cv=3, seed=seed)
    print("ready", flush=True)
    for _ in range(loops):
        model.save(path)
    """
)


def _spawn(fixtures, path, seed, loops):
    return subprocess.Popen(
        [sys.executable, "-c", SAVER, str(fixtures), str(path), str(seed), str(loops)],
        stdout=subprocess.PIPE,
        text=True,
    )


def _fixtures():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "fixtures"


TEXTS = ["Air strike on ISIS near Raqqa", "Protesters march in Paris", "Clashes in Sinjar, Nineveh", ""]


@pytest.mark.slow
def test_killed_during_save_leaves_the_old_model_intact(small_model, tmp_path):
    path = tmp_path / "model"
    small_model.save(path)
    expected = small_model.predict_scores(TEXTS)
    for delay in (0.05, 0.2, 0.5):
        child = _spawn(_fixtures(), path, 0, 10_000)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        loaded = Tagger.load(path)
        for family, scores in expected.items():
            np.testing.assert_array_equal(loaded.predict_scores(TEXTS)[family], scores)
        # leftovers are hidden staging folders, never something that looks like a model
        visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
        assert visible == ["model"]


@pytest.mark.slow
def test_two_processes_saving_to_one_path_leave_one_complete_model(tmp_path):
    path = tmp_path / "shared"
    refs = {}
    for seed in (1, 2):
        ref = tmp_path / f"ref{seed}"
        _spawn(_fixtures(), ref, seed, 1).wait()
        refs[seed] = (ref / "weights.npz").read_bytes()
    assert refs[1] != refs[2]
    children = [_spawn(_fixtures(), path, seed, 25) for seed in (1, 2)]
    for child in children:
        assert child.wait() == 0
    weights = (path / "weights.npz").read_bytes()
    assert weights in (refs[1], refs[2])
    Tagger.load(path)  # checksums in the manifest match the weights: never a mix


# --- threads and determinism ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_eight_threads_share_one_tagger(small_model, small_records):
    articles = [r.text for r in small_records] * 50  # 1,000 articles
    sequential = [small_model.tag(text) for text in articles]

    def work(_):
        return [small_model.tag(text) for text in articles]

    with ThreadPoolExecutor(max_workers=8) as pool:
        for results in pool.map(work, range(8)):
            assert results == sequential


@pytest.mark.slow
def test_same_data_and_seed_give_identical_models(small_records, small_taxonomy, tmp_path):
    a = train(small_records, small_taxonomy, cv=3, seed=7)
    b = train(small_records, small_taxonomy, cv=3, seed=7)
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    assert (tmp_path / "a" / "weights.npz").read_bytes() == (tmp_path / "b" / "weights.npz").read_bytes()
    assert (tmp_path / "a" / "matchers.npz").read_bytes() == (tmp_path / "b" / "matchers.npz").read_bytes()
    assert [a.tag(r.text) for r in small_records] == [b.tag(r.text) for r in small_records]
