"""Write tagging output rows as JSONL, CSV or Parquet, one batch at a time (memory stays flat).

Rows have the ``to_dict`` shape plus ``id`` and passthrough fields. JSONL keeps it as is; CSV and Parquet get one
column per family holding ``|``-joined ids, and a ``<family>_scores`` column with the matching scores.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

__all__ = ["OUTPUT_FORMATS", "guess_output_format", "open_writer"]

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")


def guess_output_format(path: str | None) -> str:
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    return {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "jsonl")


def _flat(row: dict[str, Any], families: Sequence[str]) -> dict[str, Any]:
    flat = {k: v for k, v in row.items() if k not in families}
    for family in families:
        items = row.get(family, [])
        flat[family] = "|".join(item["id"] for item in items)
        flat[f"{family}_scores"] = "|".join(f"{item['score']:.4f}" for item in items)
    return flat


class _JsonlWriter:
    def __init__(self, handle: IO[str]):
        self.handle = handle

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        self.handle.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self.handle.flush()

    def close(self) -> None:
        self.handle.flush()


class _CsvWriter:
    def __init__(self, handle: IO[str], families: Sequence[str]):
        self.handle = handle
        self.families = families
        self.writer: csv.DictWriter | None = None

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        flats = [_flat(row, self.families) for row in rows]
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
    def __init__(self, path: str, families: Sequence[str]):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("Parquet output needs pyarrow: pip install 'tagger[parquet]'") from None
        self.pa, self.pq = pa, pq
        self.path = path
        self.families = families
        self.writer = None

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        flats = [_flat(row, self.families) for row in rows]
        if not flats:
            return
        columns = {key: [str(f.get(key, "")) for f in flats] for key in flats[0]}
        table = self.pa.table(columns)
        if self.writer is None:
            self.writer = self.pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def open_writer(fmt: str, handle: IO[str] | None, path: str | None, families: Sequence[str]) -> Any:
    """A writer with ``write(rows)`` and ``close()`` for ``fmt``; Parquet writes to ``path`` itself."""
    if fmt == "jsonl":
        return _JsonlWriter(handle)
    if fmt == "csv":
        return _CsvWriter(handle, families)
    if fmt == "parquet":
        if not path or path == "-":
            raise ValueError("Parquet output needs a file path (--output FILE.parquet), not stdout.")
        return _ParquetWriter(path, families)
    raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}.")
