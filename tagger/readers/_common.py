"""What every reader shares: the Record type, opening a path or a file, and label validation."""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import DataError, where
from ..taxonomy import Taxonomy

__all__ = ["Record", "open_source", "read_lines", "source_name", "check_labels", "check_encoding", "RecordChecker"]


@dataclass(frozen=True)
class Record:
    """One labelled (or unlabelled) article. ``labels`` holds only the families the record annotates."""

    text: str
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    id: str | None = None
    source: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


def source_name(source: str | Path | IO[str]) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return str(getattr(source, "name", "<stream>"))


def check_encoding(encoding: str) -> str:
    """The codec name for ``encoding``, or a DataError naming it when Python has no such codec."""
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise DataError(f"unknown text encoding {encoding!r} (try utf-8, cp1252 or latin-1).") from None


def _open_path(path: Path, mode: str, **kwargs: object) -> IO:
    try:
        return path.open(mode, **kwargs)  # type: ignore[call-overload]
    except FileNotFoundError:
        raise DataError(f"{path}: file not found.") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, expected a data file.") from None
    except PermissionError:
        raise DataError(f"{path}: permission denied.") from None


@contextlib.contextmanager
def open_source(
    source: str | Path | IO[str], *, newline: str | None = None, encoding: str = "utf-8"
) -> Iterator[IO[str]]:
    """Yield a text handle for a path (opened and closed here) or an already open file (left open).

    A UTF-8 byte-order mark (what Excel writes) is dropped.
    """
    if isinstance(source, (str, Path)):
        codec = check_encoding(encoding)
        handle = _open_path(Path(source), "r", encoding="utf-8-sig" if codec == "utf-8" else codec, newline=newline)
        with handle:
            yield handle
    elif isinstance(source, io.TextIOBase) or hasattr(source, "read"):
        yield source
    else:
        raise TypeError(f"expected a path or an open text file, got {type(source).__name__}.")


def _decode_error(name: str, line: int, codec: str, exc: UnicodeDecodeError) -> DataError:
    bad = exc.object[exc.start : exc.start + 1]
    byte = f"0x{bad[0]:02x}" if isinstance(bad, bytes) and bad else "?"
    return DataError(
        f"{where(name, line)}: byte {exc.start + 1} of the line ({byte}) is not valid {codec} ({exc.reason}). "
        "If the file is in another encoding, say which: --encoding cp1252 (or latin-1), encoding='cp1252' in Python."
    )


def read_lines(
    source: str | Path | IO[str] | IO[bytes], name: str, *, encoding: str = "utf-8"
) -> Iterator[tuple[int, str | DataError]]:
    """``(line number, text)`` of each line, decoded one line at a time, the line ending kept.

    A line that does not decode gives ``(line, DataError)`` (naming file, line and byte) in its place, so the lines
    before it are read and the caller decides whether to stop or skip. A leading UTF-8 byte-order mark is dropped.
    Paths and binary handles are decoded here; text handles are read as they are.
    """
    if not isinstance(source, (str, Path)) and not hasattr(source, "read"):
        raise TypeError(f"expected a path or an open file, got {type(source).__name__}.")
    codec = check_encoding(encoding)
    if isinstance(source, (str, Path)):
        handle: IO = _open_path(Path(source), "rb")
        close = True
    else:
        handle, close = source, False
    try:
        binary = (
            isinstance(source, (str, Path))
            or isinstance(source, (io.RawIOBase, io.BufferedIOBase))
            or ("b" in getattr(source, "mode", ""))
        )
        if binary and codec.startswith(("utf-16", "utf-32")):  # newlines are not single bytes: decode as a stream
            handle = io.TextIOWrapper(handle, encoding=codec, newline="")
            binary = False
        first_codec = "utf-8-sig" if codec == "utf-8" else codec
        line = 0
        if binary:
            for raw in handle:
                line += 1
                try:
                    yield line, raw.decode(first_codec if line == 1 else codec)
                except UnicodeDecodeError as exc:
                    yield line, _decode_error(name, line, codec, exc)
            return
        iterator = iter(handle)
        while True:
            try:
                text = next(iterator)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:  # a text stream cannot be resumed after a decode error
                yield line + 1, _decode_error(name, line + 1, codec, exc)
                return
            line += 1
            yield line, text.lstrip("\ufeff") if line == 1 else text
    finally:
        if close:
            handle.close()


def check_labels(
    labels: Mapping[str, Sequence[str]], taxonomy: Taxonomy | None, name: str, line: int | None
) -> dict[str, tuple[str, ...]]:
    """Validate family names and label ids against ``taxonomy``; return them as tuples without repeats."""
    checked: dict[str, tuple[str, ...]] = {}
    for family, ids in labels.items():
        if taxonomy is not None and family not in taxonomy.families:
            known = ", ".join(taxonomy.families)
            raise DataError(f"{where(name, line)}: unknown family {family!r} (the taxonomy has: {known}).")
        unique = tuple(dict.fromkeys(ids))
        if taxonomy is not None:
            fam = taxonomy.families[family]
            for label_id in unique:
                if label_id not in fam:
                    raise DataError(f"{where(name, line)}: unknown label id {label_id!r} in family {family!r}.")
        checked[family] = unique
    return checked


class RecordChecker:
    """Per-file checks that span records (duplicate ids), and the skip-bad-lines policy."""

    def __init__(self, name: str, skip_bad: bool, skipped: list[DataError] | None):
        self.name = name
        self.skip_bad = skip_bad
        self.skipped = skipped
        self._ids: dict[str, int | None] = {}

    def check_id(self, record_id: str | None, line: int | None) -> None:
        if record_id is None:
            return
        if record_id in self._ids:
            first = self._ids[record_id]
            raise DataError(f"{where(self.name, line)}: duplicate record id {record_id!r} (first on line {first}).")
        self._ids[record_id] = line

    def handle(self, error: DataError) -> None:
        """Re-raise ``error``, or record it and carry on when skipping bad lines."""
        if not self.skip_bad:
            raise error
        if self.skipped is not None:
            self.skipped.append(error)
