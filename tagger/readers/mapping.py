"""Turn the codes of event data sets (ACLED, UCDP GED) into taxonomy ids, through a YAML mapping file.

A mapping is data, not code: ``tagger/mappings/acled.yaml`` and ``ucdp.yaml`` ship with tagger for the default
taxonomy, and users pass their own with ``--mapping``. Each section maps source codes to label ids:

- ``event_types`` / ``old_event_types`` → ``event_type`` ids (ACLED sub-event types; pre-2019 ACLED event types);
- ``countries`` / ``admin1`` → one ``region`` id each;
- ``actors`` → ``actor`` ids; ``violence_type_actors`` → ``actor`` ids added for a UCDP ``type_of_violence``.

A value is an id, a list of ids, ``[]`` (known code, no label: "none apply") or ``null`` (known code, deliberately
unmapped because it is ambiguous: the family is left "not annotated" and the code is counted in the report).
Names the table does not list are looked up among the taxonomy's label names and aliases and, for places, in the
region family's gazetteer; whatever still maps to nothing is counted in a :class:`MappingReport`.

>>> from tagger.taxonomy import parse_taxonomy
>>> tax = parse_taxonomy('''
... families:
...   region: {labels: [{id: sy, name: Syria}, {id: sy-idlib, name: Idlib, parent: sy}]}
...   actor: {labels: [{id: sdf, name: Syrian Democratic Forces}]}
...   event_type: {labels: [{id: airstrike, name: airstrike}]}
... ''')
>>> mapping = parse_mapping("event_types: {Air/drone strike: airstrike}", tax, dataset="acled")
>>> resolver = Resolver(mapping, tax)
>>> report = MappingReport()
>>> resolver.event_types("event_types", "Air/drone strike", field="sub-event type", report=report)
('airstrike',)
>>> resolver.region("Syria", "Idlib Governorate", report=report)
('sy-idlib',)
>>> resolver.actors(["QSD: Syrian Democratic Forces", "Civilians (Syria)"], field="actor", report=report)
('sdf',)
>>> report.lines()[-1]
"1 record: actor 'Civilians (Syria)' has no mapping"
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, where
from ..gazetteer import read_gazetteer
from ..taxonomy import Taxonomy, load_taxonomy, load_yaml_with_lines
from ..text import normalize
from ._common import Record, check_labels

__all__ = [
    "SECTIONS",
    "LabelMapping",
    "MappingReport",
    "Resolver",
    "default_mapping_path",
    "load_mapping",
    "make_resolver",
    "text_key",
    "usable_key",
    "parse_mapping",
    "usable_text",
]

FORMAT_VERSION = 1
#: Mapping sections and the taxonomy family their ids belong to.
SECTIONS: dict[str, str] = {
    "event_types": "event_type",
    "old_event_types": "event_type",
    "countries": "region",
    "admin1": "region",
    "actors": "actor",
    "violence_type_actors": "actor",
}
_SINGLE_ID = {"countries", "admin1"}  # a place is one region id (or null)
#: Words stripped from names before they are looked up in the taxonomy and gazetteer; a mapping file's ``cleanup``
#: section replaces a list. Arabic articles ("Ar Raqqah"), administrative words ("Deir ez Zor Governorate"), and
#: ACLED's and UCDP's state-force prefixes ("Military Forces of Turkey", "Government of Turkey").
DEFAULT_CLEANUP: dict[str, tuple[str, ...]] = {
    "region_prefixes": ("al", "ar", "as", "ad", "an", "ash", "at", "az", "el", "muhafazat"),
    "region_suffixes": (
        "governorate",
        "province",
        "region",
        "state",
        "district",
        "department",
        "prefecture",
        "oblast",
        "county",
        "muhafazat",
    ),
    "actor_prefixes": ("military forces of", "police forces of", "government of", "the"),
}
_CLEANUP_KEYS = tuple(DEFAULT_CLEANUP)
_TOP_KEYS = {"version", "source", "cleanup", *SECTIONS}
_MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "mappings"
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def default_mapping_path(dataset: str) -> Path:
    """The mapping shipped with tagger for ``dataset`` (``acled`` or ``ucdp``), written for the default taxonomy."""
    return _MAPPINGS_DIR / f"{dataset}.yaml"


def usable_text(text: str, *, min_words: int = 3) -> bool:
    """Whether ``text`` reads as an article or headline, not a source code, a bare link or a place name.

    >>> usable_text("Clashes on many fronts of Aleppo"), usable_text("TS164"), usable_text("https://example.org/x")
    (True, False, False)
    """
    return usable_key(text_key(text), min_words=min_words)


def text_key(text: str) -> str:
    """:func:`~tagger.text.normalize` of ``text`` without its links (the key :func:`usable_key` judges)."""
    return normalize(_URL.sub(" ", text))


def usable_key(key: str, *, min_words: int = 3) -> bool:
    """Whether a :func:`text_key` has at least ``min_words`` words with a letter."""
    words = 0
    for word in key.split():
        if any(ch.isalpha() for ch in word):
            words += 1
            if words >= min_words:
                return True
    return False


# --- the mapping file -------------------------------------------------------------------------------------------

Ids = tuple[str, ...] | None  # None: deliberately unmapped (null in the file)


@dataclass(frozen=True)
class LabelMapping:
    """A validated mapping: per section, normalised source code → label ids (or ``None`` for "unmapped on purpose")."""

    tables: Mapping[str, Mapping[str, Ids]]
    cleanup: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_CLEANUP))
    dataset: str | None = None
    source: str | None = None

    def table(self, section: str) -> Mapping[str, Ids]:
        return self.tables.get(section, {})


def load_mapping(path: str | Path | None, taxonomy: Taxonomy, *, dataset: str) -> LabelMapping:
    """Read and validate a mapping file (``None``: the one shipped for ``dataset``) against ``taxonomy``."""
    file = Path(path) if path is not None else default_mapping_path(dataset)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{file}: mapping file not found.") from None
    except IsADirectoryError:
        raise DataError(f"{file}: is a folder, expected a mapping YAML file.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    return parse_mapping(text, taxonomy, dataset=dataset, source=str(file))


def parse_mapping(text: str, taxonomy: Taxonomy, *, dataset: str, source: str | None = None) -> LabelMapping:
    """Validate mapping YAML given as a string; every error names the file, the line and the bad entry."""
    data = load_yaml_with_lines(text, source, DataError)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataError(
            f"{where(source, 1)}: a mapping file must be a YAML mapping of sections ({', '.join(SECTIONS)})."
        )
    top = getattr(data, "line", None)
    unknown = [key for key in data if key not in _TOP_KEYS]
    if unknown:
        raise DataError(
            f"{where(source, _line(unknown[0], top))}: unknown key(s) {', '.join(repr(str(k)) for k in unknown)}; "
            f"allowed: {', '.join(sorted(_TOP_KEYS))}."
        )
    version = data.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION:
        raise DataError(
            f"{where(source, top)}: mapping format 'version' must be an integer <= {FORMAT_VERSION}, got {version!r}."
        )
    declared = data.get("source")
    if declared is not None and str(declared).lower() != dataset:
        raise DataError(
            f"{where(source, _line(declared, top))}: this mapping is for {str(declared)!r} data, not {dataset!r}."
        )

    tables: dict[str, dict[str, Ids]] = {}
    for section, family in SECTIONS.items():
        body = data.get(section)
        if body is None:
            continue
        if not isinstance(body, dict):
            raise DataError(f"{where(source, _line(body, top))}: {section!r} must be a mapping of code -> id(s).")
        fam = taxonomy.families.get(family)
        table: dict[str, Ids] = {}
        first_line: dict[str, int | None] = {}
        for code, value in body.items():
            line = _line(code, _line(body, top))
            if isinstance(code, bool) or not isinstance(code, (str, int)):
                raise DataError(f"{where(source, line)}: {section}: code {code!r} must be a string (quote it).")
            key = normalize(str(code))
            if not key:
                raise DataError(f"{where(source, line)}: {section}: code {str(code)!r} has no letters or digits.")
            if key in table or key in first_line:
                raise DataError(
                    f"{where(source, line)}: {section}: code {str(code)!r} is listed twice (first on line "
                    f"{first_line[key]})."
                )
            first_line[key] = line
            table[key] = _ids(value, section, str(code), family, fam, source, _line(value, line))
        tables[section] = table

    cleanup_data = data.get("cleanup") or {}
    if not isinstance(cleanup_data, dict):
        raise DataError(f"{where(source, _line(cleanup_data, top))}: 'cleanup' must be a mapping.")
    cleanup = dict(DEFAULT_CLEANUP)
    for key, words in cleanup_data.items():
        line = _line(key, _line(cleanup_data, top))
        if key not in _CLEANUP_KEYS:
            raise DataError(
                f"{where(source, line)}: cleanup: unknown key {key!r}; allowed: {', '.join(_CLEANUP_KEYS)}."
            )
        if not isinstance(words, list) or not all(isinstance(w, str) and normalize(w) for w in words):
            raise DataError(f"{where(source, line)}: cleanup: {key!r} must be a list of words.")
        cleanup[key] = tuple(normalize(w) for w in words)
    return LabelMapping(tables=tables, cleanup=cleanup, dataset=dataset, source=source)


def _ids(value: Any, section: str, code: str, family: str, fam: Any, source: str | None, line: int | None) -> Ids:
    if value is None:
        return None
    if isinstance(value, str):
        ids = [value]
    elif isinstance(value, list) and section not in _SINGLE_ID and all(isinstance(v, str) for v in value):
        ids = list(value)
    else:
        what = "one region id or null" if section in _SINGLE_ID else "an id, a list of ids, [] or null"
        raise DataError(f"{where(source, line)}: {section}: {code!r} must map to {what}, got {value!r}.")
    if fam is not None:
        for label_id in ids:
            if label_id not in fam:
                raise DataError(
                    f"{where(source, _line(label_id, line))}: {section}: {code!r} maps to {label_id!r}, "
                    f"which is not a label of family {family!r} in the taxonomy."
                )
    return tuple(dict.fromkeys(ids))


def _line(value: Any, default: int | None = None) -> int | None:
    """The line a YAML value was read from (strings and mappings remember it), else ``default``."""
    return getattr(value, "line", None) or default


# --- the report -------------------------------------------------------------------------------------------------


@dataclass
class MappingReport:
    """What a reader could not map: records per (field, code), skipped records, and coverage per family.

    Readers fill it while they yield records; read it once they are done.
    """

    records: int = 0
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    on_purpose: set[tuple[str, str]] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)
    first_skipped: dict[str, str] = field(default_factory=dict)
    annotated: Counter[str] = field(default_factory=Counter)
    labelled: Counter[str] = field(default_factory=Counter)

    def miss(self, field_name: str, code: str, *, on_purpose: bool = False) -> None:
        """Count one record whose ``field_name`` value ``code`` maps to nothing."""
        self.unmapped[(field_name, code)] += 1
        if on_purpose:
            self.on_purpose.add((field_name, code))

    def skip(self, reason: str, location: str) -> None:
        """Count one record left out (and remember where the first one was)."""
        self.skipped[reason] += 1
        self.first_skipped.setdefault(reason, location)

    def count(self, labels: Mapping[str, tuple[str, ...]]) -> None:
        """Count one record read, with the families it annotates."""
        self.records += 1
        for family, ids in labels.items():
            self.annotated[family] += 1
            if ids:
                self.labelled[family] += 1

    def coverage(self, family: str) -> float:
        """Share of the records read that carry at least one label of ``family``."""
        return self.labelled[family] / self.records if self.records else 0.0

    def lines(self, limit: int | None = 20) -> list[str]:
        """Human messages: a summary, the skipped records, then the unmapped codes, most frequent first."""
        out = [self.summary()]
        for reason, n in self.skipped.most_common():
            out.append(f"{_records(n)} skipped: {reason} (first: {self.first_skipped[reason]})")
        ranked = sorted(self.unmapped.items(), key=lambda item: (-item[1], item[0]))
        for (field_name, code), n in ranked[:limit]:
            what = f"{field_name} {code!r}" if code else f"{field_name} (empty)"
            tail = (
                "maps to nothing on purpose (null in the mapping)"
                if (field_name, code) in self.on_purpose
                else ("has no mapping")
            )
            out.append(f"{_records(n)}: {what} {tail}")
        rest = ranked[limit:] if limit is not None else []
        if rest:
            out.append(f"... and {len(rest):,} more unmapped codes ({sum(n for _, n in rest):,} record mentions)")
        return out

    def summary(self) -> str:
        families = sorted(self.annotated)
        parts = [f"{fam}: {self.labelled[fam]:,} labelled ({self.coverage(fam):.1%})" for fam in families]
        return f"read {_records(self.records)}" + (f"; {', '.join(parts)}" if parts else "")


def _records(n: int) -> str:
    return f"{n:,} record{'' if n == 1 else 's'}"


# --- resolving names to ids -------------------------------------------------------------------------------------


class Resolver:
    """Resolve source codes and names to label ids: the mapping's tables, then the taxonomy, then the gazetteer."""

    def __init__(self, mapping: LabelMapping, taxonomy: Taxonomy):
        self.mapping = mapping
        self.taxonomy = taxonomy
        self._forms = {
            name: {normalize(form): label.id for label in fam.labels for form in label.surface_forms()}
            for name, fam in taxonomy.families.items()
        }
        region = taxonomy.families.get("region")
        self._parents = {label.parent for label in region.labels if label.parent} if region is not None else set()
        self._places: dict[str, dict[str, frozenset[str]]] | None = None
        # exports repeat the same few hundred names: resolve each once
        self._place_cache: dict[tuple[str, str, str | None], tuple[bool, str | None]] = {}
        self._actor_cache: dict[str, tuple[bool, Ids]] = {}

    def has(self, family: str) -> bool:
        return family in self.taxonomy.families

    # codes

    def event_types(
        self, section: str, code: str, *, field: str, report: MappingReport | None
    ) -> tuple[str, ...] | None:
        """Event-type ids for ``code``, or ``None`` (family not annotated) when it maps to nothing."""
        code = code.strip()
        key = normalize(code)
        table = self.mapping.table(section)
        if key in table:
            ids = table[key]
            if ids is None and report is not None:
                report.miss(field, code, on_purpose=True)
            return ids
        label_id = self._forms.get("event_type", {}).get(key) if key else None
        if label_id is not None:
            return (label_id,)
        if report is not None:
            report.miss(field, code)
        return None

    def extra_actors(self, section: str, code: str) -> tuple[str, ...]:
        """Ids a table adds for a code (UCDP ``type_of_violence``); codes it does not list add nothing."""
        return self.mapping.table(section).get(normalize(code)) or ()

    # places

    def region(
        self,
        country: str,
        admin1: str,
        *,
        report: MappingReport | None,
        country_field: str = "country",
        admin1_field: str = "admin1",
    ) -> tuple[str, ...] | None:
        """The most specific region id for a country and first-level subdivision, or ``None`` when neither maps."""
        if not self.has("region"):
            return None
        country, admin1 = country.strip(), admin1.strip()
        known, country_id = self._place("countries", country, "country", within=None) if country else (False, None)
        sub_id = None
        if admin1:
            found, sub_id = self._place("admin1", admin1, "subdivision", within=country_id)
            # a subdivision is worth reporting only where the taxonomy has subdivisions for its country
            if not found and report is not None and country_id in self._parents:
                report.miss(admin1_field, admin1)
        if country_id is None and report is not None and (country or sub_id is None):
            report.miss(country_field, country, on_purpose=known)
        if sub_id is not None:
            return (sub_id,)
        return (country_id,) if country_id is not None else None

    def _place(self, section: str, name: str, kind: str, within: str | None) -> tuple[bool, str | None]:
        """(whether the name is known, the region id it maps to inside ``within``)."""
        cached = self._place_cache.get((section, name, within))
        if cached is None:
            cached = self._place_cache[(section, name, within)] = self._find_place(section, name, kind, within)
        return cached

    def _find_place(self, section: str, name: str, kind: str, within: str | None) -> tuple[bool, str | None]:
        fam = self.taxonomy.families["region"]

        def inside(label_id: str) -> bool:
            return within is None or label_id == within or within in fam.ancestors(label_id)

        keys = self._place_keys(name)
        table = self.mapping.table(section)
        for key in keys:
            if key in table:
                ids = table[key]
                if ids is None:
                    return True, None
                if inside(ids[0]):
                    return True, ids[0]
        forms = self._forms["region"]
        for key in keys:
            label_id = forms.get(key)
            if label_id is not None and inside(label_id):
                return True, label_id
        places = self._gazetteer(kind)
        for key in keys:
            candidates = [label_id for label_id in places.get(key, ()) if inside(label_id)]
            if len(candidates) == 1:
                return True, candidates[0]
        return False, None

    def _place_keys(self, name: str) -> list[str]:
        prefixes = self.mapping.cleanup.get("region_prefixes", ())
        suffixes = self.mapping.cleanup.get("region_suffixes", ())
        keys: list[str] = []
        for variant in (name, _PARENTHESES.sub("", name)):
            key = normalize(variant)
            no_suffix = _strip_suffix(key, suffixes)
            for candidate in (key, no_suffix, _strip_prefix(key, prefixes), _strip_prefix(no_suffix, prefixes)):
                if candidate and candidate not in keys:
                    keys.append(candidate)
        return keys

    def _gazetteer(self, kind: str) -> Mapping[str, frozenset[str]]:
        if self._places is None:
            path = self.taxonomy.families["region"].gazetteer_path
            self._places = _gazetteer_places(str(path)) if path is not None and path.is_file() else {}
        return self._places.get(kind, {})

    # actors

    def actors(self, names: Iterable[str], *, field: str, report: MappingReport | None) -> tuple[str, ...]:
        """Ids of every name that maps to an actor; names that map to nothing are counted (once per record)."""
        ids: dict[str, None] = {}
        for name in dict.fromkeys(n.strip() for n in names):
            if not name:
                continue
            found, mapped = self._actor(name)
            if mapped:
                ids.update(dict.fromkeys(mapped))
            elif report is not None and (not found or mapped is None):
                report.miss(field, name, on_purpose=found)
        return tuple(ids)

    def _actor(self, name: str) -> tuple[bool, Ids]:
        cached = self._actor_cache.get(name)
        if cached is None:
            cached = self._actor_cache[name] = self._find_actor(name)
        return cached

    def _find_actor(self, name: str) -> tuple[bool, Ids]:
        table = self.mapping.table("actors")
        forms = self._forms.get("actor", {})
        for key in self._actor_keys(name):  # the most specific form first; for each, the table before the taxonomy
            if key in table:
                return True, table[key]
            if key in forms:
                return True, (forms[key],)
        return False, None

    def _actor_keys(self, name: str) -> list[str]:
        """The name, then without parentheses, the unit after them, the part before them, either side of "ABBR: Name",
        the part before " - ", each also without prefixes ("Military Forces of")."""
        variants = [name, _PARENTHESES.sub("", name), name.rpartition(")")[2], name.split("(")[0]]
        for variant in list(variants):
            if ": " in variant:
                short, long = variant.split(": ", 1)
                variants += [long, short]
        variants += [v.split(" - ")[0] for v in list(variants) if " - " in v]
        prefixes = self.mapping.cleanup.get("actor_prefixes", ())
        keys: list[str] = []
        for variant in variants:
            key = normalize(variant)
            while key and key not in keys:  # "military forces of the united states" -> "the united states" -> …
                keys.append(key)
                key = _strip_prefix(key, prefixes)
        return keys


def _strip_prefix(key: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
    return key


def _strip_suffix(key: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if key.endswith(" " + suffix):
            return key[: -len(suffix) - 1]
    return key


@functools.lru_cache(maxsize=4)
def _gazetteer_places(path: str) -> dict[str, dict[str, frozenset[str]]]:
    """Country and subdivision rows of a gazetteer file: kind → normalised alias → label ids."""
    places: dict[str, dict[str, set[str]]] = {"country": {}, "subdivision": {}}
    for row in read_gazetteer(path):
        if row.kind in places:
            places[row.kind].setdefault(normalize(row.alias), set()).add(row.label)
    return {kind: {alias: frozenset(ids) for alias, ids in table.items()} for kind, table in places.items()}


# --- shared by the ACLED and UCDP readers -----------------------------------------------------------------------


def make_resolver(
    mapping: LabelMapping | str | Path | None, taxonomy: Taxonomy | None, *, dataset: str
) -> tuple[Taxonomy, Resolver]:
    """The taxonomy (the default one when ``None``) and a resolver for ``mapping`` (a file, or the shipped one)."""
    if taxonomy is None:
        taxonomy = load_taxonomy()
    if not isinstance(mapping, LabelMapping):
        mapping = load_mapping(mapping, taxonomy, dataset=dataset)
    elif mapping.dataset is not None and mapping.dataset != dataset:
        raise DataError(f"{where(mapping.source)}: this mapping is for {mapping.dataset!r} data, not {dataset!r}.")
    return taxonomy, Resolver(mapping, taxonomy)


def mapped_record(
    text: str,
    labels: dict[str, Any],
    taxonomy: Taxonomy,
    name: str,
    line: int,
    record_id: str | None,
    extra: dict[str, Any],
    report: MappingReport | None,
) -> Record:
    """The record of one mapped ACLED/UCDP row (its ids come from a mapping checked against ``taxonomy``), counted
    in ``report``."""
    record = Record(
        text=text, labels=check_labels(labels, taxonomy, name, line), id=record_id, source=name, line=line, extra=extra
    )
    if report is not None:
        report.count(record.labels)
    return record
