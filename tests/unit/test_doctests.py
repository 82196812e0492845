"""Run the docstring examples of every module of the installed package as tests (found by walking the package, so a
new module's examples run without being listed here)."""

import doctest
import importlib
import pkgutil

import pytest

import tagger

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(tagger.__path__, prefix="tagger.")
    # compiled (its examples live in the Python reference functions), and the script entry point (it runs on import)
    if not name.startswith("tagger._kernel") and name != "tagger.__main__"
)


def test_the_walk_finds_the_package():
    assert {"tagger.text", "tagger.taxonomy", "tagger.scorers", "tagger.hierarchy", "tagger.readers.jsonl"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_modules_with_examples():
    """The modules known to carry examples still do (an example deleted by mistake is noticed)."""
    for name in ("tagger.text", "tagger.taxonomy", "tagger.readers.jsonl", "tagger.hierarchy", "tagger.scorers"):
        assert doctest.testmod(importlib.import_module(name)).attempted > 0, name
