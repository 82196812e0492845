"""Tagging at scale: record streams in worker processes, Dask, pandas DataFrames and the output writers.

- :func:`tag_stream` (:mod:`tagger.batch.stream`) — records in, output rows out, in order, bounded memory.
- :func:`tag_frame` (:mod:`tagger.batch.frames`) — one column per family on a pandas DataFrame.
- :mod:`tagger.batch.dask_engine` — ``tag_bag`` / ``tag_dataframe`` on a Dask cluster.
- :mod:`tagger.batch.writers` — JSONL, CSV and Parquet writers, one batch at a time.
- :func:`resolve_model`, :func:`default_jobs` (:mod:`tagger.batch.common`) — shared by all of them.
"""

from __future__ import annotations

from .common import default_jobs, resolve_model
from .frames import tag_frame
from .stream import tag_stream

__all__ = ["default_jobs", "resolve_model", "tag_frame", "tag_stream"]
