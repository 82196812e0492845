"""The decision rule through the label tree, as array operations."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tagger import load_taxonomy
from tagger.hierarchy import LabelTree

REGION = load_taxonomy()["region"]
TREE = LabelTree(REGION)


def reference(scores, thresholds):
    """The rule written per edge (the pre-array implementation): deepest children first."""
    selected = scores >= thresholds
    effective = scores.copy()
    for child in sorted(range(len(TREE)), key=lambda i: -len(TREE.ancestors[i])):
        for parent in TREE.ancestors[child]:
            chosen = selected[:, child]
            selected[:, parent] |= chosen
            effective[:, parent] = np.where(
                chosen, np.maximum(effective[:, parent], effective[:, child]), effective[:, parent]
            )
    return selected, effective


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.05, 0.95))
def test_array_rule_equals_per_edge_rule(seed, threshold):
    rng = np.random.default_rng(seed)
    scores = (rng.random((7, len(REGION))) ** 6).astype(np.float32)
    thresholds = np.full(len(REGION), threshold, dtype=np.float32)
    got = TREE.decide(scores, thresholds)
    want = reference(scores, thresholds)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.05, 0.95), st.booleans(), st.integers(0, 9))
def test_compiled_rule_equals_the_numpy_reference(seed, threshold, prefer_specific, n_docs):
    rng = np.random.default_rng(seed)
    scores = (rng.random((n_docs, len(REGION))) ** 8).astype(np.float32)
    scores[rng.random(scores.shape) < 0.5] = 0.0  # many labels without evidence, as candidates give
    thresholds = np.where(rng.random(len(REGION)) < 0.1, 2.0, threshold).astype(np.float32)  # some never alone
    got = TREE.decide(scores, thresholds, prefer_specific=prefer_specific)
    want = TREE.decide_reference(scores, thresholds, prefer_specific=prefer_specific)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[0].dtype == np.bool_ and got[1].dtype == np.float32


def test_child_brings_country_and_world_region():
    scores = np.zeros((1, len(REGION)), dtype=np.float32)
    scores[0, REGION.index("iq-nineveh")] = 0.9
    selected, effective = TREE.decide(scores, np.full(len(REGION), 0.5, np.float32))
    ids = {REGION.labels[j].id for j in np.flatnonzero(selected[0])}
    assert ids == {"iq-nineveh", "iq", "middle-east"}
    assert effective[0, REGION.index("middle-east")] == np.float32(0.9)


def test_world_region_alone_hands_down_to_its_best_country():
    scores = np.zeros((2, len(REGION)), dtype=np.float32)
    scores[:, REGION.index("middle-east")] = 0.9
    scores[0, REGION.index("ps")] = 0.3
    scores[0, REGION.index("il")] = 0.2
    thresholds = np.full(len(REGION), 0.5, np.float32)
    selected, _ = TREE.decide(scores, thresholds, prefer_specific=True)
    assert {REGION.labels[j].id for j in np.flatnonzero(selected[0])} == {"middle-east", "ps"}
    # no country has any evidence: the world region stays alone
    assert {REGION.labels[j].id for j in np.flatnonzero(selected[1])} == {"middle-east"}
    # without the option, the old rule
    selected, _ = TREE.decide(scores, thresholds)
    assert {REGION.labels[j].id for j in np.flatnonzero(selected[0])} == {"middle-east"}
