"""The format registry: every data format tagger reads (and writes), in one table.

Each :class:`Format` says which file suffixes it is guessed from, whether its records carry labels, whether it
turns source codes into labels through a mapping (``acled``, ``ucdp``), whether it is text (so ``encoding``
applies) and whether ``tagger tag`` can write it. A new format is one reader module plus one entry here; the
readers' dispatch (:func:`~tagger.readers.read_records`), the CLI's ``--format`` choices and the output writers
(:mod:`tagger.batch.writers`) all read this table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import DataError
from ._common import Record, source_name
from .acled import read_acled
from .csv import read_csv
from .jsonl import read_jsonl
from .parquet import read_parquet
from .ucdp import read_ucdp

__all__ = ["FORMATS", "Format", "get_format", "guess_format", "input_formats", "output_formats"]


@dataclass(frozen=True)
class Format:
    name: str
    reader: Callable[..., Iterator[Record]]
    suffixes: tuple[str, ...] = ()  # guessed from these file suffixes (acled and ucdp are CSV: never guessed)
    labelled: bool = True  # records can carry labels (training and evaluation data)
    needs_mapping: bool = False  # labels come from source codes through a mapping file
    text: bool = True  # a text format: ``encoding`` applies and stdin works
    writable: bool = False  # ``tagger tag --output`` can write it
    extra: str | None = None  # the pip extra it needs


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("jsonl", read_jsonl, (".jsonl", ".json", ".ndjson"), writable=True),
        Format("csv", read_csv, (".csv",), writable=True),
        Format(
            "parquet", read_parquet, (".parquet", ".pq"), labelled=False, text=False, writable=True, extra="parquet"
        ),
        Format("acled", read_acled, needs_mapping=True),
        Format("ucdp", read_ucdp, needs_mapping=True),
    )
}

DEFAULT_FORMAT = "jsonl"  # stdin and names with no known suffix


def input_formats(*, labelled: bool = False) -> tuple[str, ...]:
    """Names of the formats tagger reads (with ``labelled=True``, only those whose records carry labels)."""
    return tuple(name for name, fmt in FORMATS.items() if fmt.labelled or not labelled)


def output_formats() -> tuple[str, ...]:
    """Names of the formats ``tagger tag`` writes."""
    return tuple(name for name, fmt in FORMATS.items() if fmt.writable)


def guess_format(source: str | Path | IO[str] | None, *, writable: bool = False) -> str:
    """The format whose suffix ``source`` has (``.csv`` → ``csv``, ``.parquet`` → ``parquet``), else ``jsonl``.

    >>> guess_format("a.CSV"), guess_format("b.parquet"), guess_format("c.jsonl"), guess_format("-")
    ('csv', 'parquet', 'jsonl', 'jsonl')
    """
    if source is None:
        return DEFAULT_FORMAT
    name = source_name(source)
    suffix = Path(name).suffix.lower() if name != "-" else ""
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes and (fmt.writable or not writable):
            return fmt.name
    return DEFAULT_FORMAT


def get_format(name: str, source: str | Path | IO[str] | None = None) -> Format:
    """The registry entry for ``name`` (``auto``: guessed from ``source``); a DataError listing the known ones."""
    if name == "auto":
        name = guess_format(source)
    try:
        return FORMATS[name]
    except (KeyError, TypeError):
        raise DataError(f"unknown data format {name!r}; expected one of {', '.join(FORMATS)} or 'auto'.") from None


def reader_options(fmt: Format, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` without the ones ``fmt``'s reader does not take (``encoding`` for binary formats,
    ``require_labels`` for formats whose records are always labelled)."""
    options = dict(options)
    if not fmt.text:
        options.pop("encoding", None)
    if fmt.needs_mapping:
        options.pop("require_labels", None)
    if not fmt.labelled:
        options.setdefault("require_labels", True)  # as for every reader: labelled records unless told otherwise
    return options
