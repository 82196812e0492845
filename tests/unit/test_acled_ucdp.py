"""ACLED and UCDP GED readers and their label mappings.

Two layers: the mapping machinery on a small taxonomy written here (with a three-row gazetteer), and the readers on
the team-written fixtures in each schema (``tests/fixtures/acled-current.csv``, ``acled-2018.csv``,
``ucdp-ged.csv``; invented events, not copies of real exports) through the mappings shipped for the default
taxonomy.
"""

from __future__ import annotations

import doctest
import importlib
import io
from pathlib import Path

import pytest

from tagger import DataError, load_taxonomy
from tagger.cli import main
from tagger.errors import ParameterError
from tagger.readers.acled import read_acled
from tagger.readers.auto import FORMATS, read_records
from tagger.readers.mapping import (
    MappingReport,
    Resolver,
    default_mapping_path,
    load_mapping,
    parse_mapping,
    usable_text,
)
from tagger.readers.ucdp import ged_text, read_ucdp

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACLED_CURRENT = FIXTURES / "acled-current.csv"
ACLED_2018 = FIXTURES / "acled-2018.csv"
UCDP = FIXTURES / "ucdp-ged.csv"

# A taxonomy written for these tests: two countries with subdivisions, one without, a gazetteer for place names.
TAXONOMY = """
version: 1
families:
  region:
    gazetteer: places.tsv
    labels:
      - {id: middle-east, name: Middle East}
      - {id: sy, name: Syria, parent: middle-east}
      - {id: sy-idlib, name: Idlib, parent: sy}
      - {id: sy-deir-ez-zor, name: Deir ez-Zor, parent: sy, aliases: [Deir Ezzor]}
      - {id: iq, name: Iraq, parent: middle-east}
      - {id: iq-nineveh, name: Nineveh, parent: iq, aliases: [Ninawa]}
      - {id: ye, name: Yemen, parent: middle-east}
  actor:
    labels:
      - {id: syrian-government, name: Syrian government, aliases: [regime forces]}
      - {id: sdf, name: Syrian Democratic Forces, aliases: [SDF]}
      - {id: islamic-state, name: Islamic State, aliases: [IS, ISIS]}
      - {id: united-states, name: United States}
      - {id: civilians, name: Civilians}
  event_type:
    labels:
      - {id: airstrike, name: Airstrike}
      - {id: armed-clash, name: Armed clash}
      - {id: bombing, name: Bombing}
"""
GAZETTEER = "alias\tlabel\tkind\tpopulation\tambiguous\nIdleb\tsy-idlib\tsubdivision\t0\t0\n" + (
    "Mosul\tiq-nineveh\tcity\t0\t0\nSyrian Arab Republic\tsy\tcountry\t0\t0\n"
)
MAPPING = """# a mapping written for the tests
version: 1
source: acled
event_types:
  Air/drone strike: airstrike
  Remote explosive/landmine/IED: bombing
  Chemical weapon: null
  Looting/property destruction: []
actors:
  Military Forces of Syria: syrian-government
  Rioters: []
"""


@pytest.fixture(scope="module")
def taxonomy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("taxonomy")
    (folder / "places.tsv").write_text(GAZETTEER, encoding="utf-8")
    (folder / "labels.yaml").write_text(TAXONOMY, encoding="utf-8")
    return load_taxonomy(folder / "labels.yaml")


@pytest.fixture(scope="module")
def resolver(taxonomy):
    return Resolver(parse_mapping(MAPPING, taxonomy, dataset="acled", source="test.yaml"), taxonomy)


@pytest.fixture(scope="module")
def default_taxonomy():
    return load_taxonomy()


# --- mapping files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "event_types:\n  Armed clash: nobody\n",
            r"m\.yaml:2: event_types: 'Armed clash' maps to 'nobody', which is not",
        ),
        ("actors:\n  A: [sdf, nobody]\n", r"m\.yaml:2: actors: 'A' maps to 'nobody'"),
        ("countries:\n  Syria: [sy, iq]\n", r"m\.yaml:2: countries: 'Syria' must map to one region id or null"),
        ("event_types:\n  Armed clash: armed-clash\n  ARMED-CLASH: armed-clash\n", r"m\.yaml:3: .*listed twice"),
        ("weather:\n  rain: wet\n", r"m\.yaml:1: unknown key\(s\) 'weather'"),
        ("source: ucdp\n", r"m\.yaml:1: this mapping is for 'ucdp' data, not 'acled'"),
        ("version: 9\n", "version"),
        ("actors: [a, b]\n", r"'actors' must be a mapping"),
        ("actors:\n  - a: b\n  c\n", r"m\.yaml:\d+: invalid YAML"),
        ("cleanup:\n  actor_prefixes: oops\n", "must be a list of words"),
    ],
)
def test_bad_mapping_names_file_and_line(taxonomy, text, expected):
    with pytest.raises(DataError, match=expected):
        parse_mapping(text, taxonomy, dataset="acled", source="m.yaml")


def test_missing_mapping_file(taxonomy, tmp_path):
    with pytest.raises(DataError, match="mapping file not found"):
        load_mapping(tmp_path / "nope.yaml", taxonomy, dataset="acled")


def test_shipped_mappings_validate_against_the_default_taxonomy(default_taxonomy):
    for dataset in ("acled", "ucdp"):
        mapping = load_mapping(None, default_taxonomy, dataset=dataset)
        assert mapping.source == str(default_mapping_path(dataset))
        assert mapping.tables["actors"]


def test_issue_examples_map_through_the_shipped_acled_mapping(default_taxonomy):
    resolver = Resolver(load_mapping(None, default_taxonomy, dataset="acled"), default_taxonomy)
    report = MappingReport()
    expected = {
        "Air/drone strike": ("airstrike",),
        "Remote explosive/landmine/IED": ("bombing",),
        "Disrupted weapons use": ("interception",),
    }
    for code, ids in expected.items():
        assert resolver.event_types("event_types", code, field="sub-event type", report=report) == ids
    assert resolver.event_types("event_types", "Other", field="sub-event type", report=report) is None
    assert resolver.event_types("old_event_types", "Remote violence", field="event type", report=report) is None
    actors = ["Military Forces of Syria (2000-2024)", "QSD: Syrian Democratic Forces"]
    assert resolver.actors(actors, field="actor", report=report) == ("syrian-government", "sdf")
    assert resolver.region("Syria", "Deir ez Zor Governorate", report=report) == ("sy-deir-ez-zor",)
    assert report.lines()[1:] == [
        "1 record: event type 'Remote violence' maps to nothing on purpose (null in the mapping)",
        "1 record: sub-event type 'Other' has no mapping",
    ]


# --- resolving names ---------------------------------------------------------------------------------------------


def test_event_types_table_then_taxonomy_names(resolver):
    report = MappingReport()
    assert resolver.event_types("event_types", "Air/drone strike", field="sub-event type", report=report) == (
        "airstrike",
    )
    assert resolver.event_types("event_types", "ARMED CLASH", field="sub-event type", report=report) == ("armed-clash",)
    assert resolver.event_types("event_types", "Looting/property destruction", field="x", report=report) == ()
    assert resolver.event_types("event_types", "Chemical weapon", field="sub-event type", report=report) is None
    assert resolver.event_types("event_types", "Other", field="sub-event type", report=report) is None
    assert dict(report.unmapped) == {("sub-event type", "Chemical weapon"): 1, ("sub-event type", "Other"): 1}
    assert report.on_purpose == {("sub-event type", "Chemical weapon")}


@pytest.mark.parametrize(
    ("country", "admin1", "expected"),
    [
        ("Syria", "Idlib Governorate", ("sy-idlib",)),  # taxonomy name after dropping the suffix
        ("Syria", "Idleb", ("sy-idlib",)),  # gazetteer subdivision row
        ("Syria", "Deir-Ezzor Province", ("sy-deir-ez-zor",)),  # alias, punctuation and suffix
        ("Syrian Arab Republic", "", ("sy",)),  # gazetteer country row
        ("Iraq", "Ninawa", ("iq-nineveh",)),
        ("Iraq", "Mosul", ("iq",)),  # a city is not a first-level subdivision
        ("Iraq", "Idlib", ("iq",)),  # a subdivision of another country does not count
        ("Yemen", "Al Hudaydah", ("ye",)),  # no subdivisions in the taxonomy: the country, nothing to report
        ("Atlantis", "Idlib", ("sy-idlib",)),  # unknown country, known subdivision
        ("Atlantis", "", None),
        ("", "", None),
    ],
)
def test_region_is_the_most_specific_id(resolver, country, admin1, expected):
    assert resolver.region(country, admin1, report=None) == expected


def test_region_report(resolver):
    report = MappingReport()
    resolver.region("Iraq", "Mosul", report=report)
    resolver.region("Yemen", "Al Hudaydah", report=report)
    resolver.region("Atlantis", "North Atlantis", report=report)  # the unknown country is what is reported
    resolver.region("Atlantis", "Idlib", report=report)
    resolver.region("", "", report=report)
    assert dict(report.unmapped) == {("admin1", "Mosul"): 1, ("country", "Atlantis"): 2, ("country", ""): 1}
    assert report.lines()[-1] == "1 record: country (empty) has no mapping"


def test_actors_variants_and_report(resolver):
    report = MappingReport()
    names = [
        "Military Forces of Syria (2024-)",  # table, after dropping the period
        "IS: Islamic State",  # "ABBR: Name"
        "Military Forces of the United States (2021-)",  # prefixes dropped -> taxonomy name
        "Civilians (Syria)",
        "Civilians (Syria)",  # counted once per record
        "Rioters (Syria)",  # [] in the table: known, no label, not reported
        "Unidentified Armed Group (Syria)",
        "",
    ]
    assert resolver.actors(names, field="actor", report=report) == (
        "syrian-government",
        "islamic-state",
        "united-states",
        "civilians",
    )
    assert dict(report.unmapped) == {("actor", "Unidentified Armed Group (Syria)"): 1}


def test_report_lines():
    report = MappingReport()
    for _ in range(312):
        report.miss("sub-event type", "Other")
    report.miss("actor", "Rebels (Atlantis)")
    report.skip("empty or junk notes", "x.csv:7")
    report.count({"region": ("sy",), "actor": ()})
    assert report.lines() == [
        "read 1 record; actor: 0 labelled (0.0%), region: 1 labelled (100.0%)",
        "1 record skipped: empty or junk notes (first: x.csv:7)",
        "312 records: sub-event type 'Other' has no mapping",
        "1 record: actor 'Rebels (Atlantis)' has no mapping",
    ]
    assert report.lines(limit=1)[-1] == "... and 1 more unmapped codes (1 record mentions)"
    assert report.coverage("region") == 1.0 and report.coverage("event_type") == 0.0


def test_usable_text_and_ged_text():
    assert usable_text("IS kills 6 YPG")
    assert not usable_text("Martyr info") and not usable_text("R3591") and not usable_text("")
    article = '"Monitor,2017-01-02,First title of the day";"Wire,2017-01-02,A second, different title"'
    assert ged_text("First title of the day", article) == "First title of the day\n\nA second, different title"
    assert ged_text("First title of the day;A second, different title", article) == (
        "First title of the day;A second, different title"
    )
    assert ged_text("TS164", '"Tracker,2018-02-08,TS164"') == ""
    assert ged_text("A headline with no article", "not an article list") == "A headline with no article"


# --- ACLED -------------------------------------------------------------------------------------------------------


def test_acled_current_schema(default_taxonomy):
    report = MappingReport()
    records = {r.id: r for r in read_acled(ACLED_CURRENT, default_taxonomy, report=report)}
    assert len(records) == 13 and "TST0009" not in records  # empty notes: skipped and counted
    first = records["TST0001"]
    assert first.labels == {"event_type": ("airstrike",), "region": ("sy-idlib",), "actor": ("russia", "civilians")}
    assert first.text.startswith("On 2 March 2024, Russian warplanes") and first.line == 2
    assert first.extra["sub_event_type"] == "Air/drone strike"
    assert records["TST0002"].labels["actor"] == ("sdf", "islamic-state")
    assert records["TST0003"].labels == {
        "event_type": ("bombing",),
        "region": ("sy-daraa",),
        "actor": ("syrian-government",),
    }
    assert records["TST0004"].labels["event_type"] == ("interception",)
    assert records["TST0004"].labels["actor"] == ("united-states", "us-led-coalition")  # associated actor
    assert "event_type" not in records["TST0005"].labels  # "Other": not annotated
    assert records["TST0006"].text.count("\n") == 1  # a quoted multi-line note
    assert records["TST0006"].labels["actor"] == ("civilians",)
    assert records["TST0007"].labels["region"] == ("iq-duhok",)
    assert records["TST0008"].labels == {
        "event_type": ("arrest",),
        "region": ("iq-nineveh",),
        "actor": ("iraqi-government",),
    }
    assert records["TST0010"].labels == {
        "event_type": ("airstrike",),
        "region": ("ye",),
        "actor": ("united-states", "houthis"),
    }
    assert records["TST0011"].labels == {
        "event_type": ("abduction",),
        "region": ("ng",),
        "actor": ("islamic-state", "civilians"),
    }
    assert "event_type" not in records["TST0013"].labels  # chemical weapon: ambiguous on purpose
    assert "region" not in records["TST0014"].labels  # unknown country: not annotated
    assert records["TST0014"].labels["actor"] == ()

    lines = report.lines()
    assert lines[0].startswith("read 13 records; actor: 12 labelled")
    assert "1 record skipped: empty or junk notes (first: " in lines[1] and lines[1].endswith("acled-current.csv:11)")
    assert "2 records: sub-event type 'Other' has no mapping" in lines
    assert "2 records: actor 'Unidentified Armed Group (Syria)' has no mapping" in lines
    assert "1 record: sub-event type 'Chemical weapon' maps to nothing on purpose (null in the mapping)" in lines
    assert "1 record: country 'Atlantis' has no mapping" in lines
    assert "1 record: actor 'Women (Syria)' has no mapping" in lines
    assert report.annotated["event_type"] == 10 and report.labelled["region"] == 12


def test_acled_pre_2019_schema(default_taxonomy):
    report = MappingReport()
    records = {r.id: r for r in read_acled(ACLED_2018, default_taxonomy, report=report)}
    assert len(records) == 11 and "OLD0010" not in records  # NOTES "n/a"
    assert records["OLD0001"].labels == {
        "event_type": ("armed-clash",),
        "region": ("ng",),
        "actor": ("boko-haram",),
    }
    assert records["OLD0005"].labels == {
        "event_type": ("armed-clash", "territory-change"),
        "region": ("iq-nineveh",),
        "actor": ("iraqi-government", "islamic-state", "iran-backed-militias"),  # ALLY_ACTOR_1
    }
    for ambiguous in ("OLD0002", "OLD0003", "OLD0004", "OLD0008", "OLD0011"):
        assert "event_type" not in records[ambiguous].labels
    assert records["OLD0006"].labels["event_type"] == ("deployment",)
    assert records["OLD0007"].labels["region"] == ("sy-raqqa",)
    assert records["OLD0009"].labels["actor"] == ("al-qaeda",)
    assert records["OLD0011"].labels["actor"] == ("houthis",)
    lines = report.lines()
    assert (
        "2 records: event type (pre-2019) 'Remote violence' maps to nothing on purpose (null in the mapping)" in lines
    )


def test_acled_unknown_header_lists_the_expected_columns():
    with pytest.raises(DataError) as info:
        list(read_acled(io.StringIO("id,text,label\n1,hello,x\n")))
    message = str(info.value)
    assert message.startswith("<stream>:1: not an ACLED export: no column 'actor1'")
    assert "sub_event_type" in message and "ALLY_ACTOR_1" in message and "the header has id, text, label" in message


def test_acled_bad_rows(default_taxonomy):
    header = ACLED_CURRENT.read_text(encoding="utf-8").splitlines()[0]
    row = ACLED_CURRENT.read_text(encoding="utf-8").splitlines()[1]
    with pytest.raises(DataError, match=r":3: duplicate record id 'TST0001' \(first on line 2\)"):
        list(read_acled(io.StringIO(f"{header}\n{row}\n{row}\n"), default_taxonomy))
    with pytest.raises(DataError, match=r":2: 2 fields, the header has 31"):
        list(read_acled(io.StringIO(f"{header}\nTST9,short\n"), default_taxonomy))
    skipped: list[DataError] = []
    good = list(
        read_acled(io.StringIO(f"{header}\nTST9,short\n{row}\n"), default_taxonomy, skip_bad=True, skipped=skipped)
    )
    assert [r.id for r in good] == ["TST0001"] and len(skipped) == 1
    assert list(read_acled(io.StringIO(""), default_taxonomy)) == []


def test_readers_are_lazy(default_taxonomy):
    records = read_acled(ACLED_CURRENT, default_taxonomy)
    assert next(records).id == "TST0001"
    records.close()
    lazy = read_ucdp(io.StringIO("not,a,ged,header\n"))  # nothing is read until the first record is asked for
    with pytest.raises(DataError, match="not a UCDP GED file"):
        next(lazy)


def test_custom_mapping_file(taxonomy, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    header = ACLED_CURRENT.read_text(encoding="utf-8").splitlines()[0]
    data = io.StringIO(
        f"{header}\n"
        "X1,2024-01-01,2024,1,,,Air/drone strike,Military Forces of Syria (2000-2024),,1,Civilians (Syria),,7,17,,760,"
        ',Syria,Idleb,,,,,,,,,"Government aircraft struck a village, residents said.",0,,1\n'
    )
    (record,) = read_acled(data, taxonomy, mapping=path)
    assert record.labels == {
        "event_type": ("airstrike",),
        "region": ("sy-idlib",),
        "actor": ("syrian-government", "civilians"),
    }
    path.write_text(MAPPING + "  Free Atlantis Army: atlantis-rebels\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"{path}:12: actors: 'Free Atlantis Army' maps to 'atlantis-rebels'"):
        next(read_acled(io.StringIO(f"{header}\n"), taxonomy, mapping=path), None)
    with pytest.raises(DataError, match="this mapping is for 'acled' data, not 'ucdp'"):
        list(read_ucdp(UCDP, taxonomy, mapping=path))


# --- UCDP GED ----------------------------------------------------------------------------------------------------


def test_ucdp_records(default_taxonomy):
    report = MappingReport()
    records = {r.id: r for r in read_ucdp(UCDP, default_taxonomy, report=report)}
    assert len(records) == 12 and "9004" not in records  # headline "TS901"
    assert all("event_type" not in r.labels for r in records.values())  # GED has no event-type field
    assert records["9001"].labels == {"region": ("sy-idlib",), "actor": ("syrian-government", "syrian-opposition")}
    assert records["9001"].text == "Regime helicopters drop barrel bombs on villages south of Idlib"
    assert records["9002"].text.endswith("\n\nThree SDF fighters killed by a mine near the river crossing")
    assert records["9003"].labels["actor"] == ("islamic-state", "civilians")
    assert records["9006"].labels["actor"] == ("syrian-opposition", "sdf")
    assert records["9007"].labels["actor"] == ("syrian-government",)  # Liwa al-Aqsa: [] in the mapping
    assert records["9009"].labels["region"] == ("sy",)  # no adm_1
    assert records["9010"].labels == {"region": ("iq-nineveh",), "actor": ("iraqi-government", "islamic-state")}
    assert records["9011"].text == "Warplanes carry out raids on the outskirts of Douma"  # link headline: the title
    assert records["9012"].labels["actor"] == ("israel", "syrian-government")
    assert records["9013"].labels == {"region": ("ye",), "actor": ("al-qaeda",)}
    assert records["9001"].extra["type_of_violence"] == "1"
    assert report.lines() == [
        "read 12 records; actor: 12 labelled (100.0%), region: 12 labelled (100.0%)",
        f"1 record skipped: empty or junk headline (first: {UCDP}:5)",
        "1 record: side 'Government of Yemen (North Yemen)' has no mapping",
        "1 record: side 'Test Brigade of the Valley' has no mapping",
    ]


def test_ucdp_unknown_header():
    with pytest.raises(DataError) as info:
        list(read_ucdp(io.StringIO("event,headline\n1,x\n")))
    assert "not a UCDP GED file: no column 'id', 'type_of_violence'" in str(info.value)
    assert "Expected the GED columns id, type_of_violence, side_a, side_b, source_headline" in str(info.value)


# --- read_records and the CLI ------------------------------------------------------------------------------------


def test_read_records_formats(default_taxonomy, tmp_path):
    assert {"acled", "ucdp"} <= set(FORMATS)
    report = MappingReport()
    records = list(read_records(UCDP, default_taxonomy, format="ucdp", mapping=None, report=report))
    assert len(records) == report.records == 12
    assert len(list(read_records(ACLED_2018, default_taxonomy, format="acled"))) == 11
    with pytest.raises(ParameterError, match="applies to the acled and ucdp formats only"):
        read_records(FIXTURES / "small.jsonl", default_taxonomy, mapping=tmp_path / "m.yaml")


def test_cli_train_and_evaluate_with_a_mapping(tmp_path, capsys):
    """Train on ACLED data and evaluate on UCDP data with the small test taxonomy and mappings written for it."""
    labels = str(FIXTURES / "labels-small.yaml")
    acled_mapping = tmp_path / "acled-small.yaml"
    acled_mapping.write_text(
        "source: acled\n"
        "event_types: {Air/drone strike: airstrike, Armed clash: armed-clash, Peaceful protest: protest, Arrests: arrest}\n"
        "old_event_types: {Battle-No change of territory: armed-clash}\n"
        'actors: {"QSD: Syrian Democratic Forces": sdf}\n',
        encoding="utf-8",
    )
    model = tmp_path / "model"
    args = ["train", str(ACLED_CURRENT), str(ACLED_2018), "--format", "acled", "--mapping", str(acled_mapping)]
    assert main([*args, "--labels", labels, "--out", str(model), "--cv", "2"]) == 0
    captured = capsys.readouterr()
    assert "saved" in captured.out
    assert "read 24 records" in captured.err
    assert "records: sub-event type 'Other' has no mapping" in captured.err

    ucdp_mapping = tmp_path / "ucdp-small.yaml"
    ucdp_mapping.write_text("source: ucdp\nactors:\n  IS: islamic-state\n  Civilians: civilians\n", encoding="utf-8")
    assert main(["evaluate", str(model), str(UCDP), "--format", "ucdp", "--mapping", str(ucdp_mapping), "--json"]) == 0
    captured = capsys.readouterr()
    assert "read 12 records" in captured.err and '"actor"' in captured.out

    bad = tmp_path / "bad.yaml"
    bad.write_text("source: ucdp\nactors:\n  IS: nobody\n", encoding="utf-8")
    assert main(["evaluate", str(model), str(UCDP), "--format", "ucdp", "--mapping", str(bad)]) == 1
    assert f"{bad}:3: actors: 'IS' maps to 'nobody'" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["tagger.readers.mapping", "tagger.readers.acled", "tagger.readers.ucdp"])
def test_doctests(name, default_taxonomy):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
