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


def test_the_manifest_records_sizes_and_array_shapes(model_dir):
    manifest = _manifest(model_dir)
    raw = gzip.decompress((model_dir / "matchers.json.gz").read_bytes())
    assert manifest["sizes"]["matchers.json.gz"] == len(raw)
    with np.load(model_dir / "weights.npz") as npz:
        assert {k: [npz[k].dtype.str, list(npz[k].shape)] for k in npz.files} == {
            k: [v["dtype"], v["shape"]] for k, v in manifest["arrays"].items()
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
    (model_dir / "matchers.json.gz").unlink()
    os.mkfifo(model_dir / "matchers.json.gz")
    code = f"from tagger import Tagger\nTagger.load({str(model_dir)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "is not a regular file" in done.stderr


def test_a_gzip_bomb_is_refused_after_the_declared_size(model_dir):
    declared = _manifest(model_dir)["sizes"]["matchers.json.gz"]
    bomb = gzip.compress(b"[" + b" " * (200 << 20) + b"]", compresslevel=1)  # 200 MiB from ~200 KiB
    _replace(model_dir, "matchers.json.gz", bomb)
    with pytest.raises(ModelError, match=f"inflates to more than the {declared:,} bytes the manifest allows"):
        Tagger.load(model_dir)


def test_a_legacy_manifest_without_sizes_still_bounds_decompression(model_dir):
    manifest = _manifest(model_dir)
    del manifest["sizes"], manifest["arrays"]
    _write_manifest(model_dir, manifest)
    Tagger.load(model_dir)  # loads as before
    _replace(model_dir, "matchers.json.gz", gzip.compress(b" " * (80 << 20), compresslevel=1))
    with pytest.raises(ModelError, match="inflates to more than the 67,108,864 bytes"):
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


def test_an_array_declaring_16_gib_is_refused_before_allocation(model_dir):
    manifest = _manifest(model_dir)
    key = next(iter(manifest["arrays"]))
    with zipfile.ZipFile(model_dir / "weights.npz") as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name == f"{key}.npy":
                data = zipfile.ZipFile(io.BytesIO(_npz_with_header(key, (2 << 30,)))).read(name)
            archive.writestr(name, data)
    _replace(model_dir, "weights.npz", buffer.getvalue())
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
        text = text.replace('"format_version": 1', '"format_version": ' + "9" * 5000, 1)
    else:
        text = text.replace('"taxonomy": {', '"taxonomy": {"id": ' + "7" * 5000 + ", ", 1)
    (model_dir / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match="corrupt manifest .*Exceeds the limit"):
        Tagger.load(model_dir)


def test_a_deeply_nested_manifest_is_a_model_error(model_dir):
    (model_dir / "manifest.json").write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ModelError, match="nested too deeply"):
        Tagger.load(model_dir)
