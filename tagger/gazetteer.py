"""Find mentions of a family's labels in text: taxonomy aliases plus, for regions, GeoNames place names.

The matcher is a table from normalised surface form to label entries, scanned leftmost-longest over the article's
tokens. Each entry says what kind of evidence it is (an alias from ``labels.yaml``, a country or subdivision name, a
city) and whether the form is a common word ("Of", "Mobile"): such forms only match when capitalised, and the
learned model decides how much any mention is worth.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .errors import TaxonomyError
from .taxonomy import Family
from .text import Tokens, is_case_sensitive_alias, normalize

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
    """A match: label index in the family, token span ``[start, end)``, kind code and flags.

    ``shared`` says the surface form names several labels ("Victoria" is a town in many countries): the mention is
    evidence for each of them, and the scorer weighs it by context.
    """

    label: int
    start: int
    end: int
    kind: int
    ambiguous: bool
    population: int
    shared: bool = False


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
    """Leftmost-longest matcher of surface forms over :func:`tagger.text.tokenize` tokens.

    The table is columnar (parallel lists sorted by key, and a dict from key to its row range), so a saved
    matcher of 100,000+ place names loads in a fraction of a second; matching grows a candidate phrase word by word
    only while it is the prefix of some surface form.
    """

    def __init__(
        self,
        keys: list[str],
        labels: list[int],
        kinds: list[int],
        flags: list[int],
        populations: list[int],
        prefixes: list[str] | None = None,
    ):
        self._keys, self._labels, self._kinds, self._flags, self._populations = keys, labels, kinds, flags, populations
        n = len(keys)
        # keys are sorted, so each key's rows are contiguous: first and last row found by C-level dict building
        self._last = dict(zip(keys, range(n), strict=True))
        self._first = dict(zip(reversed(keys), range(n - 1, -1, -1), strict=True))
        if prefixes is None:
            prefixes = []
            for key in self._last:
                if " " in key:
                    words = key.split(" ")
                    prefixes.extend(" ".join(words[:end]) for end in range(1, len(words)))
        self._prefixes = set(prefixes)

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
        columns: dict[str, list] = {"keys": [], "labels": [], "kinds": [], "flags": [], "populations": []}
        for key in sorted(table):
            for entry in table[key].values():
                columns["keys"].append(key)
                columns["labels"].append(entry.label)
                columns["kinds"].append(entry.kind)
                columns["flags"].append(int(entry.ambiguous) | (int(entry.case_sensitive) << 1))
                columns["populations"].append(entry.population)
        return cls(**columns)

    def __len__(self) -> int:
        return len(self._last)

    def _accept(self, key: str, start: int, end: int, caps: list[bool], uppers: list[bool]) -> list[Mention]:
        found = []
        first, last = self._first[key], self._last[key]
        shared = last > first
        for row in range(first, last + 1):
            flag = self._flags[row]
            if flag & 2 and not all(uppers[start:end]):
                continue  # an all-capitals alias ("IS") needs all-capitals words
            if flag & 1 and not caps[start]:
                continue  # a common-word place name ("Mobile") needs a capital
            found.append(
                Mention(self._labels[row], start, end, self._kinds[row], bool(flag & 1), self._populations[row], shared)
            )
        return found

    def find(self, tokens: Tokens) -> list[Mention]:
        """Every mention in ``tokens``, leftmost-longest and non-overlapping, in text order."""
        span, prefixes = self._last, self._prefixes
        keys, caps, uppers = tokens.keys, tokens.caps, tokens.uppers
        n = len(keys)
        mentions: list[Mention] = []
        next_free = 0
        for i in [i for i, key in enumerate(keys) if key in span or key in prefixes]:
            if i < next_free:
                continue
            phrase = keys[i]
            matched = [(phrase, i + 1)] if phrase in span else []
            j = i + 1
            while j < n and phrase in prefixes:
                phrase = f"{phrase} {keys[j]}"
                j += 1
                if phrase in span:
                    matched.append((phrase, j))
            for key, end in reversed(matched):  # longest first; fall back when flags reject it
                found = self._accept(key, i, end, caps, uppers)
                if found:
                    mentions.extend(found)
                    next_free = end
                    break
        return mentions

    # --- persistence (plain JSON-able lists, no pickle) --------------------------------------------------------

    def to_columns(self) -> dict[str, Any]:
        """The table as parallel lists, for saving inside a model folder."""
        return {
            "keys": self._keys,
            "labels": self._labels,
            "kinds": self._kinds,
            "flags": self._flags,
            "populations": self._populations,
            "prefixes": sorted(self._prefixes),
        }

    @classmethod
    def from_columns(cls, columns: dict[str, Any], n_labels: int) -> Matcher:
        """Rebuild a matcher saved by :meth:`to_columns`, checking its shape and that labels are in range."""
        names = ("keys", "labels", "kinds", "flags", "populations")
        lists = [columns[name] for name in names]
        if any(not isinstance(values, list) for values in lists) or len({len(v) for v in lists}) != 1:
            raise ValueError("matcher columns are missing or of different lengths")
        keys, labels, kinds = lists[0], lists[1], lists[2]
        if labels and (min(labels) < 0 or max(labels) >= n_labels or min(kinds) < 0 or max(kinds) >= len(KINDS)):
            raise ValueError("matcher entries point outside the taxonomy")
        if any(not isinstance(key, str) for key in keys) or keys != sorted(keys):
            raise ValueError("matcher keys must be strings in sorted order")
        prefixes = columns.get("prefixes")  # absent in models saved before it was stored: recomputed
        if prefixes is not None and (not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes)):
            raise ValueError("matcher prefixes must be a list of strings")
        return cls(*lists, prefixes=prefixes)
