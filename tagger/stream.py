"""Moved to :mod:`tagger.batch.stream`; this name stays importable for ``benchmarks/`` until it imports the new one."""

from __future__ import annotations

from .batch.stream import default_jobs, output_row, tag_stream

__all__ = ["default_jobs", "output_row", "tag_stream"]
