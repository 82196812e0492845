from tagger.text import is_case_sensitive_alias, normalize, tokenize


def test_spelling_variants_share_a_key():
    assert normalize("Deir ez-Zor") == normalize("DEIR EZ ZOR") == normalize("Deir-ez-Zôr") == "deir ez zor"


def test_apostrophes_inside_words_are_dropped():
    assert normalize("Ma'arat al-Nu’man") == "maarat al numan"


def test_tokens_keep_case():
    tokens = tokenize("The IS cell in Raqqa's north")
    assert tokens.keys == ["the", "is", "cell", "in", "raqqa", "north"]
    assert tokens[1].upper and tokens[1].cap
    assert tokens[4].cap and not tokens[4].upper
    assert len(tokens) == 6


def test_non_ascii_text_folds():
    assert tokenize("Ḥalab — Дамаск 東京").keys == ["halab", "дамаск", "東京"]


def test_case_sensitive_aliases_are_all_capitals():
    assert is_case_sensitive_alias("IS")
    assert is_case_sensitive_alias("U.S.")
    assert not is_case_sensitive_alias("Daesh")
    assert not is_case_sensitive_alias("123")
