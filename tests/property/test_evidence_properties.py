"""Evidence gating of the default model: no place evidence, no region; explanations point into the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tagger import tag
from tagger.model import default_tagger

WORDS = st.sampled_from(
    "the a gunmen attacked killed police protest strike drone army rebels fighters village town market said "
    "officials on Monday two three were wounded no civilians could plans to hello world recipe shares rose "
    "airstrike shelling clashes arrested kidnapped bomb exploded near outside in at".split()
)


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=40), st.sampled_from([".", "!", "", "\n"]))
def test_no_place_evidence_no_region(words, end):
    text = " ".join(words) + end
    model = default_tagger()
    doc = model.features([text]).docs[0]
    if not doc.mentions.get("region"):
        assert tag(text).ids("region") == []


@settings(max_examples=25, deadline=None)
@given(
    st.lists(WORDS | st.sampled_from(["Aleppo", "Lagos", "Mosul", "Kharkiv", "Iraq", "Syria"]), min_size=1, max_size=30)
)
def test_explanations_are_spans_of_the_text(words):
    text = " ".join(words)
    result = tag(text, explain=True)
    plain = tag(text).to_dict()
    explained = result.to_dict()
    for family, items in explained.items():
        assert [{k: v for k, v in item.items() if k != "evidence"} for item in items] == plain[family]
        for item in items:
            for evidence in item["evidence"]:
                assert text[evidence["start"] : evidence["end"]] == evidence["text"]
                assert evidence["text"] in evidence["sentence"] or evidence["sentence"] == ""
