"""Model folders: a JSON manifest plus weights as plain arrays — no pickle, nothing executable.

Layout of a model folder::

    manifest.json   format name and version, versions of tagger/scikit-learn/numpy, the taxonomy (copy and hash),
                    per-family scorer kind, label order and thresholds, vectorizer settings, training summary and
                    cross-validated metrics, and a SHA-256 of each file below
    weights.npz     numeric arrays only, read with ``allow_pickle=False``
    matchers.npz    the alias / place-name tables of each family as packed arrays (keys as newline-joined UTF-8
                    bytes, row ranges, labels, kinds, flags, populations), read with ``allow_pickle=False``

Saving writes a hidden sibling folder first and swaps it into place with one atomic rename, so a crash leaves the
previous model untouched and a half-written folder never carries the name of a model.

Format history (bump :data:`FORMAT_VERSION` on any change a previous tagger could not read, add a loader for the
old version below, and keep a saved model of the old version under ``tests/fixtures/``):

- 1 — first format. Family entries carry the scorer's ``config()`` (``combine``) and, since tagger 0.3,
  optionally ``prefer_specific``; scorer kinds are looked up in :data:`tagger.scorers.REGISTRY`. Matchers in
  ``matchers.json.gz`` (one JSON list per column, one key per row); still loaded (``tests/fixtures/model-v1``).
- 2 — matchers in ``matchers.npz`` as packed arrays (:meth:`tagger.gazetteer.Matcher.to_arrays`): loading them is
  a few ``np.frombuffer`` calls and one dict instead of 17 MB of JSON turned into lists.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError, ModelNotFoundError
from .features import ANALYZERS, TextVectorizer
from .gazetteer import Matcher
from .hierarchy import LabelTree
from .model import FamilyModel, Tagger
from .scorers import FamilyContext, scorer_class
from .scorers.base import array as _array
from .taxonomy import Taxonomy, TaxonomyError

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load_model", "read_manifest", "save_model"]

FORMAT_NAME = "tagger-model"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
WEIGHTS = "weights.npz"
MATCHERS = "matchers.npz"
MATCHERS_V1 = "matchers.json.gz"  # format 1


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _declare(arrays: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    return {key: {"dtype": value.dtype.str, "shape": list(value.shape)} for key, value in arrays.items()}


def _serialise(tagger: Tagger) -> tuple[dict[str, Any], bytes, bytes]:
    arrays: dict[str, np.ndarray] = {
        "vectorizer/columns": tagger.vectorizer.columns.astype(np.int64),
        "vectorizer/idf": tagger.vectorizer.idf.astype(np.float32),
    }
    families: dict[str, Any] = {}
    for name, model in tagger.families.items():
        for key, value in model.scorer.arrays().items():
            arrays[f"{name}/{key}"] = np.ascontiguousarray(value)
        arrays[f"{name}/thresholds"] = model.thresholds.astype(np.float32)
        families[name] = {"kind": model.scorer.kind, "labels": list(model.family.ids), **model.scorer.config()}
        if model.prefer_specific:
            families[name]["prefer_specific"] = True
    buffer = io.BytesIO()
    # stored, not deflated: float16 weights barely compress (5%), and inflating them cost ~10 ms of every load
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    weights = buffer.getvalue()
    tables = {
        f"{name}/{key}": value
        for name, matcher in tagger.matchers.items()
        for key, value in matcher.to_arrays().items()
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **tables)  # type: ignore[arg-type]
    matchers = buffer.getvalue()
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "taxonomy_hash": tagger.taxonomy.hash,
        "taxonomy": tagger.taxonomy.to_dict(),
        "vectorizer": tagger.vectorizer.config(),
        "families": families,
        "thresholds": tagger.thresholds,
        "info": tagger.info,
        "files": {WEIGHTS: _sha256(weights), MATCHERS: _sha256(matchers)},
        # read back before loading: each array's dtype and shape, in the weights and in the matcher tables
        "arrays": _declare(arrays),
        "matcher_arrays": _declare(tables),
    }
    return manifest, weights, matchers


def save_model(tagger: Tagger, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write ``tagger`` to the folder ``path`` atomically; an existing model there is replaced only when complete."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ModelError(f"{target}: exists and is not a folder; choose another path.")
    if target.exists() and not overwrite:
        raise ModelError(f"{target}: a model already exists; pass overwrite=True to replace it.")
    if target.exists() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ModelError(f"{target}: the folder exists and is not a tagger model; refusing to replace it.")
    manifest, weights, matchers = _serialise(tagger)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{target.name}.tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        _write(staging / WEIGHTS, weights)
        _write(staging / MATCHERS, matchers)
        # the manifest goes last: a folder without one is never taken for a model
        _write(staging / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
        _fsync_dir(staging)
        _swap_into_place(staging, target)
        _fsync_dir(parent)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_into_place(staging: Path, target: Path) -> None:
    for _ in range(5):
        try:
            os.rename(staging, target)  # atomic when the target does not exist (or is an empty folder)
            return
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
        # a model is there: swap atomically, then the old one (now at ``staging``) is removed by the caller
        try:
            if _exchange(staging, target):
                return
        except FileNotFoundError:
            continue  # someone removed the target between our calls: try the plain rename again
        # no atomic exchange on this system: move the old model aside, then rename (a short window without a model)
        aside = target.parent / f".{target.name}.old-{uuid.uuid4().hex}"
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(aside, target)
            raise
        shutil.rmtree(aside, ignore_errors=True)
        return
    raise ModelError(f"{target}: could not replace the model folder (it kept changing while saving).")


def _open_regular(file: Path, folder: Path) -> bytes:
    """The bytes of ``file``, refusing symlinks and anything that is not a regular file (devices, pipes)."""
    try:
        info = os.lstat(file)
    except FileNotFoundError:
        raise ModelError(
            f"{folder}: missing {file.name}; the model folder is incomplete, save or copy it again."
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise ModelError(f"{file}: is a symbolic link; a model folder holds regular files only (copy the file in).")
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(f"{file}: is not a regular file (a device, pipe or folder); refusing to read it.")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(file, flags)
    except OSError as exc:
        raise ModelError(f"{file}: cannot open ({exc.strerror}).") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped between the checks
            raise ModelError(f"{file}: is not a regular file; refusing to read it.")
        return handle.read()


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Read and check a model folder's manifest (format name and version) without loading the weights."""
    folder = Path(path)
    manifest_path = folder / MANIFEST
    if not folder.exists():
        raise ModelNotFoundError(f"{folder}: no such model folder.")
    if not folder.is_dir():
        raise ModelError(f"{folder}: a model is a folder, this is a file.")
    if not manifest_path.is_file() and not manifest_path.is_symlink():
        raise ModelNotFoundError(f"{folder}: not a tagger model (no {MANIFEST}); was it saved with Tagger.save()?")
    raw = _open_regular(manifest_path, folder)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{manifest_path}: corrupt manifest ({exc}); save the model again.") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, nesting thousands deep
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ModelError(f"{manifest_path}: corrupt manifest ({reason}); save the model again.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelError(f"{manifest_path}: not a tagger model manifest.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ModelError(f"{manifest_path}: 'format_version' is missing or not an integer.")
    if version > FORMAT_VERSION:
        raise ModelError(
            f"{folder}: model format version {version} is newer than this tagger reads ({FORMAT_VERSION}); "
            "upgrade tagger (pip install -U tagger) or re-save the model with this version."
        )
    if version < 1:
        raise ModelError(f"{folder}: unknown model format version {version}.")
    _check_manifest_shape(manifest, manifest_path)
    return manifest


# what each top-level manifest entry must be (a JSON object unless named otherwise)
_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "taxonomy": dict,
    "taxonomy_hash": str,
    "vectorizer": dict,
    "families": dict,
    "thresholds": dict,
    "info": dict,
    "files": dict,
    "sizes": dict,
    "arrays": dict,
    "matcher_arrays": dict,
}
_OPTIONAL = {"thresholds", "info", "sizes", "arrays", "matcher_arrays"}


def _check_manifest_shape(manifest: dict[str, Any], manifest_path: Path) -> None:
    """Every entry of the manifest has the type the loader expects, so a hand-edited one is an error, not a crash."""
    for key, kind in _MANIFEST_TYPES.items():
        if key not in manifest:
            if key in _OPTIONAL:
                continue
            raise ModelError(f"{manifest_path}: no {key!r} entry; the manifest is incomplete, save the model again.")
        if not isinstance(manifest[key], kind):
            expected = "an object" if kind is dict else "a string"
            raise ModelError(
                f"{manifest_path}: {key!r} must be {expected}, got {type(manifest[key]).__name__}; "
                "the manifest was edited or damaged, save the model again."
            )
    for name, digest in manifest["files"].items():
        if not isinstance(digest, str):
            raise ModelError(f"{manifest_path}: 'files' entry {name!r} must be a SHA-256 string.")
    for name, size in manifest.get("sizes", {}).items():
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ModelError(f"{manifest_path}: 'sizes' entry {name!r} must be a non-negative integer.")
    for name, entry in manifest["families"].items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("kind"), str)
            or not isinstance(entry.get("labels"), list)
        ):
            raise ModelError(f"{manifest_path}: family {name!r} must be an object with 'kind' and 'labels'.")
    for key, entry in manifest.get("arrays", {}).items():
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("dtype"), str)
            or not isinstance(shape, list)
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
        ):
            raise ModelError(f"{manifest_path}: 'arrays' entry {key!r} must give a dtype and a shape.")


def _read_checked(folder: Path, name: str, manifest: dict[str, Any]) -> bytes:
    file = folder / name
    data = _open_regular(file, folder)
    expected = manifest["files"].get(name)
    if expected != _sha256(data):
        raise ModelError(
            f"{file}: checksum mismatch (the file is truncated, corrupted or was replaced); "
            "restore it or save the model again."
        )
    return data


# Models saved before sizes and shapes were recorded get a bound from the compressed size instead: real tables
# and arrays compress 2-10 times, so 50 times (at least 64 MiB, at most 1 GiB) is generous and still bounded.
_LEGACY_RATIO = 50
_LEGACY_MIN = 64 << 20
_LEGACY_MAX = 1 << 30
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand more than ~1032:1; a member claiming more is lying


def _legacy_limit(compressed: int) -> int:
    return min(_LEGACY_MAX, max(_LEGACY_MIN, _LEGACY_RATIO * compressed))


def _gzip_size(data: bytes) -> int:
    """The uncompressed size of a gzip member we just wrote."""
    return len(gzip.decompress(data))


def _gunzip_bounded(data: bytes, limit: int, file: Path) -> bytes:
    """Decompress ``data``, refusing it as soon as more than ``limit`` bytes come out (a decompression bomb)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise ModelError(
            f"{file}: inflates to more than the {limit:,} bytes the manifest allows; the file was replaced or damaged."
        )
    if not inflater.eof:
        raise ModelError(f"{file}: truncated gzip data; restore the file or save the model again.")
    return out


def _check_arrays(weights: bytes, declared: dict[str, Any] | None, file: Path) -> None:
    """Check each ``.npy`` member's declared dtype and shape (from its header) against ``declared`` (the manifest's
    record, when it has one) before any array is allocated."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(weights)) as archive:
        members = archive.infolist()
        names = {info.filename[: -len(".npy")] for info in members}
        if declared is not None and names != set(declared):
            extra, missing = sorted(names - set(declared)), sorted(set(declared) - names)
            raise ModelError(f"{file}: the arrays do not match the manifest (unexpected {extra}, missing {missing}).")
        for info in members:
            key = info.filename[: -len(".npy")]
            if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 4096:
                raise ModelError(f"{file}: array {key!r} claims {info.file_size:,} bytes from {info.compress_size:,}.")
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version == (1, 0):
                    shape, _fortran, dtype = np.lib.format.read_array_header_1_0(member)
                elif version == (2, 0):
                    shape, _fortran, dtype = np.lib.format.read_array_header_2_0(member)
                else:
                    raise ModelError(f"{file}: array {key!r} has an unsupported .npy version {version}.")
                header_end = member.tell()
            if dtype.hasobject:
                raise ModelError(f"{file}: array {key!r} holds Python objects; a model holds numbers only.")
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize if shape else dtype.itemsize
            if declared is not None:
                entry = declared[key]
                if np.dtype(entry["dtype"]) != dtype or list(shape) != list(entry["shape"]):
                    raise ModelError(
                        f"{file}: array {key!r} declares {dtype} {list(shape)}, the manifest says "
                        f"{entry['dtype']} {entry['shape']}; the file was replaced or damaged."
                    )
            if header_end + nbytes != info.file_size:
                raise ModelError(
                    f"{file}: array {key!r} declares {nbytes:,} bytes of data that the file does not hold."
                )
            total += nbytes
    if declared is None and total > _legacy_limit(len(weights)):
        raise ModelError(f"{file}: the arrays declare {total:,} bytes, more than a model can hold; refusing them.")


def load_model(path: str | Path, *, taxonomy: Taxonomy | None = None, max_chars: int | None = None) -> Tagger:
    """Load a model folder written by :func:`save_model`; never unpickles or executes anything from it."""
    folder = Path(path)
    manifest = read_manifest(folder)
    weights_bytes = _read_checked(folder, WEIGHTS, manifest)
    matchers_bytes = _read_checked(folder, _matchers_file(manifest), manifest)
    try:
        saved_taxonomy = Taxonomy.from_dict(manifest["taxonomy"], source=f"{folder / MANIFEST} (taxonomy)")
    except (KeyError, TaxonomyError) as exc:
        raise ModelError(f"{folder}: the taxonomy stored in the manifest is invalid: {exc}") from None
    if saved_taxonomy.hash != manifest.get("taxonomy_hash"):
        raise ModelError(f"{folder}: the manifest's taxonomy does not match its hash; the manifest was edited.")
    if taxonomy is not None and taxonomy.hash != saved_taxonomy.hash:
        raise ModelError(
            f"{folder}: this model was trained with a different taxonomy (hash {saved_taxonomy.hash[:12]}) than the "
            f"one given ({taxonomy.hash[:12]}, from {taxonomy.source or 'code'}); retrain the model with "
            "`tagger train --labels YOUR_LABELS.yaml`, or load it without a taxonomy to use the one it was trained on."
        )
    try:
        _check_arrays(weights_bytes, manifest.get("arrays"), folder / WEIGHTS)
        with np.load(io.BytesIO(weights_bytes), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        tables = _read_matchers(matchers_bytes, manifest, folder / _matchers_file(manifest))
        return _assemble(manifest, saved_taxonomy, arrays, tables, max_chars)
    except ModelError:
        raise
    except RecursionError:
        raise ModelError(f"{folder}: {_matchers_file(manifest)} is nested too deeply to be a model's tables.") from None
    except MemoryError:
        raise ModelError(f"{folder}: the model's arrays do not fit in memory; was the folder replaced?") from None
    except (
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        zipfile.BadZipFile,
        OSError,
        UnicodeDecodeError,
        EOFError,
    ) as exc:
        raise ModelError(f"{folder}: the weights do not fit the manifest ({type(exc).__name__}: {exc}).") from None


def _read_matchers(data: bytes, manifest: dict[str, Any], file: Path) -> dict[str, Any]:
    """Per family, its matcher table: format 1 gzip JSON columns (decompression bounded), or (format 2) a dict of the
    family's packed arrays (declared shapes checked first)."""
    if manifest["format_version"] == 1:
        limit = manifest.get("sizes", {}).get(MATCHERS_V1, _legacy_limit(len(data)))
        tables = json.loads(_gunzip_bounded(data, limit, file).decode("utf-8"))
        if not isinstance(tables, dict):
            raise ModelError(f"{file}: expected an object of family tables.")
        return tables
    _check_arrays(data, manifest.get("matcher_arrays"), file)
    arrays: dict[str, dict[str, np.ndarray]] = {}
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        for key in npz.files:
            family, _, field = key.partition("/")
            arrays.setdefault(family, {})[field] = npz[key]
    return arrays


def _matchers_file(manifest: dict[str, Any]) -> str:
    return MATCHERS_V1 if manifest["format_version"] == 1 else MATCHERS


def _matcher(table: Any, n_labels: int, version: int) -> Matcher:
    if version == 1:
        return Matcher.from_columns(table, n_labels)
    return Matcher.from_arrays(table, n_labels)


def _assemble(
    manifest: dict[str, Any],
    taxonomy: Taxonomy,
    arrays: dict[str, np.ndarray],
    tables: dict[str, Any],
    max_chars: int | None,
) -> Tagger:
    config = manifest["vectorizer"]
    if config.get("analyzer") not in ANALYZERS:
        raise ModelError(
            f"the model's text features were made by analyzer {config.get('analyzer')!r}, this tagger computes "
            f"{', '.join(ANALYZERS)}; retrain the model with this version (tagger train ...)."
        )
    vectorizer = TextVectorizer.from_config(config)
    vectorizer.columns = _array(arrays, "vectorizer/columns", np.int64, (None,))
    vectorizer.idf = _array(arrays, "vectorizer/idf", np.float32, (vectorizer.columns.size,))
    n_text = vectorizer.columns.size

    trained = [name for name in taxonomy if name in manifest["families"]]  # taxonomy order, not JSON key order
    if len(trained) != len(manifest["families"]):
        raise ModelError(f"the manifest names families that its taxonomy lacks: {sorted(manifest['families'])}.")
    matchers = {}
    for name in trained:
        family = taxonomy[name]
        if name not in tables:
            raise ModelError(f"{_matchers_file(manifest)} has no table for family {name!r}.")
        matchers[name] = _matcher(tables[name], len(family), manifest["format_version"])

    families = {}
    for name in trained:
        entry = manifest["families"][name]
        family = taxonomy[name]
        if list(entry["labels"]) != list(family.ids):
            raise ModelError(f"family {name!r}: the label order in the manifest does not match its taxonomy.")
        n = len(family)
        thresholds = _array(arrays, f"{name}/thresholds", np.float32, (n,))
        try:
            cls = scorer_class(entry["kind"])
        except KeyError:
            raise ModelError(
                f"family {name!r}: unknown scorer kind {entry['kind']!r}; this model needs a newer tagger."
            ) from None
        prefix = f"{name}/"
        own = {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
        context = FamilyContext(name, n, LabelTree(family).ancestors)
        scorer = cls.from_arrays(own, entry, context, n_text)
        families[name] = FamilyModel(family, scorer, thresholds, prefer_specific=bool(entry.get("prefer_specific")))
    options = {} if max_chars is None else {"max_chars": max_chars}
    return Tagger(taxonomy, vectorizer, matchers, families, manifest.get("info", {}), **options)
