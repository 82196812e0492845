"""The shipped default model: found from any directory, loaded once, and sane on text nobody tuned it to."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

import tagger
from tagger import tag
from tagger._resources import default_model_path


def test_default_model_is_installed():
    assert (default_model_path() / "manifest.json").is_file()
    size = sum(p.stat().st_size for p in default_model_path().iterdir() if p.is_file())
    assert size <= 10 * 1024 * 1024


def test_tag_works_from_any_directory(tmp_path):
    code = "import json, tagger; print(json.dumps(tagger.tag('Clashes near Mosul between ISIS and Iraqi troops').to_dict()))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert list(result) == ["region", "actor", "event_type"]
    assert "iq" in [item["id"] for item in result["region"]]


def test_shape_empty_and_type_errors():
    assert tag("").to_dict() == {"region": [], "actor": [], "event_type": []}
    assert tag("  \n ").to_dict() == {"region": [], "actor": [], "event_type": []}
    with pytest.raises(TypeError, match="bytes"):
        tag(b"text")


def test_lazy_load_is_thread_safe():
    text = "A US drone strike hit an al-Shabaab camp near Kismayo, Somalia, AFRICOM said."
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: tag(text), range(32)))
    assert all(r == results[0] for r in results)
    assert tagger.model._default is not None


@pytest.mark.parametrize(
    ("text", "family", "expected"),
    [
        ("Protesters filled the streets of Santiago, Chile, on Friday demanding pension reform.", "region", "cl"),
        ("Houthi forces launched drones at ships in the Red Sea off Hodeidah, Yemen.", "actor", "houthis"),
        (
            "Police in Lagos arrested twelve people after the riot at the market, Nigerian officials said.",
            "event_type",
            "arrest",
        ),
    ],
)
def test_obvious_cases(text, family, expected):
    assert expected in tag(text).ids(family)


def test_labels_know_their_depth_and_the_most_specific_view():
    """The README example: ancestors may come first in score order; depth and most_specific tell them apart."""
    result = tag("Iraqi forces clashed with ISIS fighters near Mosul on Monday.")
    regions = {label.id: label for label in result["region"]}
    assert {"middle-east", "iq", "iq-nineveh"} <= set(regions)
    assert (regions["middle-east"].depth, regions["iq"].depth, regions["iq-nineveh"].depth) == (0, 1, 2)
    assert regions["iq-nineveh"].parent == "iq" and regions["middle-east"].parent is None
    assert [label.id for label in result.most_specific("region")] == ["iq-nineveh"]
    assert "depth" not in result.to_dict()["region"][0]  # the output shape is unchanged
