"""The compiled kernel computes exactly what the pure-Python reference does: tokens, matches and n-gram counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagger.features import TextVectorizer
from tagger.gazetteer import GazetteerRow, Matcher
from tagger.text import tokenize, tokenize_reference


def assert_same_csr(got, want):
    """Two CSR matrices (scipy's or tagger.sparse.Rows) hold the same arrays, bit for bit."""
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# the characters the folding and word rules treat specially, mixed with letters of several scripts and cases
TRICKY = st.sampled_from(
    list("aAsSzZ09_ .!?\n\t'’ʼ‘`´\"-()[]")
    + ["é", "Ô", "ß", "İ", "ǅ", "Ǆ", "ﬁ", "²", "½", "Ａ", "\u0301", "\u00a0"]
    + ["\u2003", "ا", "ش", "Д", "ж", "中", "\U0001f600", "Syria", "'s", "’s", "IS", "US", "is", "us", "Nice", "nice"]
)
TEXT = st.one_of(st.text(max_size=200), st.lists(TRICKY, max_size=80).map("".join))

NEWS_WORDS = st.sampled_from(
    [
        "Raqqa",
        "RAQQA",
        "raqqa",
        "Mosul",
        "IS",
        "Is",
        "is",
        "SDF",
        "sdf",
        "Syrian",
        "Democratic",
        "Forces",
        "forces",
        "Islamic",
        "State",
        "Nice",
        "nice",
        "Lyon",
        "Deir",
        "ez",
        "Zor",
        "Deir ez-Zor",
        "the",
        "in",
        "of",
        "Paris",
        "'s",
        "’s",
        "Syria's",
        ".",
        "\n",
        "-",
        "Al",
        "al",
    ]
)
NEWS = st.lists(NEWS_WORDS, max_size=40).map(" ".join)


@SETTINGS
@given(text=TEXT)
def test_tokenize_is_the_reference(text):
    assert tokenize(text) == tokenize_reference(text)


# what a sentence break looks at: its punctuation, closing and opening quotes, spaces and line breaks, and
# the first letter after (in and out of the capital / digit / Latin-Greek-Cyrillic classes)
BREAKS = st.lists(
    st.sampled_from(
        list(".!?.\n\n \t\u00a0\u2003\"”’')]“‘([aAzZ09ÀɏͰϿЀӿԀ_-") + ["Mr.", "U.S.", "...", "?!", ". ", ".\n"]
    ),
    max_size=60,
).map("".join)


@SETTINGS
@given(text=st.one_of(BREAKS, TEXT, NEWS))
def test_sentence_spans_are_the_reference(text):
    from tagger.text import sentence_spans, sentence_spans_reference

    assert sentence_spans(text) == sentence_spans_reference(text)


@pytest.fixture(scope="module")
def matchers(small_taxonomy):
    rows = [
        GazetteerRow("Lyon", "fr", "city", 500000, False),
        GazetteerRow("Nice", "fr", "city", 340000, True),
        GazetteerRow("Deir ez-Zor", "sy", "city", 200000, False),
        GazetteerRow("Deir", "fr", "city", 10, True),
        GazetteerRow("Paris", "fr", "city", 2000000, False),
    ]
    return {name: Matcher.for_family(family, rows) for name, family in small_taxonomy.families.items()}


@SETTINGS
@given(text=st.one_of(NEWS, TEXT))
def test_matching_is_the_reference(matchers, text):
    tokens = tokenize(text)
    for matcher in matchers.values():
        assert matcher.find(tokens) == matcher.find_reference(tokens)


CONFIGS = [
    {"word_ngrams": (1, 2), "char_ngrams": (3, 5), "n_features": 2**20},
    {"word_ngrams": (1, 3), "char_ngrams": (2, 4), "n_features": 1000},  # not a power of two: the modulo path
    {"word_ngrams": (2, 2), "char_ngrams": None, "n_features": 2**10},
    {"word_ngrams": (1, 1), "char_ngrams": (5, 5), "n_features": 2**16},
]


@SETTINGS
@given(texts=st.lists(TEXT, max_size=5), config=st.sampled_from(CONFIGS))
def test_ngram_counts_are_the_reference(texts, config):
    vectorizer = TextVectorizer(**config)
    got, want = vectorizer.counts(texts), vectorizer.counts_reference(texts)
    assert_same_csr(got, want)


@SETTINGS
@given(texts=st.lists(st.one_of(NEWS, TEXT), min_size=1, max_size=6), config=st.sampled_from(CONFIGS))
def test_chosen_columns_weigh_exactly_as_the_full_counts(texts, config):
    vectorizer = TextVectorizer(**config, min_df=1, max_features=300)
    training = ["Raqqa clashes near the Syrian border", "IS claimed the attack in Mosul", *texts]
    vectorizer.fit(vectorizer.counts_reference(training))
    got = vectorizer.transform_chosen(texts)
    want = vectorizer.weigh(vectorizer.counts_reference(texts))
    assert_same_csr(got, want)


@SETTINGS
@given(
    texts=st.lists(st.one_of(NEWS, TEXT), min_size=1, max_size=6),
    config=st.sampled_from(CONFIGS),
    sublinear=st.booleans(),
)
def test_both_tf_variants_are_the_same_on_the_tagging_and_training_paths(texts, config, sublinear):
    from tagger.features import ANALYZER_RAW, FeatureBatch

    vectorizer = TextVectorizer(**config, min_df=1, max_features=300, analyzer=ANALYZER_RAW)
    training = ["Raqqa clashes near the Syrian border", "IS claimed the attack in Mosul", *texts]
    vectorizer.fit(vectorizer.counts_reference(training))
    tagging = FeatureBatch(texts, {}, vectorizer)  # no counts: the kernel counts the chosen columns only
    trained = FeatureBatch(texts, {}, vectorizer, counts=vectorizer.counts_reference(texts))  # full counts
    got, want = tagging.ngrams_for(sublinear), trained.ngrams_for(sublinear)
    assert tagging._counts is None  # the tagging path never built the full counts
    assert_same_csr(got, want)
    assert np.array_equal(want.data, vectorizer.weigh(vectorizer.counts_reference(texts), sublinear=sublinear).data)


@SETTINGS
@given(texts=st.lists(st.one_of(NEWS, TEXT), max_size=8))
def test_candidate_rows_are_the_reference(small_model, texts):
    from tagger.features import candidate_rows, candidate_rows_reference

    docs = small_model.features(texts).docs
    for name, family_model in small_model.families.items():
        prior = np.linspace(-2, 2, len(family_model.ancestors)).astype(np.float32)
        for label_prior in (None, prior):
            got = candidate_rows(docs, name, family_model.ancestors, label_prior)
            want = candidate_rows_reference(docs, name, family_model.ancestors, label_prior)
            for a, b in zip(got[1:], want[1:], strict=True):
                assert np.array_equal(a, b)
            assert_same_csr(got[0], want[0])


@SETTINGS
@given(text=st.one_of(NEWS, TEXT, st.just("No strike in 1999. 2020 attacks, killed; could 19x9 ٢٠٢٠ denied")))
def test_sentence_context_is_the_reference(text):
    from tagger.features import SentenceContext

    tokens = tokenize(text)
    got = SentenceContext(tokens)
    want = SentenceContext(tokenize(""))
    n = (tokens.sentences[-1] + 1) if len(tokens) else 0
    want.negated, want.modal, want.history, want.year, want.triggers = (
        [False] * n,
        [False] * n,
        [False] * n,
        [False] * n,
        [],
    )
    want.reference_scan(tokens)
    for field in ("negated", "modal", "history", "year", "triggers"):
        assert getattr(got, field) == getattr(want, field), field


@SETTINGS
@given(text=TEXT)
def test_normalize_is_the_reference(text):
    from tagger.text import normalize, words

    assert normalize(text) == " ".join(word.casefold() for word in words(text))


@SETTINGS
@given(texts=st.lists(st.one_of(NEWS, TEXT), max_size=8))
def test_alias_features_are_the_reference(small_model, texts):
    from tagger.features import alias_features, alias_features_reference

    docs = small_model.features(texts).docs
    for name, family_model in small_model.families.items():
        got = alias_features(docs, name, family_model.ancestors)
        want = alias_features_reference(docs, name, family_model.ancestors)
        assert_same_csr(got, want)


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(0, 12), st.integers(1, 40), st.integers(1, 9)),
    density=st.floats(0.0, 1.0),
)
def test_sparse_rows_times_weights_is_scipy_bit_for_bit(seed, shape, density):
    import scipy.sparse as sp

    from tagger.sparse import Rows

    rng = np.random.default_rng(seed)
    n_rows, n_cols, k = shape
    dense = rng.standard_normal((n_rows, n_cols)).astype(np.float32) * (rng.random((n_rows, n_cols)) < density)
    x = sp.csr_matrix(dense)
    weights = rng.standard_normal((n_cols, k)).astype(np.float32)
    rows = Rows(x.data, x.indices, x.indptr, x.shape)
    assert np.array_equal(rows.dot(weights), np.asarray(x @ weights))
    assert np.array_equal(rows.dot(weights[:, 0]), np.asarray(x @ weights[:, 0]).ravel())
    assert np.array_equal(rows.toarray(), dense) and rows.scipy().shape == x.shape
