"""Taxonomy validation: every rule gives a TaxonomyError naming the file, the line and the offending id."""

from __future__ import annotations

import textwrap

import pytest

from tagger import TaxonomyError, load_taxonomy
from tagger.taxonomy import Taxonomy, parse_taxonomy


def parse(body: str, source: str = "labels.yaml") -> Taxonomy:
    return parse_taxonomy(textwrap.dedent(body), source=source)


def error_of(body: str) -> str:
    with pytest.raises(TaxonomyError) as info:
        parse(body)
    return str(info.value)


def test_small_fixture_loads(small_taxonomy):
    region = small_taxonomy["region"]
    assert region.ancestors("sy-raqqa") == ("sy", "middle-east")
    assert region.with_ancestors(["sy-raqqa", "fr"]) == ["sy-raqqa", "sy", "middle-east", "fr", "europe"]
    assert list(small_taxonomy) == ["region", "actor", "event_type"]


def test_duplicate_id_names_line_and_id():
    message = error_of(
        """\
        version: 1
        families:
          region:
            labels:
              - {id: sy, name: Syria}
              - {id: sy, name: Syria again}
        """
    )
    assert message.startswith("labels.yaml:6:")
    assert "duplicate label id 'sy'" in message


def test_unknown_parent():
    message = error_of(
        """\
        families:
          region:
            labels:
              - {id: sy, name: Syria, parent: asia}
        """
    )
    assert "labels.yaml:4:" in message and "unknown parent 'asia'" in message


def test_cycle():
    message = error_of(
        """\
        families:
          region:
            labels:
              - {id: a, name: A, parent: b}
              - {id: b, name: B, parent: a}
        """
    )
    assert "parent cycle" in message


def test_alias_claimed_by_two_labels_of_a_family():
    message = error_of(
        """\
        families:
          region:
            labels:
              - id: cg
                name: Republic of the Congo
                aliases: [Congo]
              - id: cd
                name: DR Congo
                aliases: [congo]
        """
    )
    assert "labels.yaml:9:" in message
    assert "alias 'congo' of label 'cd' is already claimed by label 'cg'" in message


def test_same_alias_in_two_families_is_fine():
    tax = parse(
        """\
        families:
          region:
            labels: [{id: ir, name: Iran}]
          actor:
            labels: [{id: iran, name: Iran}]
        """
    )
    assert tax["actor"].ids == ("iran",)


def test_empty_and_duplicate_aliases():
    assert "empty alias" in error_of("families: {region: {labels: [{id: a, name: A, aliases: ['--']}]}}")
    assert "duplicate alias" in error_of("families: {region: {labels: [{id: a, name: A, aliases: [X, x]}]}}")


def test_unknown_keys_and_wrong_types():
    assert "unknown key(s) 'colour'" in error_of("families: {region: {labels: [{id: a, name: A, colour: red}]}}")
    assert "'aliases' must be a list" in error_of("families: {region: {labels: [{id: a, name: A, aliases: X}]}}")
    assert "lowercase slug" in error_of("families: {region: {labels: [{id: Bad Id, name: A}]}}")
    assert "unknown key(s) 'famlies'" in error_of("famlies: {}")
    assert "non-empty 'labels' list" in error_of("families: {region: {labels: []}}")
    assert "must be a mapping" in error_of("- just\n- a list\n")


def test_yaml_syntax_error_has_a_line():
    message = error_of("families:\n  region: [unclosed\n")
    assert message.startswith("labels.yaml:") and "invalid YAML" in message


def test_duplicate_yaml_keys_are_rejected():
    assert "duplicate key 'region'" in error_of(
        "families:\n  region: {labels: [{id: a}]}\n  region: {labels: [{id: b}]}\n"
    )


def test_newer_format_version_is_refused():
    assert "upgrade tagger" in error_of("version: 99\nfamilies: {region: {labels: [{id: a}]}}")


def test_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_round_trip_through_dict_keeps_the_hash(small_taxonomy):
    again = Taxonomy.from_dict(small_taxonomy.to_dict())
    assert again.hash == small_taxonomy.hash
    assert again["region"].ancestors("iq-nineveh") == ("iq", "middle-east")


def test_default_taxonomy_loads():
    tax = load_taxonomy()
    assert {"region", "actor", "event_type"} <= set(tax)
    region = tax["region"]
    assert "sy-deir-ez-zor" in region and region.ancestors("sy-deir-ez-zor")[0] == "sy"
    assert "iq-nineveh" in region and region.ancestors("iq-nineveh")[0] == "iq"
    assert len(tax["actor"]) == 25 and len(tax["event_type"]) == 14
    assert all(label.description for label in tax["event_type"].labels)
