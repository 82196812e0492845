"""Read JSON Lines records: ``{"id": …, "text": …, "labels": {family: [ids]}}``, one per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import DataError, where
from ..taxonomy import Taxonomy
from ._common import Record, RecordChecker, check_labels, read_lines, source_name

__all__ = ["read_jsonl", "parse_jsonl_line"]


def parse_jsonl_line(raw: str, taxonomy: Taxonomy | None, name: str, line: int, *, require_labels: bool) -> Record:
    """Parse and validate one JSONL line into a Record, or raise DataError naming file and line."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DataError(f"{where(name, line)}: invalid JSON ({exc.msg} at column {exc.colno}).") from None
    except RecursionError:
        raise DataError(f"{where(name, line)}: the JSON is nested too deeply to be a record.") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise DataError(f"{where(name, line)}: invalid JSON ({exc}).") from None
    if not isinstance(obj, dict):
        raise DataError(f"{where(name, line)}: expected a JSON object, got {type(obj).__name__}.")
    text = obj.get("text")
    if not isinstance(text, str):
        what = "missing 'text'" if text is None else f"'text' must be a string, got {type(text).__name__}"
        raise DataError(f"{where(name, line)}: {what}.")
    if require_labels and not text.strip():
        raise DataError(f"{where(name, line)}: empty 'text'.")
    record_id = obj.get("id")
    if record_id is not None and not isinstance(record_id, (str, int)):
        raise DataError(f"{where(name, line)}: 'id' must be a string or an integer, got {type(record_id).__name__}.")
    labels = obj.get("labels", {})
    if labels is None:
        labels = {}
    if not isinstance(labels, dict):
        raise DataError(f"{where(name, line)}: 'labels' must be an object of family -> list of ids.")
    for family, ids in labels.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise DataError(f"{where(name, line)}: labels of family {family!r} must be a list of id strings.")
    if require_labels and not labels:
        raise DataError(f"{where(name, line)}: no 'labels' (a training record must annotate at least one family).")
    extra = {k: v for k, v in obj.items() if k not in ("text", "labels", "id")}
    return Record(
        text=text,
        labels=check_labels(labels, taxonomy, name, line),
        id=str(record_id) if record_id is not None else None,
        source=name,
        line=line,
        extra=extra,
    )


def read_jsonl(
    source: str | Path | IO[str],
    taxonomy: Taxonomy | None = None,
    *,
    require_labels: bool = True,
    skip_bad: bool = False,
    skipped: list[DataError] | None = None,
    encoding: str = "utf-8",
) -> Iterator[Record]:
    """Yield records from a JSONL path or open file, validating labels against ``taxonomy`` when given.

    With ``skip_bad`` a bad line is left out (and appended to ``skipped``) instead of stopping the read. Lines are
    decoded one at a time (``encoding``, default UTF-8, with or without a byte-order mark), so a line that does not
    decode is an error naming its line and byte after every line before it was read.

    >>> import io
    >>> [r.labels for r in read_jsonl(io.StringIO('{"text": "x", "labels": {"actor": []}}'))]
    [{'actor': ()}]
    """
    name = source_name(source)
    checker = RecordChecker(name, skip_bad, skipped)
    for line_no, raw in read_lines(source, name, encoding=encoding):
        try:
            if isinstance(raw, DataError):
                raise raw
            if not raw.strip():
                continue
            record = parse_jsonl_line(raw, taxonomy, name, line_no, require_labels=require_labels)
            checker.check_id(record.id, line_no)
        except DataError as error:
            checker.handle(error)
            continue
        yield record
