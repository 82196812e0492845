"""One-vs-rest: one logistic regression per label over ``[n-gram TF-IDF | alias evidence]``.

Right for small families with enough examples per label (event types). Only labels with training examples have
columns (``labels`` holds their indices), which keeps a family of hundreds of mostly unseen labels small.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ModelError
from ..features import ALIAS_FEATURES, FeatureBatch
from ..sparse import Rows
from .base import FamilyContext, FitOptions, array, quantize, sigmoid

if TYPE_CHECKING:  # scipy is imported only to train
    import scipy.sparse as sp

__all__ = ["TEXT_COLUMNS", "OvrScorer", "text_matrix"]

TEXT_COLUMNS = ("all", "word")


@dataclass
class OvrScorer:
    kind: ClassVar[str] = "ovr"
    needs: ClassVar[frozenset[str]] = frozenset({"ngrams", "alias"})

    labels: np.ndarray  # (k,) int64, indices of the trained labels in the family
    w_text: np.ndarray  # (n_text_features, k) float32
    w_alias: np.ndarray  # (n_labels * len(ALIAS_FEATURES), k) float32
    bias: np.ndarray  # (k,) float32
    n_labels: int
    text: str = "all"  # "word": only the word n-gram columns, L2-normalised on their own
    sublinear_tf: bool = True  # False: the classifiers read tf * idf instead of (1 + log tf) * idf

    @property
    def classifier_labels(self) -> np.ndarray:
        return self.labels

    def scores(self, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
        out = np.zeros((len(batch), self.n_labels), dtype=np.float32)
        if self.labels.size and len(batch):
            out[:, self.labels] = sigmoid(linear_logits(self, batch, family))
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return linear_arrays(self)

    def config(self) -> dict[str, Any]:
        return {**({} if self.text == "all" else {"text": self.text}), "sublinear_tf": self.sublinear_tf}

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], config: Mapping[str, Any], family: FamilyContext, n_text: int
    ) -> OvrScorer:
        labels, w_text, w_alias, bias = read_linear(
            arrays,
            family,
            n_text,
            lowest=0,
            bad_labels="array labels holds label indices outside the family or repeated.",
        )
        return cls(
            labels, w_text, w_alias, bias, family.n_labels, text_columns(config, family), sublinear_tf(config, family)
        )

    @classmethod
    def fit(
        cls,
        batch: FeatureBatch,
        family: FamilyContext,
        gold: np.ndarray,
        options: FitOptions,
        labels: np.ndarray | None = None,
        *,
        sample_weight: np.ndarray | None = None,
    ) -> OvrScorer:
        """Classifiers for ``labels`` (default: every label) that have examples in ``gold``."""
        from joblib import Parallel, delayed

        from ..batch.common import default_jobs

        text_x = text_matrix(batch, options.text, options.sublinear_tf).scipy()
        alias_x = batch.alias(family.name, family.ancestors)
        import scipy.sparse as sp

        x = sp.hstack([text_x, alias_x], format="csr")
        positives = gold.sum(axis=0)
        labels = np.arange(gold.shape[1]) if labels is None else labels
        kept = np.asarray([j for j in labels if positives[j] > 0], dtype=np.int64)
        weights = np.zeros((x.shape[1], kept.size), dtype=np.float32)
        bias = np.zeros(kept.size, dtype=np.float32)
        to_fit = []
        for k, j in enumerate(kept):
            if positives[j] == gold.shape[0]:  # every record has it: a constant model says so
                bias[k] = 10.0
            else:
                to_fit.append(k)
        # one process per core (liblinear is not thread-safe); joblib memory-maps ``x`` for the workers
        fitted = Parallel(n_jobs=options.n_jobs or default_jobs(), backend="loky")(
            delayed(_fit_label)(
                x,
                gold[:, kept[k]],
                options.c_text,
                _label_weighting(options, int(positives[kept[k]])),
                options.seed,
                sample_weight,
                options.learner,
            )
            for k in to_fit
        )
        for k, (coef, intercept) in zip(to_fit, fitted, strict=True):
            weights[:, k] = coef
            bias[k] = intercept
        weights = quantize(weights)
        split = text_x.shape[1]
        return cls(
            labels=kept,
            w_text=np.ascontiguousarray(weights[:split]),
            w_alias=np.ascontiguousarray(weights[split:]),
            bias=bias,
            n_labels=gold.shape[1],
            text=options.text,
            sublinear_tf=options.sublinear_tf,
        )


def text_matrix(batch: FeatureBatch, text: str, sublinear: bool = True) -> Rows:
    """The n-gram TF-IDF the classifiers read (sublinear or linear TF): every column, or the word n-grams alone
    re-normalised (L2), at the full width (zeros for the character columns) so the weights keep the vectorizer's
    shape. The same rows for training (``.scipy()``) and tagging."""
    x = batch.ngram_rows(sublinear)
    if text == "all":
        return x
    # the chosen columns are sorted and word n-grams hash below n_features: the word columns come first
    n_word = int(np.count_nonzero(batch.vectorizer.columns < batch.vectorizer.n_features))
    if n_word == x.shape[1]:
        return x
    word = x.keep(x.indices < n_word)
    lengths = np.diff(word.indptr)
    squares = np.zeros(x.shape[0], dtype=np.float32)
    full = lengths > 0
    if word.data.size:
        squares[full] = np.add.reduceat(word.data * word.data, word.indptr[:-1][full])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return Rows(word.data * np.repeat(np.float32(1.0) / norms, lengths), word.indices, word.indptr, x.shape)


def _label_weighting(options: FitOptions, positives: int) -> str | None:
    if options.class_weight == "rare":
        return "balanced" if positives < options.rare_below else None
    return options.class_weight


def _fit_label(
    x: sp.csr_matrix,
    y: np.ndarray,
    c: float,
    class_weight: str | None,
    seed: int,
    sample_weight: np.ndarray | None = None,
    learner: str = "lr",
) -> tuple[np.ndarray, float]:
    """One label's logistic regression or calibrated linear SVM (module-level so worker processes can run it)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    x = x.copy()  # joblib hands workers read-only memory maps; liblinear wants its own arrays
    if learner == "svm":
        return _fit_svm(x, y, c, class_weight, seed, sample_weight)
    clf = LogisticRegression(
        C=c,
        solver="liblinear",
        dual=True,  # more features than documents: the dual problem is the smaller one
        class_weight=class_weight,
        random_state=seed,
        max_iter=1000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y, sample_weight=sample_weight)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def _fit_svm(
    x: sp.csr_matrix, y: np.ndarray, c: float, class_weight: str | None, seed: int, sample_weight: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """A linear SVM with Platt scaling from 3-fold held-out margins, folded into one logistic form:
    ``sigmoid(a·(w·x + b) + c) = sigmoid((a·w)·x + (a·b + c))``, so it is stored like a logistic regression."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    def svm() -> LinearSVC:
        return LinearSVC(C=c, class_weight=class_weight, random_state=seed, max_iter=2000, dual=True)

    margins = np.zeros(y.shape[0], dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        folds = min(3, int(y.sum()), int((~y.astype(bool)).sum()))
        if folds >= 2:
            for fit_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
                part = svm().fit(x[fit_idx], y[fit_idx], sample_weight=_rows(sample_weight, fit_idx))
                margins[test_idx] = part.decision_function(x[test_idx])
        final = svm().fit(x, y, sample_weight=sample_weight)
        if folds < 2:
            margins = final.decision_function(x)
        platt = LogisticRegression(C=1e4, solver="lbfgs").fit(margins[:, None], y, sample_weight=sample_weight)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    return (final.coef_[0] * a).astype(np.float32), float(final.intercept_[0] * a + b)


def _rows(weight: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    return None if weight is None else weight[index]


# --- the linear layout ovr and softmax share: class columns, text and alias weights, biases ---------------------


def linear_logits(scorer: Any, batch: FeatureBatch, family: FamilyContext) -> np.ndarray:
    """``[n-gram TF-IDF | alias evidence] @ weights + bias`` for a scorer with the shared linear layout."""
    alias_x = batch.alias_rows(family.name, family.ancestors)
    text_x = text_matrix(batch, scorer.text, scorer.sublinear_tf)
    return text_x.dot(scorer.w_text) + alias_x.dot(scorer.w_alias) + scorer.bias


def linear_arrays(scorer: Any) -> dict[str, np.ndarray]:
    # weights are float16-exact (see quantize), so storing them as float16 loses nothing
    return {
        "labels": scorer.labels,
        "w_text": scorer.w_text.astype(np.float16),
        "w_alias": scorer.w_alias.astype(np.float16),
        "bias": scorer.bias,
    }


def read_linear(
    arrays: Mapping[str, np.ndarray], family: FamilyContext, n_text: int, *, lowest: int, bad_labels: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``labels, w_text, w_alias, bias`` checked against the family (label indices in ``[lowest, n)``, no repeats)."""
    n = family.n_labels
    labels = array(arrays, "labels", np.int64, (None,))
    k = labels.size
    if k and (labels.min() < lowest or labels.max() >= n or np.unique(labels).size != k):
        raise ModelError(bad_labels)
    return (
        labels,
        array(arrays, "w_text", np.float16, (n_text, k)).astype(np.float32),
        array(arrays, "w_alias", np.float16, (n * len(ALIAS_FEATURES), k)).astype(np.float32),
        array(arrays, "bias", np.float32, (k,)),
    )


def text_columns(config: Mapping[str, Any], family: FamilyContext) -> str:
    """The ``text`` setting of a saved scorer (which n-gram columns its classifiers read), checked."""
    text = config.get("text", "all")
    if text not in TEXT_COLUMNS:
        raise ModelError(f"family {family.name!r}: unknown n-gram columns {text!r} (known: {', '.join(TEXT_COLUMNS)}).")
    return str(text)


def sublinear_tf(config: Mapping[str, Any], family: FamilyContext) -> bool:
    """The ``sublinear_tf`` setting of a saved scorer; models saved before it existed used sublinear TF (True)."""
    value = config.get("sublinear_tf", True)
    if not isinstance(value, bool):
        raise ModelError(
            f"family {family.name!r}: the n-gram setting 'sublinear_tf' must be true or false, got {value!r}."
        )
    return value
