"""Hostile or broken model folders (issue 13): only regular files, bounded decompression, arrays checked first,
and every malformed manifest entry an error that says what to do."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from tagger import ModelError, Tagger


@pytest.fixture()
def model_dir(small_model, tmp_path):
    path = tmp_path / "m"
    small_model.save(path)
    return path


def _manifest(path):
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(path, manifest):
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _replace(path, name, data):
    """Replace a model file and fix its checksum, as someone who can write the folder could."""
    (path / name).write_bytes(data)
    manifest = _manifest(path)
    manifest["files"][name] = hashlib.sha256(data).hexdigest()
    _write_manifest(path, manifest)


FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")


@pytest.fixture()
def v1_dir(tmp_path):
    """A format-1 model folder (gzip JSON matcher tables), as saved before the packed-array format."""
    path = tmp_path / "v1"
    shutil.copytree(os.path.join(FIXTURES, "model-v1"), path)
    return path


def test_the_manifest_records_array_shapes(model_dir):
    manifest = _manifest(model_dir)
    for name, entry in (("weights.npz", "arrays"), ("matchers.npz", "matcher_arrays")):
        with np.load(model_dir / name) as npz:
            assert {k: [npz[k].dtype.str, list(npz[k].shape)] for k in npz.files} == {
                k: [v["dtype"], v["shape"]] for k, v in manifest[entry].items()
            }


def test_a_weights_symlink_to_dev_zero_is_refused(model_dir):
    (model_dir / "weights.npz").unlink()
    os.symlink("/dev/zero", model_dir / "weights.npz")
    started = time.perf_counter()
    with pytest.raises(ModelError, match="weights.npz: is a symbolic link"):
        Tagger.load(model_dir)
    assert time.perf_counter() - started < 5


def test_a_symlinked_manifest_is_refused(model_dir, tmp_path):
    shutil.move(model_dir / "manifest.json", tmp_path / "elsewhere.json")
    os.symlink(tmp_path / "elsewhere.json", model_dir / "manifest.json")
    with pytest.raises(ModelError, match="manifest.json: is a symbolic link"):
        Tagger.load(model_dir)


def test_a_named_pipe_does_not_hang_the_load(model_dir):
    (model_dir / "matchers.npz").unlink()
    os.mkfifo(model_dir / "matchers.npz")
    code = f"from tagger import Tagger\nTagger.load({str(model_dir)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "is not a regular file" in done.stderr


def test_a_gzip_bomb_is_refused_after_the_declared_size(v1_dir):
    manifest = _manifest(v1_dir)
    manifest["sizes"] = {"matchers.json.gz": len(gzip.decompress((v1_dir / "matchers.json.gz").read_bytes()))}
    _write_manifest(v1_dir, manifest)
    Tagger.load(v1_dir)  # the declared size is the real one
    declared = manifest["sizes"]["matchers.json.gz"]
    bomb = gzip.compress(b"[" + b" " * (200 << 20) + b"]", compresslevel=1)  # 200 MiB from ~200 KiB
    _replace(v1_dir, "matchers.json.gz", bomb)
    with pytest.raises(ModelError, match=f"inflates to more than the {declared:,} bytes the manifest allows"):
        Tagger.load(v1_dir)


def test_a_legacy_manifest_without_sizes_still_bounds_decompression(v1_dir):
    assert "sizes" not in _manifest(v1_dir)
    Tagger.load(v1_dir)  # loads as before
    _replace(v1_dir, "matchers.json.gz", gzip.compress(b" " * (80 << 20), compresslevel=1))
    with pytest.raises(ModelError, match="inflates to more than the 67,108,864 bytes"):
        Tagger.load(v1_dir)


def test_a_matcher_array_declaring_16_gib_is_refused_before_allocation(model_dir):
    key = next(iter(_manifest(model_dir)["matcher_arrays"]))
    _declare_16_gib(model_dir, "matchers.npz", key)
    with pytest.raises(ModelError, match=r"declares float64 \[2147483648\], the manifest says"):
        Tagger.load(model_dir)


def _npz_with_header(key: str, shape: tuple[int, ...], data: bytes = b"") -> bytes:
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    text = repr(header).encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text) + pad + 1) + text + b" " * pad + b"\n" + data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{key}.npy", npy)
    return buffer.getvalue()


def _declare_16_gib(model_dir, file, key):
    """Rewrite ``file`` of the model with member ``key`` declaring a 16 GiB float64 array (and no data)."""
    with zipfile.ZipFile(model_dir / file) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name == f"{key}.npy":
                data = zipfile.ZipFile(io.BytesIO(_npz_with_header(key, (2 << 30,)))).read(name)
            archive.writestr(name, data)
    _replace(model_dir, file, buffer.getvalue())


def test_an_array_declaring_16_gib_is_refused_before_allocation(model_dir):
    manifest = _manifest(model_dir)
    key = next(iter(manifest["arrays"]))
    _declare_16_gib(model_dir, "weights.npz", key)
    with pytest.raises(ModelError, match=rf"array {key!r} declares float64 \[2147483648\], the manifest says"):
        Tagger.load(model_dir)
    # and when the manifest is edited to agree, the bytes the file really holds give it away
    manifest = _manifest(model_dir)
    manifest["arrays"][key] = {"dtype": "<f8", "shape": [2 << 30]}
    _write_manifest(model_dir, manifest)
    with pytest.raises(ModelError, match="declares 17,179,869,184 bytes of data that the file does not hold"):
        Tagger.load(model_dir)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(files=["weights.npz"]), "'files' must be an object, got list"),
        (lambda m: m.update(vectorizer="x"), "'vectorizer' must be an object, got str"),
        (lambda m: m.update(families={"region": "ovr"}), "family 'region' must be an object with 'kind' and 'labels'"),
        (lambda m: m.pop("taxonomy"), "no 'taxonomy' entry"),
    ],
)
def test_malformed_manifest_entries_are_model_errors(model_dir, edit, message):
    manifest = _manifest(model_dir)
    edit(manifest)
    _write_manifest(model_dir, manifest)
    with pytest.raises(ModelError, match=message):
        Tagger.load(model_dir)


@pytest.mark.parametrize("where", ["format_version", "id"])
def test_numbers_of_5000_digits_in_a_manifest_are_model_errors(model_dir, where):
    text = (model_dir / "manifest.json").read_text(encoding="utf-8")
    if where == "format_version":
        version = f'"format_version": {_manifest(model_dir)["format_version"]}'
        assert version in text
        text = text.replace(version, '"format_version": ' + "9" * 5000, 1)
    else:
        text = text.replace('"taxonomy": {', '"taxonomy": {"id": ' + "7" * 5000 + ", ", 1)
    (model_dir / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match="corrupt manifest .*Exceeds the limit"):
        Tagger.load(model_dir)


def test_a_deeply_nested_manifest_is_a_model_error(model_dir):
    (model_dir / "manifest.json").write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ModelError, match="nested too deeply"):
        Tagger.load(model_dir)
