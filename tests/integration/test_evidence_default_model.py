"""The default model on text unlike its training data: the evaluation-only world notes and the four failure classes
of the evidence issue (Syria from nothing, the speaker's country, background as actors and events, small places).

The cases below were written for these tests (not taken from articles or ../shared/) and the model was not tuned
on them; data/eval/ is never trained on (scripts/build_default_model.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tagger import read_records, tag
from tagger.model import default_tagger

EVAL = Path(__file__).resolve().parents[2] / "data" / "eval" / "world-notes-dev.jsonl"


def _countries(ids):
    family = default_tagger().taxonomy["region"]
    out = set()
    for label in ids:
        chain = [label, *family.ancestors(label)]
        if len(chain) >= 2:
            out.add(chain[-2])
    return out


@pytest.fixture(scope="module")
def eval_notes():
    return list(read_records(EVAL, default_tagger().taxonomy))


def test_world_notes_countries_and_syria_rate(eval_notes):
    """Regions at country level on 360 notes from 124 countries; Syria on at most 2% of the notes not about it."""
    tp = fp = fn = 0
    syria_wrong = others = 0
    for record, result in zip(eval_notes, default_tagger().tag_many([r.text for r in eval_notes]), strict=True):
        gold, pred = _countries(record.labels["region"]), _countries(result.ids("region"))
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        if "sy" not in gold:
            others += 1
            syria_wrong += "sy" in pred
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.85, f"country F1 {f1:.3f} on the evaluation-only notes"
    assert syria_wrong / others <= 0.02, f"Syria on {syria_wrong} of {others} notes not about Syria"


@pytest.mark.parametrize(
    "text",
    [
        "hello world",
        "Gunmen opened fire on a bus overnight, killing three passengers, police said.",
        "Stir the onions until golden, add the lentils and simmer for twenty minutes.",
        "The index closed 1.2% higher as bank shares rallied.",
    ],
)
def test_no_place_named_no_region(text):
    assert tag(text).ids("region") == []


def test_the_speakers_country_is_not_a_region():
    text = (
        "Two people were killed when a drone struck a market in Kidal, northern Mali, on Sunday. "
        "US State Department officials said in Washington that they were following reports closely."
    )
    regions = tag(text).ids("region")
    assert "ml" in regions and "us" not in regions


def test_a_village_names_its_country():
    text = "On 4 March, fighters attacked a military base in Damasak, killing five soldiers, residents said."
    assert "ng" in tag(text).ids("region")


def test_a_world_region_never_stands_alone_when_a_country_is_named():
    result = tag("Israeli jets struck a house in Khan Younis overnight, medics said.")
    assert "ps" in result.ids("region")


def test_explanations_point_at_the_place():
    text = "Security forces fired tear gas at protesters in Kisumu on Tuesday."
    result = tag(text, explain=True).to_dict()
    kenya = [item for item in result["region"] if item["id"] == "ke"]
    assert kenya, result["region"]
    spans = [text[e["start"] : e["end"]] for e in kenya[0]["evidence"]]
    assert "Kisumu" in spans
    assert all(e["sentence"] == text for e in kenya[0]["evidence"])
