"""The taxonomy validator on generated YAML: it loads or raises TaxonomyError, never anything else."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tagger import TaxonomyError
from tagger.taxonomy import parse_taxonomy

SLUGS = st.sampled_from(["a", "b", "c", "sy", "sy-raqqa", "Bad", "", "x-1"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), SLUGS)
LABEL = st.fixed_dictionaries(
    {"id": st.one_of(SLUGS, SCALARS)},
    optional={
        "name": SCALARS,
        "parent": st.one_of(SLUGS, SCALARS),
        "aliases": st.one_of(st.lists(st.one_of(st.text(max_size=6), SCALARS), max_size=4), SCALARS),
        "description": SCALARS,
        "extra": SCALARS,
    },
)
FAMILY = st.one_of(
    st.fixed_dictionaries({"labels": st.lists(LABEL, max_size=6)}, optional={"description": SCALARS}),
    SCALARS,
)
TAXONOMY = st.fixed_dictionaries(
    {
        "families": st.one_of(
            st.dictionaries(st.sampled_from(["region", "actor", "Bad", "x"]), FAMILY, max_size=3), SCALARS
        )
    },
    optional={"version": st.one_of(st.integers(-2, 3), SCALARS), "name": SCALARS},
)


@settings(max_examples=300, deadline=None)
@given(data=TAXONOMY)
def test_generated_taxonomies_load_or_raise_taxonomy_error(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        tax = parse_taxonomy(text, source="gen.yaml")
    except TaxonomyError as exc:
        assert str(exc).startswith("gen.yaml")
        return
    for family in tax.families.values():
        for label in family.labels:
            chain = family.ancestors(label.id)
            assert label.id not in chain
            assert all(ancestor in family for ancestor in chain)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_parser(text):
    try:
        parse_taxonomy(text, source="gen.yaml")
    except TaxonomyError:
        pass
