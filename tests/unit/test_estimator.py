"""TaggerClassifier: a scikit-learn estimator over tagger's trainer (clone, Pipeline, cross_validate, GridSearchCV)."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.utils.estimator_checks as checks
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from tagger import ParameterError
from tagger.estimator import TaggerClassifier

WORDS = {0: "troops shelled artillery positions", 1: "police arrested protesters", 2: "farmers marched peacefully"}


def corpus(n: int = 48) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    texts, rows = [], []
    for i in range(n):
        labels = [i % 3] + ([int(rng.integers(0, 3))] if i % 4 == 0 else [])
        texts.append(" and ".join(WORDS[j] for j in labels) + f" in town {i}")
        row = np.zeros(3, dtype=int)
        row[labels] = 1
        rows.append(row)
    return texts, np.asarray(rows)


def estimator(**params) -> TaggerClassifier:
    return TaggerClassifier(cv=2, char_ngrams=None, n_jobs=1, min_df=1, **params)


# The checks of check_estimator that apply to an estimator of raw texts. scikit-learn itself runs only
# check_estimator_cloneable for string input (every other check feeds numeric arrays); the API checks below take
# the estimator alone. Not run, because they fit on numeric or sparse X, which a text classifier rejects by design:
# check_positive_only_tag_during_fit, check_estimator_sparse_tag and every data check of check_estimator.
API_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_parameters_default_constructible",
    "check_estimator_repr",
    "check_estimator_cloneable",
    "check_valid_tag_types",
    "check_mixin_order",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_estimator_tags_renamed",
]


@pytest.mark.parametrize("name", API_CHECKS)
def test_api_checks(name):
    getattr(checks, name)("TaggerClassifier", estimator())


def test_check_estimator_runs_what_applies():
    results = checks.check_estimator(estimator(), on_fail=None)
    assert results and all(r["status"] in ("passed", "skipped") for r in results)


def test_fit_predict_multilabel_and_proba():
    texts, Y = corpus()
    clf = estimator().fit(texts, Y)
    pred = clf.predict(texts)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    assert (pred == Y).mean() > 0.9
    proba = clf.predict_proba(texts)
    assert proba.shape == Y.shape and np.all((proba >= 0) & (proba <= 1))


def test_multiclass_targets_use_the_softmax_head():
    texts, Y = corpus()
    y = np.asarray(["shell", "arrest", "march"])[np.argmax(Y * [4, 2, 1], axis=1)]
    clf = estimator().fit(texts, y)
    assert clf.model_.families["labels"].scorer.kind == "softmax"
    assert set(clf.predict(texts)) <= set(y)
    assert clf.score(texts, y) > 0.8


def test_clone_pipeline_cross_validate_grid_search():
    texts, Y = corpus()
    assert clone(estimator(c_text=2.0)).get_params()["c_text"] == 2.0
    pipe = Pipeline([("lower", FunctionTransformer(lambda xs: [x.lower() for x in xs])), ("tag", estimator())])
    scores = cross_validate(pipe, texts, Y, cv=KFold(3, shuffle=True, random_state=0), scoring="f1_micro")
    assert scores["test_score"].mean() > 0.8
    grid = GridSearchCV(estimator(), {"c_text": [1.0, 8.0]}, cv=2, scoring="f1_micro").fit(texts, Y)
    assert grid.best_params_["c_text"] in (1.0, 8.0)


def test_bad_input_is_a_clear_error():
    texts, Y = corpus()
    with pytest.raises(TypeError, match="item 0 is a int"):
        estimator().fit([1, 2], Y[:2])
    with pytest.raises(ValueError, match="one row per text"):
        estimator().fit(texts, Y[:3])
    with pytest.raises(ParameterError, match="char_ngrams"):
        TaggerClassifier(char_ngrams=(5, 3), n_jobs=1).fit(texts, Y)


def test_select_metric_and_sublinear_tf_are_parameters():
    clf = estimator(select_metric="example", sublinear_tf=False)
    params = clf.get_params()
    assert params["select_metric"] == "example" and params["sublinear_tf"] is False
    assert TaggerClassifier().get_params()["select_metric"] == "mean"
    assert TaggerClassifier().get_params()["sublinear_tf"] is True
    clf.set_params(select_metric="micro", sublinear_tf=True)
    assert clf.select_metric == "micro" and clf.sublinear_tf is True
    assert clone(clf).get_params()["select_metric"] == "micro"


def test_select_metric_and_sublinear_tf_reach_the_trainer():
    texts, Y = corpus()
    clf = estimator(select=True, select_metric="example", sublinear_tf=False).fit(texts, Y)
    info = clf.model_.info
    assert info["options"]["select_metric"] == "example" and info["options"]["sublinear_tf"] is False
    selection = info["families"]["labels"]["selection"]
    assert selection["metric"] == "example"
    assert selection["tried"][0]["setting"]["sublinear_tf"] is False  # the given setting is where selection starts
    assert any(t["setting"]["sublinear_tf"] is True for t in selection["tried"])
    assert clf.model_.families["labels"].scorer.sublinear_tf is selection["chosen"]["sublinear_tf"]
    with pytest.raises(ParameterError, match="select_metric"):
        estimator(select_metric="f1").fit(texts, Y)
    with pytest.raises(ParameterError, match="sublinear_tf"):
        estimator(sublinear_tf="yes").fit(texts, Y)
