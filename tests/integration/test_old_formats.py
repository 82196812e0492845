"""Models saved by earlier format versions keep loading and tagging the same (see tagger/persist.py's history)."""

from __future__ import annotations

import json
from pathlib import Path

from tagger import Tagger

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_format_1_model_loads_and_tags_as_when_saved():
    expected = json.loads((FIXTURES / "model-v1-expected.json").read_text(encoding="utf-8"))
    model = Tagger.load(FIXTURES / "model-v1")
    assert [model.tag(text).to_dict() for text in expected["texts"]] == expected["results"]
