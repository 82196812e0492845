from tagger.gazetteer import GazetteerRow, Matcher
from tagger.text import tokenize


def labels_found(matcher, family, text):
    return [family.labels[m.label].id for m in matcher.find(tokenize(text))]


def test_leftmost_longest_and_case_sensitive_acronyms(small_taxonomy):
    actor = small_taxonomy["actor"]
    matcher = Matcher.for_family(actor)
    assert labels_found(matcher, actor, "The IS claimed it; this is the SDF.") == ["islamic-state", "sdf"]
    assert labels_found(matcher, actor, "the Syrian Democratic Forces") == ["sdf"]


def test_gazetteer_rows_add_places_and_ambiguous_names_need_capitals(small_taxonomy):
    region = small_taxonomy["region"]
    rows = [
        GazetteerRow("Lyon", "fr", "city", 500000, False),
        GazetteerRow("Nice", "fr", "city", 340000, True),
        GazetteerRow("Springfield", "us", "city", 100000, False),  # a label this taxonomy lacks: ignored
    ]
    matcher = Matcher.for_family(region, rows)
    assert labels_found(matcher, region, "Riots in lyon and Nice") == ["fr", "fr"]
    assert labels_found(matcher, region, "a nice day in Springfield") == []


def test_columns_round_trip(small_taxonomy):
    region = small_taxonomy["region"]
    matcher = Matcher.for_family(region, [GazetteerRow("Lyon", "fr", "city", 1, False)])
    again = Matcher.from_columns(matcher.to_columns(), len(region))
    text = tokenize("From Lyon to Mosul via Raqqa")
    assert again.find(text) == matcher.find(text)


def test_packed_arrays_round_trip_and_bad_arrays_are_named(small_taxonomy):
    import numpy as np
    import pytest

    region = small_taxonomy["region"]
    rows = [GazetteerRow("Lyon", "fr", "city", 1, False), GazetteerRow("Deir ez-Zor", "sy", "city", 2, True)]
    matcher = Matcher.for_family(region, rows)
    arrays = matcher.to_arrays()
    assert arrays["keys"].dtype == np.uint8 and arrays["starts"][-1] == arrays["labels"].size
    again = Matcher.from_arrays(arrays, len(region))
    text = tokenize("From Lyon to Mosul via Raqqa and Deir ez-Zor")
    assert again.find(text) == matcher.find(text) == matcher.find_reference(text)
    assert len(again) == len(matcher)
    with pytest.raises(ValueError, match="'flags'"):
        Matcher.from_arrays({**arrays, "flags": arrays["flags"].astype(np.int64)}, len(region))
    with pytest.raises(ValueError, match="outside the taxonomy"):
        Matcher.from_arrays({**arrays, "labels": arrays["labels"] + len(region)}, len(region))
    with pytest.raises(ValueError, match="row ranges"):
        Matcher.from_arrays({**arrays, "starts": arrays["starts"][::-1].copy()}, len(region))
    with pytest.raises(ValueError, match="'prefixes' is missing"):
        Matcher.from_arrays({k: v for k, v in arrays.items() if k != "prefixes"}, len(region))
