"""Pick a reader from the file name (or an explicit format) so callers need not care.

``acled`` and ``ucdp`` are never guessed (both are CSV): ask for them by name. They take a label ``mapping`` (a
file; ``None`` for the one shipped with tagger) and fill a :class:`~tagger.readers.mapping.MappingReport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import DataError, ParameterError
from ..taxonomy import Taxonomy
from ._common import Record, source_name
from .acled import read_acled
from .csv import read_csv
from .jsonl import read_jsonl
from .mapping import LabelMapping, MappingReport
from .ucdp import read_ucdp

__all__ = ["read_records", "FORMATS", "guess_format"]

FORMATS = ("jsonl", "csv", "acled", "ucdp")


def guess_format(source: str | Path | IO[str]) -> str:
    """``csv`` for ``.csv``/``.tsv`` names, ``jsonl`` otherwise (``.jsonl``, ``.json``, stdin)."""
    suffix = Path(source_name(source)).suffix.lower()
    return "csv" if suffix == ".csv" else "jsonl"


def read_records(
    source: str | Path | IO[str],
    taxonomy: Taxonomy | None = None,
    *,
    format: str = "auto",
    mapping: LabelMapping | str | Path | None = None,
    report: MappingReport | None = None,
    **options: Any,
) -> Iterator[Record]:
    """Yield records from ``source`` with the reader for ``format`` (``auto`` guesses from the file name).

    ``mapping`` and ``report`` apply to the ``acled`` and ``ucdp`` formats (which map source codes to label ids).
    """
    fmt = guess_format(source) if format == "auto" else format
    if fmt == "acled":
        return read_acled(source, taxonomy, mapping=mapping, report=report, **options)
    if fmt == "ucdp":
        return read_ucdp(source, taxonomy, mapping=mapping, report=report, **options)
    if mapping is not None and fmt in FORMATS:
        raise ParameterError(f"a label mapping applies to the acled and ucdp formats only, not to {fmt!r} data.")
    if fmt == "jsonl":
        return read_jsonl(source, taxonomy, **options)
    if fmt == "csv":
        return read_csv(source, taxonomy, **options)
    raise DataError(f"unknown data format {format!r}; expected one of {', '.join(FORMATS)} or 'auto'.")
