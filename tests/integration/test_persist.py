"""Model folders: round trip, and every way a folder can be wrong gives a ModelError saying what to do."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from tagger import ModelError, ModelNotFoundError, Tagger
from tagger.persist import FORMAT_VERSION
from tagger.taxonomy import parse_taxonomy

TEXTS = ["Air strike on ISIS near Raqqa", "Protesters march in Paris", "", "Clashes in Sinjar, Nineveh"]


@pytest.fixture
def saved(small_model, tmp_path):
    path = tmp_path / "model"
    small_model.save(path)
    return path


def test_round_trip_identical_scores_and_manifest(small_model, saved):
    loaded = Tagger.load(saved)
    for family, scores in small_model.predict_scores(TEXTS).items():
        np.testing.assert_array_equal(scores, loaded.predict_scores(TEXTS)[family])
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION
    assert {"tagger", "scikit-learn", "numpy"} <= set(manifest["info"]["versions"])
    assert manifest["taxonomy_hash"] == small_model.taxonomy.hash
    assert set(manifest["thresholds"]) == {"region", "actor", "event_type"}
    assert "cv_metrics" in manifest["info"]["families"]["actor"]
    assert not list(saved.parent.glob(".*tmp*"))


def test_saving_is_deterministic(small_model, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    small_model.save(a)
    small_model.save(b)
    assert (a / "weights.npz").read_bytes() == (b / "weights.npz").read_bytes()


def test_missing_folder_and_missing_manifest(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no such model folder"):
        Tagger.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match="not a tagger model"):
        Tagger.load(tmp_path / "empty")


def test_newer_format_version(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["format_version"] = FORMAT_VERSION + 1
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="newer than this tagger reads.*upgrade tagger"):
        Tagger.load(saved)


def test_truncated_weights(saved):
    weights = saved / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ModelError, match="checksum mismatch"):
        Tagger.load(saved)


def test_missing_weights(saved):
    (saved / "weights.npz").unlink()
    with pytest.raises(ModelError, match="missing weights.npz"):
        Tagger.load(saved)


def test_pickle_in_place_of_weights_is_refused_and_never_run(saved, tmp_path):
    import pickle

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (saved / "weights.npz").write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(ModelError):
        Tagger.load(saved)
    assert not marker.exists()
    # even with a matching checksum, the weights are read without pickle
    manifest = json.loads((saved / "manifest.json").read_text())
    import hashlib

    manifest["files"]["weights.npz"] = hashlib.sha256((saved / "weights.npz").read_bytes()).hexdigest()
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError):
        Tagger.load(saved)
    assert not marker.exists()


def test_taxonomy_mismatch(saved):
    other = parse_taxonomy("families: {actor: {labels: [{id: a, name: A}]}}", source="other.yaml")
    with pytest.raises(ModelError, match="different taxonomy.*retrain"):
        Tagger.load(saved, taxonomy=other)


def test_edited_manifest_taxonomy_is_detected(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["taxonomy"]["families"]["actor"]["labels"][0]["name"] = "changed"
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="does not match its hash"):
        Tagger.load(saved)


def test_overwrite_replaces_a_model_but_not_other_folders(small_model, saved, tmp_path):
    small_model.save(saved)  # over an existing model
    assert Tagger.load(saved)
    with pytest.raises(ModelError, match="already exists"):
        small_model.save(saved, overwrite=False)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"x")
    with pytest.raises(ModelError, match="not a tagger model; refusing"):
        small_model.save(other)
    shutil.rmtree(saved)
