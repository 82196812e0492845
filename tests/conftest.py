"""Shared fixtures: the small test taxonomy and corpus (written for the tests) and a model trained on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagger import Tagger, load_taxonomy, read_records, train

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def small_taxonomy():
    return load_taxonomy(FIXTURES / "labels-small.yaml")


@pytest.fixture(scope="session")
def small_records(small_taxonomy):
    return list(read_records(FIXTURES / "small.jsonl", small_taxonomy))


@pytest.fixture(scope="session")
def small_model(small_taxonomy, small_records) -> Tagger:
    return train(small_records, small_taxonomy, cv=3, seed=0)
