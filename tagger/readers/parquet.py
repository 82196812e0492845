"""Read records from a Parquet file in row batches (needs pyarrow: ``pip install 'tagger[parquet]'``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import DataError
from ._common import Record

__all__ = ["read_parquet"]


def read_parquet(
    source: str | Path, *, text_column: str = "text", id_column: str = "id", batch_rows: int = 4096
) -> Iterator[Record]:
    """Yield unlabelled records (text, id, other columns as ``extra``) from a Parquet file, batch by batch."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("reading Parquet needs pyarrow: pip install 'tagger[parquet]'") from None
    try:
        parquet = pq.ParquetFile(str(source))
    except (OSError, ValueError) as exc:
        raise DataError(f"{source}: cannot read as Parquet ({exc}).") from None
    names = parquet.schema_arrow.names
    if text_column not in names:
        raise DataError(f"{source}: no {text_column!r} column; the file has {names}.")
    row = 0
    for batch in parquet.iter_batches(batch_size=batch_rows):
        for values in batch.to_pylist():
            row += 1
            text = values.pop(text_column)
            if not isinstance(text, str):
                raise DataError(f"{source}: row {row}: {text_column!r} is {type(text).__name__}, expected text.")
            record_id = values.pop(id_column, None)
            yield Record(
                text=text,
                id=str(record_id) if record_id is not None else None,
                source=str(source),
                line=row,
                extra=values,
            )
