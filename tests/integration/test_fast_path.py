"""The default model tags exactly as its pure-Python reference path does, batched or one at a time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tagger import Tagger
from tagger._resources import default_model_path
from tagger.features import FeatureBatch, alias_features_reference, analyse_reference, candidate_rows_reference

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
FIXED = [
    "",
    "   ",
    "Clashes near Mosul between ISIS and Iraqi troops",
    "Israeli jets struck Gaza overnight; Hamas said 12 people were killed.",
    "US-led coalition air strikes hit IS positions in Deir ez-Zôr, the SDF said.\nMore in Raqqa.",
    "Protesters rallied in Nairobi. Police fired tear gas. No one was hurt.",
    "Syria's army shelled Idlib province, Ma'arat al-Nu’man, killing five civilians.",
    "It is a nice day in Nice; the us open is on.",
    "الجيش السوري قصف إدلب — Дамаск, 中国 ǅemal Öcalan ²",
]


def _texts() -> list[str]:
    texts = list(FIXED)
    for path in sorted(CORPUS.glob("*.jsonl"))[:8]:
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line, _ in zip(handle, range(40), strict=False))
    return texts


@pytest.fixture(scope="module")
def model() -> Tagger:
    if not (default_model_path() / "manifest.json").is_file():
        pytest.skip("no default model")
    return Tagger.load(default_model_path())


def _reference_scores(model: Tagger, texts: list[str]) -> dict[str, np.ndarray]:
    prepared = [model._prepare(text) for text in texts]
    docs = [analyse_reference(text, model.matchers) for text in prepared]
    batch = FeatureBatch(prepared, model.matchers, model.vectorizer, place_families=model.place_families, docs=docs)
    for name, family_model in model.families.items():  # the mention features in plain Python
        ancestors = family_model.ancestors
        batch._alias[name] = alias_features_reference(docs, name, ancestors)
        batch._candidates[name] = candidate_rows_reference(docs, name, ancestors)
    texts_for_ngrams = model.vectorizer.prepare(prepared, docs, model.place_families)
    batch._counts = model.vectorizer.counts_reference(texts_for_ngrams)
    return model._scores(batch)


def test_scores_and_tags_equal_the_reference_path(model):
    texts = _texts()
    assert len(texts) > 50 or not CORPUS.is_dir()
    fast = model.predict_scores(texts)
    slow = _reference_scores(model, texts)
    for family in fast:
        assert np.array_equal(fast[family], slow[family]), family
    batched = [result.to_dict() for result in model.tag_many(texts, batch_size=17)]
    single = [model.tag(text).to_dict() for text in texts]
    assert batched == single
    for i, text in enumerate(texts):  # the decisions from the reference scores are the ones reported
        for family, family_model in model.families.items():
            selected, _ = family_model.decide(slow[family][i : i + 1])
            want = {family_model.family.labels[j].id for j in np.flatnonzero(selected[0])} if text.strip() else set()
            assert {item["id"] for item in batched[i][family]} == want


def test_format_1_default_model_saves_as_format_2_and_tags_the_same(model, tmp_path):
    saved = model.save(tmp_path / "m")
    assert (saved / "matchers.npz").is_file() and not (saved / "matchers.json.gz").exists()
    manifest = json.loads((saved / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == 2
    again = Tagger.load(saved)
    texts = _texts()
    assert [r.to_dict() for r in again.tag_many(texts)] == [r.to_dict() for r in model.tag_many(texts)]
