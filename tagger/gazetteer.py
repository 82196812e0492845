"""Find mentions of a family's labels in text: taxonomy aliases plus, for regions, GeoNames place names.

The matcher is a table from normalised surface form to label entries, scanned leftmost-longest over the article's
tokens. Each entry says what kind of evidence it is (an alias from ``labels.yaml``, a country or subdivision name, a
city) and whether the form is a common word ("Of", "Mobile"): such forms only match when capitalised, and the
learned model decides how much any mention is worth.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import _kernel
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


def _blob(strings: list[str]) -> np.ndarray:
    """Strings joined by line breaks as UTF-8 bytes (how a matcher keeps and saves its keys and prefixes)."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


class Matcher:
    """Leftmost-longest matcher of surface forms over :func:`tagger.text.tokenize` tokens.

    The table is columnar: the distinct keys in sorted order (newline-joined UTF-8, looked up through the kernel's
    hash table :class:`tagger._kernel.PhraseTable`), ``starts`` (the rows of key ``u`` are ``starts[u] ..
    starts[u + 1] - 1``) and per row its label, kind, flags and population as numpy arrays; so a saved matcher of
    200,000+ place names loads with a few ``np.frombuffer`` calls and one table built in C, with no Python object per
    name. Matching (in the kernel) grows a candidate phrase word by word only while it is the prefix of some surface
    form, hashing only the next word.
    """

    def __init__(
        self,
        keys: list[str],
        labels: Sequence[int],
        kinds: Sequence[int],
        flags: Sequence[int],
        populations: Sequence[int],
        prefixes: list[str] | None = None,
    ):
        """A matcher from one key per row (``keys`` sorted; a key of several labels has several rows)."""
        n = len(keys)
        first = dict(zip(reversed(keys), range(n - 1, -1, -1), strict=True))  # C-level: first row of each key
        unique = list(first)
        unique.reverse()  # ``first`` was filled from the end: its keys are in reverse sorted order
        if any("\n" in key for key in unique):
            raise ValueError("matcher keys cannot contain line breaks")
        starts = np.fromiter((first[key] for key in unique), dtype=np.int32, count=len(unique))
        if prefixes is None:
            prefixes = [
                " ".join(words[:end]) for words in (key.split(" ") for key in unique) for end in range(1, len(words))
            ]
        self._set(
            _blob(unique),
            _blob(sorted(set(prefixes))),
            np.append(starts, np.int32(n)),
            np.asarray(labels, dtype=np.int32),
            np.asarray(kinds, dtype=np.int8),
            np.asarray(flags, dtype=np.int8),
            np.asarray(populations, dtype=np.int64),
        )

    def _set(
        self,
        key_blob: np.ndarray,
        prefix_blob: np.ndarray,
        starts: np.ndarray,
        labels: np.ndarray,
        kinds: np.ndarray,
        flags: np.ndarray,
        populations: np.ndarray,
    ) -> None:
        self._key_blob, self._prefix_blob = key_blob, prefix_blob
        self._table = _kernel.PhraseTable(key_blob, prefix_blob)  # refuses keys out of order or repeated
        if starts.size != self._table.n_keys + 1:
            raise ValueError("matcher arrays are of different lengths")
        self._starts, self._labels, self._kinds, self._flags, self._populations = (
            starts,
            labels,
            kinds,
            flags,
            populations,
        )

    # the keys and prefixes as Python objects: only for the reference matcher and the old format's columns
    @functools.cached_property
    def _keys(self) -> list[str]:
        text = self._key_blob.tobytes().decode("utf-8")
        return text.split("\n") if text else []

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {key: u for u, key in enumerate(self._keys)}

    @functools.cached_property
    def _prefixes(self) -> set[str]:
        text = self._prefix_blob.tobytes().decode("utf-8")
        return set(text.split("\n")) if text else set()

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
        return int(self._table.n_keys)

    def find(self, tokens: Tokens) -> list[Mention]:
        """Every mention in ``tokens``, leftmost-longest and non-overlapping, in text order."""
        return _kernel.find_mentions(
            tokens.keys,
            tokens.caps,
            tokens.uppers,
            self._table,
            self._starts,
            self._labels,
            self._kinds,
            self._flags,
            self._populations,
            Mention,
        )

    def find_reference(self, tokens: Tokens) -> list[Mention]:
        """:meth:`find` in plain Python: the reference the compiled kernel is tested against."""
        span, prefixes = self._index, self._prefixes
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
                found = self._accept_reference(key, i, end, caps, uppers)
                if found:
                    mentions.extend(found)
                    next_free = end
                    break
        return mentions

    def _accept_reference(self, key: str, start: int, end: int, caps: list[bool], uppers: list[bool]) -> list[Mention]:
        found = []
        u = self._index[key]
        first, stop = int(self._starts[u]), int(self._starts[u + 1])
        shared = stop - first > 1
        for row in range(first, stop):
            flag = int(self._flags[row])
            if flag & 2 and not all(uppers[start:end]):
                continue  # an all-capitals alias ("IS") needs all-capitals words
            if flag & 1 and not caps[start]:
                continue  # a common-word place name ("Mobile") needs a capital
            found.append(
                Mention(
                    int(self._labels[row]),
                    start,
                    end,
                    int(self._kinds[row]),
                    bool(flag & 1),
                    int(self._populations[row]),
                    shared,
                )
            )
        return found

    # --- persistence: packed arrays (model format 2); JSON lists (format 1) still load -------------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The table as packed arrays (keys and prefixes as newline-joined UTF-8), for a model folder's npz."""
        return {
            "keys": self._key_blob,
            "starts": self._starts.astype(np.int32),
            "labels": self._labels.astype(np.int32),
            "kinds": self._kinds.astype(np.int8),
            "flags": self._flags.astype(np.int8),
            "populations": self._populations.astype(np.int64),
            "prefixes": self._prefix_blob,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], n_labels: int) -> Matcher:
        """Rebuild a matcher saved by :meth:`to_arrays`, checking dtypes, shapes, ranges and key order."""
        expected = {
            "keys": np.uint8,
            "starts": np.int32,
            "labels": np.int32,
            "kinds": np.int8,
            "flags": np.int8,
            "populations": np.int64,
            "prefixes": np.uint8,
        }
        for name, dtype in expected.items():
            if name not in arrays:
                raise ValueError(f"matcher array {name!r} is missing")
            if arrays[name].dtype != np.dtype(dtype) or arrays[name].ndim != 1:
                raise ValueError(f"matcher array {name!r} must be one-dimensional {np.dtype(dtype).name}")
        for name in ("keys", "prefixes"):
            try:
                arrays[name].tobytes().decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"matcher array {name!r} is not UTF-8 text") from None
        starts, labels = arrays["starts"], arrays["labels"]
        kinds, flags, populations = arrays["kinds"], arrays["flags"], arrays["populations"]
        n_rows = labels.size
        if not (kinds.size == flags.size == populations.size == n_rows):
            raise ValueError("matcher arrays are of different lengths")
        if starts.size and (starts[0] != 0 or starts[-1] != n_rows or np.any(np.diff(starts) <= 0)):
            raise ValueError("matcher row ranges must start at 0, grow and end at the number of rows")
        if n_rows and (labels.min() < 0 or labels.max() >= n_labels or kinds.min() < 0 or kinds.max() >= len(KINDS)):
            raise ValueError("matcher entries point outside the taxonomy")
        matcher = cls.__new__(cls)
        matcher._set(arrays["keys"], arrays["prefixes"], starts, labels, kinds, flags, populations)
        return matcher

    def to_columns(self) -> dict[str, Any]:
        """The table as parallel lists with one key per row (model format 1; kept for tests of old formats)."""
        counts = np.diff(self._starts)
        return {
            "keys": [key for key, count in zip(self._keys, counts.tolist(), strict=True) for _ in range(count)],
            "labels": self._labels.tolist(),
            "kinds": self._kinds.tolist(),
            "flags": self._flags.tolist(),
            "populations": self._populations.tolist(),
            "prefixes": sorted(self._prefixes),
        }

    @classmethod
    def from_columns(cls, columns: dict[str, Any], n_labels: int) -> Matcher:
        """Rebuild a matcher saved by :meth:`to_columns` (format 1), checking its shape and that labels are in range."""
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
        keys, labels, kinds, flags, populations = lists
        return cls(keys, labels, kinds, flags, populations, prefixes=prefixes)
