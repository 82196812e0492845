"""CSV rows for every CSV-based reader (plain CSV, ACLED, UCDP): decoded line by line, errors named by line.

Articles, ACLED notes and GED article lists can be longer than the csv module's 128 KiB field limit. The limit is
global to the module, so it is raised only while a row is parsed and restored right after: importing or using
tagger never changes it for the rest of the program.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import DataError, where
from ._common import RecordChecker, read_lines

__all__ = ["FIELD_LIMIT", "csv_rows", "header_index"]

FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def _text_lines(source: str | Path | IO[str], name: str, checker: RecordChecker, encoding: str) -> Iterator[str]:
    for _line, text in read_lines(source, name, encoding=encoding):
        if isinstance(text, DataError):
            checker.handle(text)  # raises unless bad lines are skipped
            yield "\n"  # an empty row keeps the csv module's line count right
            continue
        yield text


def csv_rows(
    source: str | Path | IO[str], name: str, checker: RecordChecker, *, encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` of every non-empty CSV row, the header first (without a byte-order mark).

    A malformed row or a line that does not decode goes to ``checker`` (an error, or skipped and counted).
    """
    reader = csv.reader(_text_lines(source, name, checker, encoding))
    header = True
    limit = csv.field_size_limit
    while True:
        previous = limit(FIELD_LIMIT)
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if header:
                raise DataError(f"{where(name, 1)}: malformed CSV header ({exc}).") from None
            checker.handle(DataError(f"{where(name, reader.line_num)}: malformed CSV ({exc})."))
            continue
        finally:
            limit(previous)
        if row:
            if header:
                row[0] = row[0].lstrip("\ufeff")
                header = False
            yield reader.line_num, row


def header_index(header: list[str]) -> dict[str, int]:
    """Lower-cased column name → position."""
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        index.setdefault(column.lstrip("\ufeff").strip().lower(), position)
    return index
