"""Read records from a Parquet file in row batches (needs pyarrow: ``pip install 'tagger[parquet]'``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..taxonomy import Taxonomy
from ._common import Record, RecordChecker

__all__ = ["read_parquet"]


def read_parquet(
    source: str | Path,
    taxonomy: Taxonomy | None = None,
    *,
    text_column: str = "text",
    id_column: str = "id",
    batch_rows: int = 4096,
    require_labels: bool = False,
    skip_bad: bool = False,
    skipped: list[DataError] | None = None,
) -> Iterator[Record]:
    """Yield unlabelled records (text, id, other columns as ``extra``) from a Parquet file, batch by batch.

    Parquet records carry no labels (``taxonomy`` is accepted for a uniform reader signature and not used).
    """
    if require_labels:
        raise DataError(f"{source}: Parquet input carries no labels; train and evaluate on JSONL or CSV files.")
    if not isinstance(source, (str, Path)):
        raise DataError("Parquet input must be a file path (stdin and text streams are JSONL only).")
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("reading Parquet needs pyarrow: pip install 'tagger[parquet]'") from None
    try:
        parquet = pq.ParquetFile(str(source))
    except FileNotFoundError:
        raise DataError(f"{source}: file not found.") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{source}: cannot read as Parquet ({exc}).") from None
    names = parquet.schema_arrow.names
    if text_column not in names:
        raise DataError(f"{source}: no {text_column!r} column; the file has {names}.")
    checker = RecordChecker(str(source), skip_bad, skipped)
    row = 0
    for batch in parquet.iter_batches(batch_size=batch_rows):
        for values in batch.to_pylist():
            row += 1
            record = _record(values, text_column, id_column, source, row, checker)
            if record is not None:
                yield record


def _record(
    values: dict[str, Any], text_column: str, id_column: str, source: str | Path, row: int, checker: RecordChecker
) -> Record | None:
    text = values.pop(text_column)
    if not isinstance(text, str):
        checker.handle(DataError(f"{source}: row {row}: {text_column!r} is {type(text).__name__}, expected text."))
        return None
    record_id = values.pop(id_column, None)
    return Record(
        text=text, id=str(record_id) if record_id is not None else None, source=str(source), line=row, extra=values
    )
