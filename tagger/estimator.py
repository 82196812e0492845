"""A scikit-learn estimator over tagger's trainer: ``TaggerClassifier().fit(texts, Y)``.

``Y`` is a multi-label indicator matrix (documents × labels) or a 1-D array of class labels (multiclass). It works
with ``clone``, ``Pipeline``, ``cross_validate`` and ``GridSearchCV``; the fitted :class:`~tagger.Tagger` is
``model_``. Labels become one family of a taxonomy built in code (named "class N", so no alias matches text).

>>> import numpy as np
>>> texts = ["troops shelled the town", "police arrested protesters", "shelling hit the village",
...          "protesters marched and were arrested", "artillery shelled positions", "riot police arrested dozens"]
>>> Y = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]])
>>> clf = TaggerClassifier(cv=2, char_ngrams=None, n_jobs=1).fit(texts, Y)
>>> clf.predict(["the army shelled the town"]).tolist()
[[1, 0]]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .errors import ParameterError

__all__ = ["TaggerClassifier"]

FAMILY = "labels"


class TaggerClassifier(ClassifierMixin, BaseEstimator):
    """tagger's trainer as a scikit-learn classifier of raw texts (multi-label or multiclass).

    The parameters are those of :func:`tagger.train` (validated there); ``strategy`` defaults to "ovr" for
    multi-label targets and is "softmax" for 1-D (multiclass) targets unless set.
    """

    def __init__(
        self,
        *,
        strategy: str | None = None,
        select: bool = False,
        select_metric: str = "mean",
        cv: int = 5,
        c_text: float = 8.0,
        char_ngrams: tuple[int, int] | None = (3, 5),
        word_ngrams: tuple[int, int] = (1, 2),
        max_features: int = 2**15,
        min_df: int = 2,
        sublinear_tf: bool = True,
        shrink: float | str = 5.0,
        class_weight: str | None = None,
        seed: int = 0,
        n_jobs: int | None = None,
    ):
        self.strategy = strategy
        self.select = select
        self.select_metric = select_metric
        self.cv = cv
        self.c_text = c_text
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.max_features = max_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.shrink = shrink
        self.class_weight = class_weight
        self.seed = seed
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags

    @staticmethod
    def _texts(X: Any, owner: str) -> list[str]:
        if isinstance(X, str) or not isinstance(X, Iterable):
            raise TypeError(f"TaggerClassifier.{owner} expects an iterable of str (one text per document).")
        texts = list(X.ravel() if isinstance(X, np.ndarray) else X)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(
                    f"TaggerClassifier.{owner} expects an iterable of str; item {i} is a {type(text).__name__}."
                )
        return texts

    def fit(self, X: Iterable[str], y: Any) -> TaggerClassifier:
        from .taxonomy import Taxonomy
        from .training import train

        texts = self._texts(X, "fit")
        Y = np.asarray(y)
        if Y.ndim not in (1, 2) or Y.shape[0] != len(texts):
            raise ValueError(
                f"y must be a 1-D array of classes or a 2-D indicator matrix with one row per text ({len(texts)}); "
                f"got shape {Y.shape}."
            )
        self.multilabel_ = Y.ndim == 2
        if self.multilabel_:
            if not np.isin(Y, (0, 1)).all():
                raise ValueError("a 2-D y must be a 0/1 indicator matrix (documents × labels).")
            self.classes_ = np.arange(Y.shape[1])
            indicator = Y.astype(bool)
        else:
            self.classes_, index = np.unique(Y, return_inverse=True)
            if self.classes_.size < 2:
                raise ValueError(f"y has {self.classes_.size} class; a classifier needs at least 2.")
            indicator = np.zeros((len(texts), self.classes_.size), dtype=bool)
            indicator[np.arange(len(texts)), index] = True
        k = indicator.shape[1]
        labels = [{"id": f"c{j}", "name": f"class c{j}"} for j in range(k)]
        taxonomy = Taxonomy.from_dict({"version": 1, "name": "estimator", "families": {FAMILY: {"labels": labels}}})
        records = [
            {"text": text if text.strip() else "empty", "labels": {FAMILY: [f"c{j}" for j in np.flatnonzero(row)]}}
            for text, row in zip(texts, indicator, strict=True)
        ]
        strategy = self.strategy or ("ovr" if self.multilabel_ else "softmax")
        if not isinstance(self.char_ngrams, (tuple, list, type(None))) or not isinstance(
            self.word_ngrams, (tuple, list)
        ):
            raise ParameterError("char_ngrams and word_ngrams must be (low, high) pairs.")
        self.model_ = train(
            records,
            taxonomy,
            strategy=strategy,
            select=self.select,
            select_metric=self.select_metric,
            cv=min(self.cv, len(records)),
            c_text=self.c_text,
            char_ngrams=_pair(self.char_ngrams) if self.char_ngrams is not None else None,
            word_ngrams=_pair(self.word_ngrams),
            max_features=self.max_features,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            shrink=self.shrink,
            class_weight=self.class_weight,
            seed=self.seed,
            n_jobs=self.n_jobs,
        )
        self.n_features_in_ = 1
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Scores per label (documents × labels), before thresholds."""
        check_is_fitted(self, "model_")
        texts = self._texts(X, "predict_proba")
        if not texts:
            return np.zeros((0, self.classes_.size), dtype=np.float32)
        return self.model_.predict_scores(texts)[FAMILY]

    def decision_function(self, X: Iterable[str]) -> np.ndarray:
        return self.predict_proba(X)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """An indicator matrix (multi-label, through the tuned thresholds) or the top class (multiclass)."""
        check_is_fitted(self, "model_")
        texts = self._texts(X, "predict")
        if not self.multilabel_:
            scores = self.predict_proba(texts)
            return self.classes_[np.argmax(scores, axis=1)] if len(texts) else self.classes_[:0]
        model = self.model_.families[FAMILY]
        scores = self.predict_proba(texts)
        selected, _ = model.decide(scores)
        empty = np.asarray([not t.strip() for t in texts], dtype=bool)
        selected[empty] = False
        return selected.astype(np.int64)


def _pair(value: Any) -> Any:
    """A list from a parameter grid becomes the tuple ``train`` checks (its table names a bad value)."""
    return tuple(value)
