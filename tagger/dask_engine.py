"""Moved to :mod:`tagger.batch.dask_engine`; this name stays importable for ``benchmarks/`` until it imports the
new one."""

from __future__ import annotations

from .batch.dask_engine import local_client, require_dask, tag_bag, tag_dataframe

__all__ = ["local_client", "require_dask", "tag_bag", "tag_dataframe"]
