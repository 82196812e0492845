"""The compiled kernel on the rules that matter: word boundaries, capitals-only aliases, folding, hashing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tagger import _kernel
from tagger.features import TextVectorizer
from tagger.gazetteer import GazetteerRow, Matcher
from tagger.text import tokenize, tokenize_reference

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def _ids(matcher, family, text):
    return [(family.labels[m.label].id, m.start, m.end) for m in matcher.find(tokenize(text))]


def test_capitals_only_aliases_and_word_boundaries(small_taxonomy):
    actor = small_taxonomy["actor"]
    matcher = Matcher.for_family(actor)
    assert [i for i, *_ in _ids(matcher, actor, "IS fighters; this is not IS-K, Is it?")] == ["islamic-state"] * 2
    assert _ids(matcher, actor, "the SDFs and sdf") == []  # no match inside a longer word, none in lower case
    assert [i for i, *_ in _ids(matcher, actor, "the Syrian Democratic Forces' push")] == ["sdf"]


def test_common_word_places_need_a_capital_and_longest_falls_back(small_taxonomy):
    region = small_taxonomy["region"]
    rows = [GazetteerRow("Nice", "fr", "city", 340000, True), GazetteerRow("Deir ez-Zor", "sy", "city", 2, False)]
    matcher = Matcher.for_family(region, rows)
    assert _ids(matcher, region, "a nice day in Nice") == [("fr", 4, 5)]
    assert [i for i, *_ in _ids(matcher, region, "Deir ez Zor and deir-ez-zôr")] == ["sy", "sy"]
    tokens = tokenize("Deir ez only")  # a prefix that never completes matches nothing
    assert matcher.find(tokens) == matcher.find_reference(tokens) == []


def test_folding_rules():
    assert tokenize("Syria's north, Hamas' men, Ma'arat al-Nu’man").keys == [
        "syria",
        "north",
        "hamas",
        "men",
        "maarat",
        "al",
        "numan",
    ]
    assert _kernel.strip_apostrophes("it's 's x’s ’s a'b'c") == "it 's x ’s abc"
    tokens = tokenize("US-led strike. IS and ǅemal Öcalan.")
    assert tokens.keys == ["us", "led", "strike", "is", "and", "dzemal", "ocalan"]
    assert tokens.uppers == [True, False, False, True, False, False, False]  # "ǅ" folds to "Dž": capital, mixed
    assert tokens.caps == [True, False, False, True, False, True, True]
    assert tokens == tokenize_reference("US-led strike. IS and ǅemal Öcalan.")


def test_hashing_is_unchanged():
    # pinned values: a changed hash would silently break every saved model (the analyzer version must change then)
    counts = TextVectorizer(word_ngrams=(1, 2), char_ngrams=(3, 5)).counts(["Shelling hit zzplace"])
    assert counts.nnz == 62 and counts.data.sum() == 62
    assert counts.indices[:3].tolist() == [144039, 161424, 405362]
    assert counts.indices[-2:].tolist() == [2072330, 2075158]
    want = TextVectorizer(word_ngrams=(1, 2), char_ngrams=(3, 5)).counts_reference(["Shelling hit zzplace"])
    assert np.array_equal(counts.indices, want.indices) and np.array_equal(counts.data, want.data)


def test_column_index_rejects_unsorted_columns():
    with pytest.raises(ValueError, match="sorted"):
        _kernel.column_index(np.asarray([5, 3], dtype=np.int64), 10)
    with pytest.raises(ValueError, match="inside the width"):
        _kernel.column_index(np.asarray([3, 12], dtype=np.int64), 10)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no team corpus in this checkout")
def test_kernel_equals_reference_on_real_articles():
    texts = []
    for path in sorted(CORPUS.glob("*.jsonl"))[:6]:
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line, _ in zip(handle, range(150), strict=False))
    assert len(texts) > 100
    for text in texts:
        assert tokenize(text) == tokenize_reference(text)
    vectorizer = TextVectorizer()
    got, want = vectorizer.counts(texts), vectorizer.counts_reference(texts)
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


def test_str_subclasses_are_read_and_other_types_refused():
    class LineStr(str):  # the YAML loader's strings carry their line number
        pass

    assert tokenize(LineStr("Syria's IS")) == tokenize_reference("Syria's IS")
    assert TextVectorizer().counts([LineStr("ab cd")]).nnz == TextVectorizer().counts(["ab cd"]).nnz
    with pytest.raises(TypeError, match="expected a str, got int"):
        _kernel.ngram_counts([3], 1, 2, 0, 0, 16)
