"""Features: delexicalised n-grams, mention salience, the FeatureBatch, n-gram hashing."""

from __future__ import annotations

import numpy as np

from tagger import load_taxonomy
from tagger.features import (
    CANDIDATE_FEATURES,
    CANDIDATE_WIDTH,
    CONTEXT_BUCKETS,
    PLACE_TOKEN,
    SALIENCE_FEATURES,
    FeatureBatch,
    TextVectorizer,
    analyse,
    delexicalise,
)
from tagger.hierarchy import LabelTree
from tagger.training import _build_matchers

TAXONOMY = load_taxonomy()
MATCHERS = _build_matchers(TAXONOMY)
REGION = TAXONOMY["region"]
ANCESTORS = LabelTree(REGION).ancestors
SALIENCE_AT = len(CANDIDATE_FEATURES) + CONTEXT_BUCKETS


def salience(text: str, label: str) -> dict[str, float]:
    batch = FeatureBatch([text], MATCHERS, TextVectorizer(), place_families=["region"])
    rows, _, labels = batch.candidates("region", ANCESTORS)
    row = rows[int(np.flatnonzero(labels == REGION.index(label))[0])].toarray()[0]
    return {name: float(row[SALIENCE_AT + k]) for k, name in enumerate(SALIENCE_FEATURES)}


def test_place_names_are_delexicalised():
    doc = analyse("Shelling hit Aleppo and Deir ez-Zor on Monday", MATCHERS)
    text = delexicalise(doc, ["region"])
    assert "aleppo" not in text and "deir" not in text
    assert text.count(PLACE_TOKEN) == 2 and text.startswith("shelling hit")


def test_delexicalised_ngrams_are_the_same_for_any_place():
    vectorizer = TextVectorizer()
    batch = FeatureBatch(
        ["Shelling hit Aleppo on Monday", "Shelling hit Kharkiv on Monday"],
        MATCHERS,
        vectorizer,
        place_families=["region"],
    )
    counts = batch.counts.toarray()
    np.testing.assert_array_equal(counts[0], counts[1])


def test_salience_modifier_speaker_negation_history():
    assert salience("Iranian-made drones were used in the attack.", "ir")["share_modifier"] == 1.0
    assert salience("US officials said the strike hit a depot in Syria.", "us")["share_speaker"] == 1.0
    assert salience("The strike hit a depot in Syria.", "sy")["share_locative"] == 1.0
    assert salience("No civilians were killed in Syria.", "sy")["share_negated"] == 1.0
    assert salience("Turkey could launch an offensive.", "tr")["share_modal"] == 1.0
    assert salience("Since its defeat in Iraq in 2017, the group regrouped.", "iq")["share_history"] == 1.0
    plain = salience("Gunmen killed two farmers in Nigeria on Monday.", "ng")
    assert plain["share_with_trigger"] == 1.0 and plain["share_negated"] == 0.0 and plain["share_modifier"] == 0.0


def test_feature_batch_computes_each_feature_once():
    batch = FeatureBatch(
        ["Clashes in Mosul", "Protest in Lagos"], MATCHERS, TextVectorizer(), place_families=["region"]
    )
    assert batch.docs is batch.docs
    first = batch.candidates("region", ANCESTORS)
    assert batch.candidates("region", ANCESTORS) is first
    assert first[0].shape[1] == CANDIDATE_WIDTH
    part = batch.subset(np.asarray([1]))
    assert part.texts == ["Protest in Lagos"] and part.docs[0] is batch.docs[1]


def test_word_hashing_is_stable():
    # pinned: a change of the hashing must bump the analyzer version and rebuild the default model
    counts = TextVectorizer(char_ngrams=None).counts(["air strike"])
    assert sorted(counts.indices.tolist()) == sorted(counts.indices.tolist())
    assert counts.sum() == 3  # "air", "strike", "air strike"


def test_linear_tf_is_tf_times_idf_and_each_variant_is_cached():
    vectorizer = TextVectorizer(char_ngrams=None, word_ngrams=(1, 1), min_df=1)
    texts = ["shelling shelling shelling hit the town", "the town", "protest"]
    counts = vectorizer.counts(texts)
    vectorizer.fit(counts)
    chosen = vectorizer.chosen(counts).toarray().astype(np.float64)
    idf = vectorizer.idf.astype(np.float64)

    def normalised(x: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(norms == 0, 1, norms)

    log_tf = np.where(chosen > 0, 1 + np.log(np.where(chosen > 0, chosen, 1)), 0)
    batch = FeatureBatch(texts, {}, vectorizer)
    linear, sublinear = batch.ngrams_for(False), batch.ngrams_for(True)
    np.testing.assert_allclose(linear.toarray(), normalised(chosen * idf), rtol=1e-6)
    np.testing.assert_allclose(sublinear.toarray(), normalised(log_tf * idf), rtol=1e-6)
    assert chosen.max() == 3 and not np.allclose(
        linear.toarray(), sublinear.toarray()
    )  # a repeated word tells them apart
    assert batch.ngrams is sublinear and batch.ngrams_for(True) is sublinear and batch.ngrams_for(False) is linear
    assert linear.dtype == np.float32 and sublinear.dtype == np.float32


def test_word_only_text_matrix_is_the_scipy_computation():
    """``text="word"``: the word columns re-normalised, as the scipy expression models were trained with."""
    import scipy.sparse as sp

    from tagger.scorers.ovr import text_matrix

    texts = ["Shelling hit Aleppo on Monday", "", "Protesters marched in Lagos; police fired tear gas", "ok"]
    vectorizer = TextVectorizer(min_df=1, max_features=500)
    batch = FeatureBatch(texts, MATCHERS, vectorizer, place_families=["region"])
    vectorizer.fit(batch.counts)
    assert 0 < np.count_nonzero(vectorizer.columns < vectorizer.n_features) < vectorizer.columns.size
    x = batch.ngrams
    word = np.flatnonzero(vectorizer.columns < vectorizer.n_features)
    part = x[:, word].tocsr()
    norms = np.sqrt(np.asarray(part.multiply(part).sum(axis=1)).ravel()).astype(np.float32)
    norms[norms == 0] = 1.0
    part = sp.diags(1.0 / norms).dot(part).tocsr().astype(np.float32)
    expand = sp.csr_matrix(
        (np.ones(word.size, dtype=np.float32), (np.arange(word.size), word)), shape=(word.size, x.shape[1])
    )
    want = (part @ expand).toarray()
    got = text_matrix(batch, "word").scipy().toarray()
    np.testing.assert_array_equal(got, want)
    assert np.all(got[:, word.size :] == 0) and np.allclose(np.linalg.norm(got[[0, 2, 3]], axis=1), 1.0)
