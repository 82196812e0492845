"""Load and validate a taxonomy (``labels.yaml``) into a frozen :class:`Taxonomy`.

A taxonomy has families (``region``, ``actor``, ``event_type`` …), each with labels that carry an id, a name,
aliases (surface forms the matcher looks for), an optional parent and a description. Every problem is reported
with the file, the line and the offending id, so a user editing the file by hand knows where to look.

>>> tax = parse_taxonomy('''
... version: 1
... families:
...   region:
...     labels:
...       - {id: middle-east, name: Middle East}
...       - {id: sy, name: Syria, parent: middle-east, aliases: [Syrian Arab Republic]}
... ''')
>>> tax["region"].ancestors("sy")
('middle-east',)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ._resources import default_gazetteer_path, default_labels_path
from .errors import TaxonomyError, where
from .text import normalize

__all__ = ["FORMAT_VERSION", "Family", "Label", "Taxonomy", "load_taxonomy", "parse_taxonomy"]

FORMAT_VERSION = 1
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FAMILY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"version", "name", "families"}
_FAMILY_KEYS = {"description", "labels", "gazetteer"}
_LABEL_KEYS = {"id", "name", "aliases", "parent", "description"}


@dataclass(frozen=True)
class Label:
    """One label of a family. ``line`` is where it is defined in its file (``None`` when built in code)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    description: str = ""
    line: int | None = field(default=None, compare=False, repr=False)

    def surface_forms(self) -> tuple[str, ...]:
        """The name followed by the aliases: every form the matcher looks for."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Family:
    """A family of labels with its hierarchy resolved."""

    name: str
    labels: tuple[Label, ...]
    description: str = ""
    gazetteer: str | None = None
    gazetteer_path: Path | None = field(default=None, compare=False, repr=False)
    _index: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    _ancestors: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(label.id for label in self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, label_id: object) -> bool:
        return label_id in self._index

    def index(self, label_id: str) -> int:
        """Position of ``label_id`` in :attr:`labels` (KeyError if unknown)."""
        return self._index[label_id]

    def label(self, label_id: str) -> Label:
        return self.labels[self._index[label_id]]

    def ancestors(self, label_id: str) -> tuple[str, ...]:
        """Parent, grandparent, … of ``label_id``, nearest first."""
        return self._ancestors[label_id]

    def with_ancestors(self, label_ids: Iterator[str] | list[str] | tuple[str, ...]) -> list[str]:
        """The given ids plus every ancestor, without repeats, in first-seen order."""
        seen: dict[str, None] = {}
        for label_id in label_ids:
            seen.setdefault(label_id, None)
            for ancestor in self._ancestors[label_id]:
                seen.setdefault(ancestor, None)
        return list(seen)


@dataclass(frozen=True)
class Taxonomy:
    """Families of labels, validated. Iterate over it for family names; index it by family name."""

    families: Mapping[str, Family]
    name: str = ""
    source: str | None = field(default=None, compare=False)

    def __getitem__(self, family: str) -> Family:
        try:
            return self.families[family]
        except KeyError:
            known = ", ".join(self.families)
            raise KeyError(f"no family {family!r} in the taxonomy (families: {known})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.families)

    def __len__(self) -> int:
        return len(self.families)

    def to_dict(self) -> dict[str, Any]:
        """The taxonomy as plain data, in the shape of ``labels.yaml`` (stored in model manifests)."""
        families: dict[str, Any] = {}
        for fam in self.families.values():
            labels = []
            for label in fam.labels:
                entry: dict[str, Any] = {"id": label.id, "name": label.name}
                if label.aliases:
                    entry["aliases"] = list(label.aliases)
                if label.parent is not None:
                    entry["parent"] = label.parent
                if label.description:
                    entry["description"] = label.description
                labels.append(entry)
            body: dict[str, Any] = {"labels": labels}
            if fam.description:
                body["description"] = fam.description
            if fam.gazetteer is not None:
                body["gazetteer"] = fam.gazetteer
            families[fam.name] = body
        return {"version": FORMAT_VERSION, "name": self.name, "families": families}

    @property
    def hash(self) -> str:
        """A SHA-256 over the canonical content: two taxonomies with equal hashes tag the same way."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Taxonomy:
        """Validate plain data (as produced by :meth:`to_dict` or read from YAML) into a Taxonomy."""
        return _build(data, source, base_dir=None, check_files=False)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; with no path, the default ``labels.yaml`` shipped with tagger.

    Raises :class:`~tagger.errors.TaxonomyError` naming the file, line and id of the first problem found.
    """
    file = Path(path) if path is not None else default_labels_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaxonomyError(f"{file}: taxonomy file not found.") from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    except OSError as exc:
        raise TaxonomyError(f"{file}: cannot read the taxonomy file ({exc.strerror}).") from None
    return parse_taxonomy(text, source=str(file), base_dir=file.parent)


def parse_taxonomy(text: str, *, source: str | None = None, base_dir: str | Path | None = None) -> Taxonomy:
    """Validate taxonomy YAML given as a string (``source`` names it in error messages)."""
    data = load_yaml_with_lines(text, source, TaxonomyError)
    return _build(data, source, base_dir=Path(base_dir) if base_dir is not None else None)


def load_yaml_with_lines(text: str, source: str | None, error: type[Exception]) -> Any:
    """Parse YAML safely, keeping the line of every mapping and string; syntax errors raise ``error`` with a line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise error(f"{where(source, line)}: invalid YAML: {exc.problem or exc.context}.") from None
    except yaml.YAMLError as exc:
        raise error(f"{where(source)}: invalid YAML: {exc}.") from None
    except RecursionError:
        raise error(f"{where(source)}: the YAML is nested too deeply to be read (thousands of levels).") from None


# --- YAML with line numbers -------------------------------------------------------------------------------------


class _LineDict(dict):
    line: int | None = None


class _LineStr(str):
    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping and string and rejects duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _LineDict:  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        mapping = _LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        return mapping

    def construct_yaml_str(self, node: yaml.ScalarNode) -> _LineStr:  # type: ignore[override]
        value = _LineStr(super().construct_scalar(node))
        value.line = node.start_mark.line + 1
        return value


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _LineLoader.construct_yaml_str)


# --- validation --------------------------------------------------------------------------------------------------


def _line(value: Any, fallback: int | None = None) -> int | None:
    return getattr(value, "line", None) or fallback


def _build(data: Any, source: str | None, base_dir: Path | None, check_files: bool = True) -> Taxonomy:
    def fail(message: str, line: int | None = None) -> TaxonomyError:
        return TaxonomyError(f"{where(source, line)}: {message}")

    if not isinstance(data, dict):
        raise fail(f"the taxonomy must be a mapping with 'version' and 'families', got {_describe(data)}.")
    top_line = _line(data)
    _check_keys(data, _TOP_KEYS, "the taxonomy", fail, top_line)
    version = data.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise fail(f"'version' must be an integer, got {_describe(version)}.", top_line)
    if version > FORMAT_VERSION:
        raise fail(
            f"taxonomy format version {version} is newer than this tagger understands ({FORMAT_VERSION}); "
            "upgrade tagger.",
            top_line,
        )
    name = data.get("name", "")
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise fail(f"'name' must be a string, got {_describe(name)}.", top_line)
    families_data = data.get("families")
    if not isinstance(families_data, dict) or not families_data:
        raise fail("'families' must be a non-empty mapping of family name to labels.", top_line)

    families: dict[str, Family] = {}
    for fam_name, body in families_data.items():
        line = _line(body, top_line)
        if not isinstance(fam_name, str) or not _FAMILY_NAME.match(fam_name):
            raise fail(f"family name {fam_name!r} must be lowercase letters, digits and underscores.", line)
        families[fam_name] = _build_family(fam_name, body, fail, base_dir, line, check_files)
    return Taxonomy(families=families, name=str(name), source=source)


def _build_family(
    name: str, body: Any, fail: Any, base_dir: Path | None, line: int | None, check_files: bool
) -> Family:
    if not isinstance(body, dict):
        raise fail(f"family {name!r} must be a mapping with a 'labels' list, got {_describe(body)}.", line)
    _check_keys(body, _FAMILY_KEYS, f"family {name!r}", fail, line)
    description = body.get("description") or ""
    if not isinstance(description, str):
        raise fail(f"family {name!r}: 'description' must be a string, got {_describe(description)}.", line)
    gazetteer = body.get("gazetteer")
    gazetteer_path = None
    if gazetteer is not None:
        if not isinstance(gazetteer, str) or not gazetteer.strip():
            raise fail(f"family {name!r}: 'gazetteer' must be 'default' or a file path.", _line(gazetteer, line))
        gazetteer_path = _resolve_gazetteer(gazetteer, base_dir)
        if check_files and not gazetteer_path.is_file():
            raise fail(f"family {name!r}: gazetteer file {str(gazetteer_path)!r} not found.", _line(gazetteer, line))
    raw_labels = body.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        raise fail(f"family {name!r} must have a non-empty 'labels' list.", line)

    labels: list[Label] = []
    index: dict[str, int] = {}
    owner_of_form: dict[str, str] = {}
    for raw in raw_labels:
        label = _build_label(name, raw, fail, line)
        if label.id in index:
            first = labels[index[label.id]].line
            raise fail(f"family {name!r}: duplicate label id {label.id!r} (first defined on line {first}).", label.line)
        index[label.id] = len(labels)
        for form in label.surface_forms():
            key = normalize(form)
            owner = owner_of_form.setdefault(key, label.id)
            if owner != label.id:
                raise fail(
                    f"family {name!r}: alias {str(form)!r} of label {label.id!r} is already claimed by label "
                    f"{owner!r}; an alias may belong to one label of a family only.",
                    _line(form, label.line),
                )
        labels.append(label)

    ancestors = _resolve_hierarchy(name, labels, index, fail)
    return Family(
        name=name,
        labels=tuple(labels),
        description=description,
        gazetteer=str(gazetteer) if gazetteer is not None else None,
        gazetteer_path=gazetteer_path,
        _index=index,
        _ancestors=ancestors,
    )


def _build_label(family: str, raw: Any, fail: Any, family_line: int | None) -> Label:
    line = _line(raw, family_line)
    if not isinstance(raw, dict):
        raise fail(f"family {family!r}: each label must be a mapping with an 'id', got {_describe(raw)}.", line)
    label_id = raw.get("id")
    if not isinstance(label_id, str) or not _SLUG.match(label_id):
        raise fail(
            f"family {family!r}: label id {label_id!r} must be a lowercase slug (letters, digits, single hyphens).",
            line,
        )
    what = f"label {label_id!r} in family {family!r}"
    unknown = sorted(str(k) for k in raw if k not in _LABEL_KEYS)
    if unknown:
        raise fail(f"{what}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: {sorted(_LABEL_KEYS)}.", line)
    name = raw.get("name", label_id)
    if not isinstance(name, str) or not name.strip():
        raise fail(f"{what}: 'name' must be a non-empty string, got {_describe(name)}.", line)
    description = raw.get("description") or ""
    if not isinstance(description, str):
        raise fail(f"{what}: 'description' must be a string, got {_describe(description)}.", line)
    parent = raw.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent):
        raise fail(f"{what}: 'parent' must be a label id, got {_describe(parent)}.", line)
    aliases_raw = raw.get("aliases") or []
    if not isinstance(aliases_raw, list):
        raise fail(f"{what}: 'aliases' must be a list of strings, got {_describe(aliases_raw)}.", line)
    aliases: list[str] = []
    seen: dict[str, str] = {normalize(name): name}
    for alias in aliases_raw:
        alias_line = _line(alias, line)
        if not isinstance(alias, str):
            raise fail(f"{what}: alias {alias!r} must be a string, got {_describe(alias)}.", alias_line)
        key = normalize(alias)
        if not key:
            raise fail(f"{what}: empty alias {alias!r} (it has no letters or digits).", alias_line)
        if key in seen:
            raise fail(f"{what}: duplicate alias {alias!r} (same as {seen[key]!r}).", alias_line)
        seen[key] = alias
        aliases.append(alias)
    if not normalize(name):
        raise fail(f"{what}: 'name' {name!r} has no letters or digits.", line)
    return Label(
        id=str(label_id),
        name=name,
        aliases=tuple(aliases),
        parent=str(parent) if parent is not None else None,
        description=description,
        line=line,
    )


def _resolve_hierarchy(
    family: str, labels: list[Label], index: dict[str, int], fail: Any
) -> dict[str, tuple[str, ...]]:
    for label in labels:
        if label.parent is not None and label.parent not in index:
            raise fail(
                f"label {label.id!r} in family {family!r}: unknown parent {label.parent!r}.",
                _line(label.parent, label.line),
            )
    ancestors: dict[str, tuple[str, ...]] = {}
    for label in labels:
        chain: list[str] = []
        seen = {label.id}
        current = label.parent
        while current is not None:
            if current in seen:
                cycle = " -> ".join([label.id, *chain, current])
                raise fail(f"family {family!r}: parent cycle {cycle}.", label.line)
            if current in ancestors:  # reuse the resolved tail
                chain.append(current)
                chain.extend(ancestors[current])
                break
            seen.add(current)
            chain.append(current)
            current = labels[index[current]].parent
        ancestors[label.id] = tuple(chain)
    return ancestors


def _check_keys(data: dict, allowed: set[str], what: str, fail: Any, line: int | None) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise fail(f"{what}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: {sorted(allowed)}.", line)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {str(value)!r}"
    return f"{type(value).__name__} {value!r}"


def _resolve_gazetteer(reference: str, base_dir: Path | None) -> Path:
    if reference == "default":
        return default_gazetteer_path()
    path = Path(reference)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path
