"""Run the docstring examples of the installed modules as tests."""

import doctest
import importlib

import pytest

MODULES = [
    "tagger.text",
    "tagger.taxonomy",
    "tagger.readers.jsonl",
    "tagger.readers.csv",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
