"""What every reader shares: the Record type, opening a path or a file, and label validation."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import DataError, where
from ..taxonomy import Taxonomy

__all__ = ["Record", "open_source", "source_name", "check_labels", "RecordChecker"]


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


@contextlib.contextmanager
def open_source(source: str | Path | IO[str], *, newline: str | None = None) -> Iterator[IO[str]]:
    """Yield a text handle for a path (opened and closed here) or an already open file (left open)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            handle = path.open(encoding="utf-8", newline=newline)
        except FileNotFoundError:
            raise DataError(f"{path}: file not found.") from None
        except IsADirectoryError:
            raise DataError(f"{path}: is a folder, expected a data file.") from None
        with handle:
            yield handle
    elif isinstance(source, io.TextIOBase) or hasattr(source, "read"):
        yield source
    else:
        raise TypeError(f"expected a path or an open text file, got {type(source).__name__}.")


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
