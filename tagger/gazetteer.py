"""Find mentions of a family's labels in text: taxonomy aliases plus, for regions, GeoNames place names.

The matcher is a table from normalised surface form to label entries, scanned leftmost-longest over the article's
tokens. Each entry says what kind of evidence it is (an alias from ``labels.yaml``, a country or subdivision name, a
city) and whether the form is a common word ("Of", "Mobile"): such forms only match when capitalised, and the
learned model decides how much any mention is worth.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .errors import TaxonomyError
from .taxonomy import Family
from .text import Token, is_case_sensitive_alias, normalize

__all__ = ["KINDS", "Matcher", "Mention", "read_gazetteer"]

KINDS = ("alias", "country", "subdivision", "city")
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
_GAZETTEER_COLUMNS = ["alias", "label", "kind", "population", "ambiguous"]


class Entry(NamedTuple):
    label: int
    kind: int
    ambiguous: bool
    case_sensitive: bool
    population: int


class Mention(NamedTuple):
    """A match: label index in the family, token span ``[start, end)``, kind code and flags."""

    label: int
    start: int
    end: int
    kind: int
    ambiguous: bool
    population: int


@dataclass(frozen=True)
class GazetteerRow:
    alias: str
    label: str
    kind: str
    population: int
    ambiguous: bool


def read_gazetteer(path: str | Path) -> list[GazetteerRow]:
    """Read a gazetteer TSV (``alias, label, kind, population, ambiguous``), checking every row."""
    path = Path(path)
    rows: list[GazetteerRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != _GAZETTEER_COLUMNS:
            raise TaxonomyError(f"{path}:1: gazetteer header must be {_GAZETTEER_COLUMNS}, got {header}.")
        for line_no, fields in enumerate(reader, start=2):
            if len(fields) != 5 or fields[2] not in _KIND_CODE or fields[2] == "alias":
                raise TaxonomyError(f"{path}:{line_no}: malformed gazetteer row {fields!r}.")
            try:
                population = int(fields[3] or 0)
            except ValueError:
                raise TaxonomyError(f"{path}:{line_no}: population {fields[3]!r} is not an integer.") from None
            rows.append(GazetteerRow(fields[0], fields[1], fields[2], population, fields[4] == "1"))
    return rows


class Matcher:
    """Leftmost-longest matcher of surface forms over :func:`tagger.text.tokenize` tokens."""

    def __init__(self, table: dict[str, tuple[Entry, ...]]):
        self._table = table
        longest: dict[str, int] = {}
        for key in table:
            words = key.split(" ")
            if len(words) > longest.get(words[0], 0):
                longest[words[0]] = len(words)
        self._longest = longest

    @classmethod
    def for_family(cls, family: Family, gazetteer: Iterable[GazetteerRow] = ()) -> Matcher:
        """Build the matcher of a family from its labels' names and aliases and optional gazetteer rows."""
        table: dict[str, dict[int, Entry]] = {}
        for index, label in enumerate(family.labels):
            for form in label.surface_forms():
                entry = Entry(index, 0, False, is_case_sensitive_alias(form), 0)
                table.setdefault(normalize(form), {})[index] = entry
        for row in gazetteer:
            if row.label not in family:
                continue  # a place of a country this taxonomy does not have
            key = normalize(row.alias)
            if not key:
                continue
            index = family.index(row.label)
            slot = table.setdefault(key, {})
            if index not in slot:  # an alias from labels.yaml outranks the same form from the gazetteer
                slot[index] = Entry(index, _KIND_CODE[row.kind], row.ambiguous, False, row.population)
        return cls({key: tuple(slot.values()) for key, slot in table.items()})

    def __len__(self) -> int:
        return len(self._table)

    def find(self, tokens: Sequence[Token]) -> list[Mention]:
        """Every mention in ``tokens``, leftmost-longest and non-overlapping, in text order."""
        table, longest = self._table, self._longest
        mentions: list[Mention] = []
        keys = [token.key for token in tokens]
        i, n = 0, len(keys)
        while i < n:
            span = longest.get(keys[i], 0)
            matched = 0
            for length in range(min(span, n - i), 0, -1):
                entries = table.get(" ".join(keys[i : i + length]) if length > 1 else keys[i])
                if entries is None:
                    continue
                upper = all(token.upper for token in tokens[i : i + length])
                cap = tokens[i].cap
                found = False
                for entry in entries:
                    if entry.case_sensitive and not upper:
                        continue
                    if entry.ambiguous and not cap:
                        continue
                    mentions.append(Mention(entry.label, i, i + length, entry.kind, entry.ambiguous, entry.population))
                    found = True
                if found:
                    matched = length
                    break
            i += matched or 1
        return mentions

    # --- persistence (plain JSON-able lists, no pickle) --------------------------------------------------------

    def to_columns(self) -> dict[str, Any]:
        """The table as parallel lists, for saving inside a model folder."""
        keys, labels, kinds, flags, populations = [], [], [], [], []
        for key in sorted(self._table):
            for entry in self._table[key]:
                keys.append(key)
                labels.append(entry.label)
                kinds.append(entry.kind)
                flags.append(int(entry.ambiguous) | (int(entry.case_sensitive) << 1))
                populations.append(entry.population)
        return {"keys": keys, "labels": labels, "kinds": kinds, "flags": flags, "populations": populations}

    @classmethod
    def from_columns(cls, columns: dict[str, Any], n_labels: int) -> Matcher:
        """Rebuild a matcher saved by :meth:`to_columns`, checking every label index is in range."""
        table: dict[str, list[Entry]] = {}
        rows = zip(
            columns["keys"], columns["labels"], columns["kinds"], columns["flags"], columns["populations"], strict=True
        )
        for key, label, kind, flag, population in rows:
            if not (0 <= int(label) < n_labels) or not (0 <= int(kind) < len(KINDS)):
                raise ValueError(f"matcher entry for {key!r} points outside the taxonomy")
            entry = Entry(int(label), int(kind), bool(flag & 1), bool(flag & 2), int(population))
            table.setdefault(str(key), []).append(entry)
        return cls({key: tuple(entries) for key, entries in table.items()})
