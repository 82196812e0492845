"""Read UCDP GED CSV files as labelled records: report headlines are the text, the event codes become labels.

The text is ``source_headline``, followed by the titles in ``source_article`` (``"Source,date,title";…``) that the
headline does not already hold. ``country``/``adm_1`` give the region, ``side_a``/``side_b`` (and
``type_of_violence`` 3, one-sided violence against civilians) the actors. GED has no event-type field, so records
leave the ``event_type`` family "not annotated".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import DataError, where
from ..taxonomy import Taxonomy
from ._common import Record, RecordChecker, source_name
from ._csv import csv_rows, header_index
from .mapping import LabelMapping, MappingReport, make_resolver, mapped_record, text_key, usable_key

__all__ = ["read_ucdp", "ged_text", "COLUMNS"]

#: Columns the reader needs (any recent GED version has them; ``source_article`` is used when present).
COLUMNS = ("id", "type_of_violence", "side_a", "side_b", "source_headline", "country", "adm_1")
_EXTRA = ("date_start", "year", "type_of_violence", "side_a", "side_b", "country", "adm_1", "best")
_ARTICLE_ENTRY = re.compile(r'"\s*;\s*"')
_ARTICLE = re.compile(r"^[^,]*,\s*\d{4}-\d{2}-\d{2}\s*,(?P<title>.*)$", re.DOTALL)


def ged_text(headline: str, article: str = "") -> str:
    """The headline, then each ``source_article`` title it does not already contain; junk parts are left out.

    >>> ged_text("Clashes in Daraa countryside", '"SOHR,2016-01-01,Clashes in Daraa countryside"')
    'Clashes in Daraa countryside'
    >>> ged_text("TS164", '"SOHR,2018-02-08,Shelling targets the eastern countryside of Idlib"')
    'Shelling targets the eastern countryside of Idlib'
    """
    pieces: list[str] = []
    seen: list[str] = []
    for piece in (headline, *_titles(article)):
        piece = piece.strip()
        if any(piece in other for other in pieces):  # the usual case: the headline holds the title verbatim
            continue
        key = text_key(piece)
        if not usable_key(key) or any(key in other for other in seen):
            continue
        pieces.append(piece)
        seen.append(key)
    if not pieces:
        return ""
    return pieces[0] + ("\n\n" + "\n".join(pieces[1:]) if len(pieces) > 1 else "")


def _titles(article: str) -> list[str]:
    """Titles of a GED ``source_article`` cell: ``"Source,YYYY-MM-DD,Title";"Source,…"`` (other shapes: none)."""
    titles = []
    for entry in _ARTICLE_ENTRY.split(article.strip()):
        match = _ARTICLE.match(entry.strip().strip('"'))
        if match is not None:
            titles.append(match.group("title").strip())
    return titles


def read_ucdp(
    source: str | Path | IO[str],
    taxonomy: Taxonomy | None = None,
    *,
    mapping: LabelMapping | str | Path | None = None,
    report: MappingReport | None = None,
    skip_bad: bool = False,
    skipped: list[DataError] | None = None,
    encoding: str = "utf-8",
) -> Iterator[Record]:
    """Yield a record per GED event with ``region`` and ``actor`` labels (``event_type`` is not annotated).

    ``mapping`` is a mapping file (default: the one shipped for the default taxonomy); ``taxonomy`` defaults to the
    shipped one. Events whose headline is empty or junk (source codes such as "TS164", bare links) are skipped and,
    like names that map to nothing, counted in ``report``.

    >>> import io
    >>> data = io.StringIO(
    ...     "id,type_of_violence,side_a,side_b,source_headline,source_article,country,adm_1\\n"
    ...     '7,1,Government of Syria,Syrian insurgents,Regime forces shell the countryside of Idlib,,Syria,'
    ...     "Idlib Governorate\\n"
    ... )
    >>> record = next(read_ucdp(data))
    >>> record.id, record.labels
    ('7', {'region': ('sy-idlib',), 'actor': ('syrian-government', 'syrian-opposition')})
    """
    name = source_name(source)
    checker = RecordChecker(name, skip_bad, skipped)
    rows = csv_rows(source, name, checker, encoding=encoding)
    first = next(rows, None)
    if first is None:
        return
    header = first[1]
    columns = header_index(header)
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise DataError(
            f"{where(name, 1)}: not a UCDP GED file: no column {', '.join(map(repr, missing))}. Expected the GED "
            f"columns {', '.join(COLUMNS)} (and source_article); the header has {', '.join(header[:12])}"
            f"{' …' if len(header) > 12 else ''}."
        )
    taxonomy, resolver = make_resolver(mapping, taxonomy, dataset="ucdp")
    id_at, violence_at, headline_at, country_at, adm1_at = (
        columns[c] for c in ("id", "type_of_violence", "source_headline", "country", "adm_1")
    )
    article_at = columns.get("source_article")
    sides_at = (columns["side_a"], columns["side_b"])
    extra_at = {c: columns[c] for c in _EXTRA if c in columns}
    for line, row in rows:
        if len(row) != len(header):
            checker.handle(DataError(f"{where(name, line)}: {len(row)} fields, the header has {len(header)}."))
            continue
        text = ged_text(row[headline_at], row[article_at] if article_at is not None else "")
        if not text:
            if report is not None:
                report.skip("empty or junk headline", where(name, line))
            continue
        record_id = row[id_at].strip() or None
        try:
            checker.check_id(record_id, line)
        except DataError as error:
            checker.handle(error)
            continue
        labels: dict[str, tuple[str, ...]] = {}
        region = resolver.region(
            row[country_at], row[adm1_at], report=report, country_field="country", admin1_field="adm_1"
        )
        if region is not None:
            labels["region"] = region
        if resolver.has("actor"):
            names = [part for at in sides_at for part in row[at].split(",")]
            actors = resolver.actors(names, field="side", report=report)
            actors += resolver.extra_actors("violence_type_actors", row[violence_at])
            labels["actor"] = tuple(dict.fromkeys(actors))
        extra = {column: row[at] for column, at in extra_at.items()}
        yield mapped_record(text, labels, taxonomy, name, line, record_id, extra, report)
