"""Pick a reader from the file name (or an explicit format) so callers need not care."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import DataError
from ..taxonomy import Taxonomy
from ._common import Record, source_name
from .csv import read_csv
from .jsonl import read_jsonl

__all__ = ["read_records", "FORMATS", "guess_format"]

FORMATS = ("jsonl", "csv")


def guess_format(source: str | Path | IO[str]) -> str:
    """``csv`` for ``.csv``/``.tsv`` names, ``jsonl`` otherwise (``.jsonl``, ``.json``, stdin)."""
    suffix = Path(source_name(source)).suffix.lower()
    return "csv" if suffix == ".csv" else "jsonl"


def read_records(
    source: str | Path | IO[str], taxonomy: Taxonomy | None = None, *, format: str = "auto", **options: Any
) -> Iterator[Record]:
    """Yield records from ``source`` with the reader for ``format`` (``auto`` guesses from the file name)."""
    fmt = guess_format(source) if format == "auto" else format
    if fmt == "jsonl":
        return read_jsonl(source, taxonomy, **options)
    if fmt == "csv":
        return read_csv(source, taxonomy, **options)
    raise DataError(f"unknown data format {format!r}; expected one of {', '.join(FORMATS)} or 'auto'.")
