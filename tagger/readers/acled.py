"""Read ACLED exports as labelled records: the ``notes`` are the text, the event codes become labels.

Two schemas are recognised from the header: the current export (lower-case columns with ``sub_event_type``,
``assoc_actor_1/2``, ``iso``, ``admin1..3``) and the pre-2019 one (upper-case columns such as ``EVENT_TYPE``,
``ACTOR1``, ``ALLY_ACTOR_1``, ``NOTES``, with event types like "Battle-No change of territory"). Codes become taxonomy
ids through a mapping file (:mod:`tagger.readers.mapping`); what maps to nothing is counted in a report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import DataError, where
from ..taxonomy import Taxonomy
from ._common import Record, RecordChecker, source_name
from ._csv import csv_rows, header_index
from .mapping import LabelMapping, MappingReport, make_resolver, mapped_record, usable_text

__all__ = ["read_acled", "CURRENT_COLUMNS", "OLD_COLUMNS"]

#: Columns the reader uses, as named in the current export and in the pre-2019 one.
CURRENT_COLUMNS = (
    "event_id_cnty", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2",
    "country", "admin1", "notes",
)  # fmt: skip
OLD_COLUMNS = (
    "EVENT_ID_CNTY", "EVENT_TYPE", "ACTOR1", "ALLY_ACTOR_1", "ACTOR2", "ALLY_ACTOR_2", "COUNTRY", "ADMIN1", "NOTES",
)  # fmt: skip
_REQUIRED = ("actor1", "actor2", "country", "admin1", "notes")
_ID_COLUMNS = ("event_id_cnty", "data_id")
_ASSOCIATES = (("assoc_actor_1", "ally_actor_1"), ("assoc_actor_2", "ally_actor_2"))
_EXTRA = ("event_date", "year", "event_type", "sub_event_type", "country", "admin1", "admin2", "location", "iso")


def read_acled(
    source: str | Path | IO[str],
    taxonomy: Taxonomy | None = None,
    *,
    mapping: LabelMapping | str | Path | None = None,
    report: MappingReport | None = None,
    skip_bad: bool = False,
    skipped: list[DataError] | None = None,
    encoding: str = "utf-8",
) -> Iterator[Record]:
    """Yield a record per ACLED event with ``region``, ``actor`` and (where the code maps) ``event_type`` labels.

    ``mapping`` is a mapping file (default: the one shipped for the default taxonomy); ``taxonomy`` defaults to the
    shipped one. Events with empty or junk notes are skipped and, like codes that map to nothing, counted in
    ``report``.

    >>> import io
    >>> data = io.StringIO(
    ...     "event_id_cnty,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,country,admin1,notes\\n"
    ...     "SYR1,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),,Civilians (Syria),,"
    ...     "Syria,Idleb,Russian warplanes struck a market in Maarat al-Numan.\\n"
    ... )
    >>> record = next(read_acled(data))
    >>> record.id, record.labels["event_type"], record.labels["actor"], record.labels["region"]
    ('SYR1', ('airstrike',), ('russia', 'civilians'), ('sy-idlib',))
    """
    name = source_name(source)
    checker = RecordChecker(name, skip_bad, skipped)
    rows = csv_rows(source, name, checker, encoding=encoding)
    first = next(rows, None)
    if first is None:
        return
    header = first[1]
    columns = header_index(header)
    current = _detect(columns, header, name)
    taxonomy, resolver = make_resolver(mapping, taxonomy, dataset="acled")
    code_column, section, code_field = (
        ("sub_event_type", "event_types", "sub-event type") if current else
        ("event_type", "old_event_types", "event type (pre-2019)")
    )  # fmt: skip
    id_at = next((columns[c] for c in _ID_COLUMNS if c in columns), None)
    actor_at = [columns["actor1"], columns["actor2"]]
    assoc_at = [columns[c] for pair in _ASSOCIATES for c in pair if c in columns]
    notes_at, code_at, country_at, admin1_at = (columns[c] for c in ("notes", code_column, "country", "admin1"))
    extra_at = {c: columns[c] for c in _EXTRA if c in columns}
    for line, row in rows:
        if len(row) != len(header):
            checker.handle(DataError(f"{where(name, line)}: {len(row)} fields, the header has {len(header)}."))
            continue
        text = row[notes_at].strip()
        if not usable_text(text):
            if report is not None:
                report.skip("empty or junk notes", where(name, line))
            continue
        record_id = (row[id_at].strip() or None) if id_at is not None else None
        try:
            checker.check_id(record_id, line)
        except DataError as error:
            checker.handle(error)
            continue
        labels: dict[str, tuple[str, ...]] = {}
        if resolver.has("event_type"):
            ids = resolver.event_types(section, row[code_at], field=code_field, report=report)
            if ids is not None:
                labels["event_type"] = ids
        region = resolver.region(row[country_at], row[admin1_at], report=report)
        if region is not None:
            labels["region"] = region
        if resolver.has("actor"):
            names = [row[at] for at in actor_at]
            names += [part for at in assoc_at for part in row[at].split(";")]
            labels["actor"] = resolver.actors(names, field="actor", report=report)
        extra = {column: row[at] for column, at in extra_at.items()}
        yield mapped_record(text, labels, taxonomy, name, line, record_id, extra, report)


def _detect(columns: dict[str, int], header: list[str], name: str) -> bool:
    """True for the current schema, False for the pre-2019 one; an error listing the expected columns otherwise."""
    current = "sub_event_type" in columns
    missing = [c for c in (*_REQUIRED, "sub_event_type" if current else "event_type") if c not in columns]
    if missing:
        raise DataError(
            f"{where(name, 1)}: not an ACLED export: no column {', '.join(map(repr, missing))}. Expected the current "
            f"export's columns ({', '.join(CURRENT_COLUMNS)}) or the pre-2019 ones ({', '.join(OLD_COLUMNS)}); "
            f"the header has {', '.join(header[:12])}{' …' if len(header) > 12 else ''}."
        )
    return current
