"""Pick a reader from the file name (or an explicit format) so callers need not care.

The formats are the entries of :data:`tagger.readers.formats.FORMATS`. ``acled`` and ``ucdp`` are never guessed
(both are CSV): ask for them by name. They take a label ``mapping`` (a file; ``None`` for the one shipped with
tagger) and fill a :class:`~tagger.readers.mapping.MappingReport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import ParameterError
from ..taxonomy import Taxonomy
from ._common import Record
from .formats import FORMATS, get_format, guess_format, reader_options
from .mapping import LabelMapping, MappingReport

__all__ = ["read_records", "FORMATS", "guess_format"]


def read_records(
    source: str | Path | IO[str],
    taxonomy: Taxonomy | None = None,
    *,
    format: str = "auto",
    mapping: LabelMapping | str | Path | None = None,
    report: MappingReport | None = None,
    **options: Any,
) -> Iterator[Record]:
    """Yield records from ``source`` with the reader for ``format`` (``auto`` guesses from the file name).

    ``mapping`` and ``report`` apply to the ``acled`` and ``ucdp`` formats (which map source codes to label ids);
    other options (``skip_bad``, ``skipped``, ``require_labels``, ``encoding`` …) go to the reader.
    """
    fmt = get_format(format, source)
    options = reader_options(fmt, options)
    if fmt.needs_mapping:
        return fmt.reader(source, taxonomy, mapping=mapping, report=report, **options)
    if mapping is not None:
        raise ParameterError(f"a label mapping applies to the acled and ucdp formats only, not to {fmt.name!r} data.")
    return fmt.reader(source, taxonomy, **options)
