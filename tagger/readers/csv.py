"""Read CSV records: a text column and one column per family holding ``|``-separated label ids."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from ..errors import DataError, where
from ..taxonomy import Taxonomy
from ._common import Record, RecordChecker, check_labels, source_name
from ._csv import csv_rows

__all__ = ["read_csv"]


def read_csv(
    source: str | Path | IO[str],
    taxonomy: Taxonomy | None = None,
    *,
    text_column: str = "text",
    id_column: str = "id",
    families: Sequence[str] | None = None,
    require_labels: bool = True,
    skip_bad: bool = False,
    skipped: list[DataError] | None = None,
    encoding: str = "utf-8",
) -> Iterator[Record]:
    """Yield records from a CSV path or open file.

    A family column that is present annotates every row (an empty cell means "none apply"); a family without a
    column is not annotated. Family columns are the header's columns named like a family of ``taxonomy`` (or
    listed in ``families``); with neither, the families of the default taxonomy.

    >>> import io
    >>> rows = read_csv(io.StringIO("text,actor\\nhello,hamas|israel\\n"))
    >>> next(rows).labels
    {'actor': ('hamas', 'israel')}
    """
    name = source_name(source)
    checker = RecordChecker(name, skip_bad, skipped)
    rows = csv_rows(source, name, checker, encoding=encoding)
    first = next(rows, None)
    if first is None:
        return
    header = first[1]
    if text_column not in header:
        raise DataError(f"{where(name, 1)}: no {text_column!r} column; the header has {header}.")
    if families is None:
        known = tuple(taxonomy.families) if taxonomy is not None else _default_families()
        families = tuple(column for column in header if column in known)
    missing = [f for f in families if f not in header]
    if missing:
        raise DataError(f"{where(name, 1)}: no column for famil{'y' if len(missing) == 1 else 'ies'} {missing}.")
    text_at = header.index(text_column)
    id_at = header.index(id_column) if id_column in header else None
    family_at = {family: header.index(family) for family in families}
    if require_labels and not family_at:
        raise DataError(f"{where(name, 1)}: no label column (expected one of the families as a column name).")
    others = [(i, column) for i, column in enumerate(header) if i != text_at and i != id_at and column not in family_at]
    for line, row in rows:
        try:
            if len(row) != len(header):
                raise DataError(f"{where(name, line)}: {len(row)} fields, the header has {len(header)}.")
            text = row[text_at]
            if require_labels and not text.strip():
                raise DataError(f"{where(name, line)}: empty {text_column!r}.")
            labels = {
                family: [part.strip() for part in row[at].split("|") if part.strip()]
                for family, at in family_at.items()
            }
            record_id = row[id_at] if id_at is not None and row[id_at] != "" else None
            record = Record(
                text=text,
                labels=check_labels(labels, taxonomy, name, line),
                id=record_id,
                source=name,
                line=line,
                extra={column: row[i] for i, column in others},
            )
            checker.check_id(record.id, line)
        except DataError as error:
            checker.handle(error)
            continue
        yield record


@functools.lru_cache(maxsize=1)
def _default_families() -> tuple[str, ...]:
    from ..taxonomy import load_taxonomy

    return tuple(load_taxonomy())
