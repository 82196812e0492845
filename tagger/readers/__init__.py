"""Readers of labelled data: each yields :class:`Record` objects lazily from a path or an open text file.

- :func:`read_jsonl` — ``{"id": …, "text": …, "labels": {"region": [...], …}}`` per line.
- :func:`read_csv` — a ``text`` column and one column per family with ``|``-separated ids.
- :func:`read_parquet` — unlabelled records from Parquet (``pip install 'tagger[parquet]'``).
- :func:`read_acled`, :func:`read_ucdp` — ACLED exports and UCDP GED files, codes mapped to labels.
- :func:`read_records` — picks the reader from the file name, through the registry in :mod:`.formats`.

A family absent from a record means "not annotated"; an empty list means "annotated: none apply".
"""

from __future__ import annotations

from ._common import Record, open_source
from .auto import read_records
from .csv import read_csv
from .formats import FORMATS, Format
from .jsonl import read_jsonl

__all__ = ["Record", "read_jsonl", "read_csv", "read_records", "open_source", "FORMATS", "Format"]
