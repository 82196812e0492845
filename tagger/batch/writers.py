"""Write tagging output rows as JSONL, CSV or Parquet, one batch at a time (memory stays flat).

Rows have the ``to_dict`` shape plus ``id`` and passthrough fields. JSONL keeps it as is. Parquet gets, per family,
a list column of ids and a list column of float scores (``<family>_scores``). CSV has no list type: per family a
column of ``|``-joined ids, the matching ``|``-joined scores, and a numeric ``<family>_top_score`` (the best
label's score, empty when the family has none).

The formats are the writable entries of the registry (:data:`tagger.readers.formats.FORMATS`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import ParameterError
from ..readers.formats import FORMATS, guess_format, output_formats

__all__ = ["OUTPUT_FORMATS", "WRITERS", "guess_output_format", "open_writer"]


def guess_output_format(path: str | Path | None) -> str:
    """The writable format of ``path``'s suffix (``jsonl`` for stdout and unknown suffixes)."""
    return guess_format(None if path is None else str(path), writable=True)


def _csv_flat(row: dict[str, Any], families: Sequence[str]) -> dict[str, Any]:
    flat = {k: v for k, v in row.items() if k not in families}
    for family in families:
        items = row.get(family, [])
        flat[family] = "|".join(item["id"] for item in items)
        flat[f"{family}_scores"] = "|".join(repr(float(item["score"])) for item in items)
        flat[f"{family}_top_score"] = float(items[0]["score"]) if items else ""
    return flat


class _JsonlWriter:
    binary = False

    def __init__(self, handle: IO[str], families: Sequence[str], existing: Any = None):
        self.handle = handle

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        self.handle.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self.handle.flush()

    def close(self) -> None:
        self.handle.flush()


class _CsvWriter:
    binary = False

    def __init__(self, handle: IO[str], families: Sequence[str], existing: Any = None):
        self.handle = handle
        self.families = families
        self.writer: csv.DictWriter | None = None
        if existing is not None:  # resuming: the header (and earlier rows) are already in the file
            self.writer = csv.DictWriter(self.handle, fieldnames=list(existing), extrasaction="ignore")

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        flats = [_csv_flat(row, self.families) for row in rows]
        if not flats:
            return
        if self.writer is None:
            self.writer = csv.DictWriter(self.handle, fieldnames=list(flats[0]), extrasaction="ignore")
            self.writer.writeheader()
        self.writer.writerows(flats)
        self.handle.flush()

    def close(self) -> None:
        self.handle.flush()


class _ParquetWriter:
    """One row group per ``write``; the file is complete (readable) once :meth:`close` writes the footer."""

    binary = True

    def __init__(self, handle: IO[bytes], families: Sequence[str], existing: Any = None):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ParameterError("Parquet output needs pyarrow: pip install 'tagger[parquet]'") from None
        self.pa, self.pq = pa, pq
        self.handle = handle
        self.families = families
        self.writer: Any = None
        self.schema: Any = None
        if existing is not None:  # resuming: the rows of the interrupted run go first, as they are
            self.schema = existing.schema
            self.writer = self.pq.ParquetWriter(self.handle, self.schema)
            self.writer.write_table(existing)

    def _schema(self, rows: Sequence[dict[str, Any]]) -> Any:
        pa = self.pa
        fields = []
        for key in rows[0]:
            if key in self.families:
                fields.append(pa.field(key, pa.list_(pa.string())))
                fields.append(pa.field(f"{key}_scores", pa.list_(pa.float64())))
            else:
                fields.append(pa.field(key, pa.string()))
        return pa.schema(fields)

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.schema is None:
            self.schema = self._schema(rows)
            self.writer = self.pq.ParquetWriter(self.handle, self.schema)
        columns: dict[str, list[Any]] = {}
        for name in self.schema.names:
            if name.endswith("_scores") and name[: -len("_scores")] in self.families:
                family = name[: -len("_scores")]
                columns[name] = [[float(item["score"]) for item in row.get(family, [])] for row in rows]
            elif name in self.families:
                columns[name] = [[item["id"] for item in row.get(name, [])] for row in rows]
            else:
                columns[name] = [None if row.get(name) is None else str(row.get(name)) for row in rows]
        self.writer.write_table(self.pa.table(columns, schema=self.schema))
        self.handle.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


WRITERS: dict[str, Any] = {"jsonl": _JsonlWriter, "csv": _CsvWriter, "parquet": _ParquetWriter}
OUTPUT_FORMATS = output_formats()  # tests check that every writable format has a writer


def open_writer(fmt: str, handle: IO[Any], families: Sequence[str], existing: Any = None) -> Any:
    """A writer with ``write(rows)`` and ``close()`` for ``fmt`` on ``handle`` (binary when :func:`is_binary`).

    ``existing`` continues a resumed file (:class:`~tagger.batch.output.SafeOutput`'s ``existing``).
    """
    if fmt not in WRITERS:
        raise ParameterError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}.")
    return WRITERS[fmt](handle, families, existing)


def is_binary(fmt: str) -> bool:
    """Whether ``fmt`` is written to a binary handle (Parquet) rather than text."""
    return not FORMATS[fmt].text
