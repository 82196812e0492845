"""Issue 14's workflow end to end: model selection, shrinkage by CV, the softmax head, suggest, evaluate outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tagger import ParameterError, Tagger, train
from tagger.cli import main
from tagger.suggest import suggest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LABELS = str(FIXTURES / "labels-small.yaml")
DATA = str(FIXTURES / "small.jsonl")


def test_select_records_the_choice_and_dev_scores(small_records, small_taxonomy, tmp_path):
    model = train(small_records, small_taxonomy, cv=2, n_jobs=1, select=True, shrink="cv", strategy="ovr")
    info = model.info["families"]["event_type"]
    selection = info["selection"]
    assert selection["on"] == "every 5th training record"
    assert len(selection["tried"]) >= 5
    learners = {t["setting"]["learner"] for t in selection["tried"]}
    assert learners == {"lr", "svm"}
    assert {t["setting"]["text"] for t in selection["tried"]} == {"all", "word"}
    assert all(0 <= t["micro_f1"] <= 1 and 0 <= t["macro_f1"] <= 1 for t in selection["tried"])
    assert selection["chosen"] in [t["setting"] for t in selection["tried"]]
    assert set(info["shrink"]["cv_mean_micro_macro_f1"]) == {"0", "1", "5", "20", "100"}
    # the choice survives saving
    model.save(tmp_path / "m")
    loaded = Tagger.load(tmp_path / "m")
    texts = [r.text for r in small_records[:5]]
    for name, scores in model.predict_scores(texts).items():
        np.testing.assert_array_equal(loaded.predict_scores(texts)[name], scores)
    assert loaded.info["families"]["event_type"]["selection"]["chosen"] == selection["chosen"]


def test_select_uses_the_given_dev_records(small_records, small_taxonomy):
    model = train(small_records[:-6], small_taxonomy, dev=small_records[-6:], cv=2, n_jobs=1, select=True)
    assert model.info["families"]["event_type"]["selection"]["on"] == "dev records"
    assert model.info["dev_records"] == 6


@pytest.mark.parametrize(("learner", "text"), [("svm", "all"), ("lr", "word")])
def test_selected_scorer_variants_round_trip(small_records, small_taxonomy, tmp_path, learner, text):
    from tagger.scorers import FitOptions, OvrScorer

    model = train(small_records, small_taxonomy, cv=2, n_jobs=1, strategy="ovr")
    family = model.families["event_type"]
    batch = model.features([r.text for r in small_records])
    gold = np.zeros((len(small_records), len(family.family)), dtype=bool)
    for i, r in enumerate(small_records):
        for label in r.labels.get("event_type", ()):
            gold[i, family.family.index(label)] = True
    family.scorer = OvrScorer.fit(batch, family.context, gold, FitOptions(learner=learner, text=text, n_jobs=1))
    scores = family.raw_scores(batch)
    assert np.all((scores >= 0) & (scores <= 1))
    model.save(tmp_path / "v")
    again = Tagger.load(tmp_path / "v").families["event_type"]
    np.testing.assert_array_equal(again.raw_scores(batch), scores)
    assert again.scorer.text == text


def test_single_label_data_is_detected_and_offers_softmax(small_records, small_taxonomy):
    single = [r for r in small_records if len(r.labels.get("event_type", ())) == 1]
    records = [{"text": r.text, "labels": {"event_type": list(r.labels["event_type"])}} for r in single]
    model = train(records, small_taxonomy, cv=2, n_jobs=1)
    info = model.info["families"]["event_type"]
    assert info["single_label"] is True
    assert "softmax" in info["cv_by_strategy"] and "ovr" in info["cv_by_strategy"]
    forced = train(records, small_taxonomy, cv=2, n_jobs=1, strategy="softmax")
    result = forced.tag(single[0].text)
    assert len(result.ids("event_type")) <= 1 + len(small_taxonomy["event_type"].ancestors(result.ids("event_type")[0]))


def test_suggest_picks_uncertain_and_diverse_records(small_model, small_records):
    pool = [r.text for r in small_records] * 3  # every text three times: the diversity rule must skip the copies
    picked = suggest(small_model, pool, n=5)
    assert len(picked) == 5
    assert len({p["text"] for p in picked}) == 5
    assert [p["uncertainty"] for p in picked] == sorted((p["uncertainty"] for p in picked), reverse=True)
    family = suggest(small_model, pool, n=3, family="event_type")
    assert all(p["nearest"].startswith("event_type:") for p in family)
    with pytest.raises(ParameterError, match="family"):
        suggest(small_model, pool, family="regoin")


def test_cli_suggest_and_evaluate_outputs(tmp_path, capsys):
    model = tmp_path / "m"
    assert main(["train", DATA, "--labels", LABELS, "--out", str(model), "--cv", "2", "--shrink", "cv"]) == 0
    out = tmp_path / "to-label.jsonl"
    assert main(["suggest", str(model), DATA, "-n", "4", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4 and all("text" in r and "uncertainty" in r for r in rows)

    capsys.readouterr()
    assert main(["evaluate", str(model), DATA, "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    errors = tmp_path / "errors.jsonl"
    plots = tmp_path / "plots"
    assert main(["evaluate", str(model), DATA, "--json", "--errors", str(errors), "--plots", str(plots)]) == 0
    assert json.loads(capsys.readouterr().out) == plain  # --json unchanged by the new outputs
    for line in errors.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for fam in row["families"].values():
            assert fam["gold"] != fam["predicted"]
            assert set(fam["missed"]) | set(fam["extra"])
            assert all(0 <= s <= 1 for s in fam["scores"].values())
    pngs = sorted(p.name for p in plots.glob("*.png"))
    assert "per_label_f1_event_type.png" in pngs and "pr_threshold_region.png" in pngs
    assert all((plots / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)
