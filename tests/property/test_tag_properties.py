"""Properties of the tag API on arbitrary text: valid, closed under the hierarchy, deterministic, persistent."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagger import Tagger

# text that looks like news (words from the fixture vocabulary) mixed with arbitrary unicode
WORDS = st.sampled_from(
    ["Raqqa", "Mosul", "IS", "SDF", "Paris", "air strike", "clashes", "protesters", "arrested", "the", "near", "\n"]
)
NEWSY = st.lists(WORDS, max_size=40).map(" ".join)
ANY_TEXT = st.one_of(st.text(max_size=300), NEWSY)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=ANY_TEXT)
def test_any_text_gives_a_valid_result(small_model: Tagger, text: str):
    result = small_model.tag(text).to_dict()
    assert list(result) == list(small_model.taxonomy)
    for family, items in result.items():
        fam = small_model.taxonomy[family]
        ids = [item["id"] for item in items]
        assert len(ids) == len(set(ids))
        scores = [item["score"] for item in items]
        assert scores == sorted(scores, reverse=True)
        for item in items:
            assert item["id"] in fam
            assert 0.0 <= item["score"] <= 1.0
            assert item["name"] == fam.label(item["id"]).name
            assert set(fam.ancestors(item["id"])) <= set(ids)
        if not text.strip():
            assert items == []


@SETTINGS
@given(text=ANY_TEXT)
def test_tagging_is_deterministic_and_batch_equals_single(small_model: Tagger, text: str):
    single = small_model.tag(text)
    assert small_model.tag(text) == single
    batch = list(small_model.tag_many(["Clashes near Mosul", text, ""], batch_size=2))
    assert batch[1] == single


@pytest.fixture(scope="module")
def reloaded(small_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small"
    small_model.save(path)
    return Tagger.load(path)


@SETTINGS
@given(text=ANY_TEXT)
def test_save_load_gives_identical_scores(small_model: Tagger, reloaded: Tagger, text: str):
    before = small_model.predict_scores([text])
    after = reloaded.predict_scores([text])
    for family in before:
        np.testing.assert_array_equal(before[family], after[family])
