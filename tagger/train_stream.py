"""Out-of-core training for corpora larger than memory: two passes over a re-readable stream.

Pass 1 reads every batch once to count document frequencies of the hashed n-grams (a fixed-size array: the
vectorizer keeps no vocabulary), how often each label is proposed and right (the candidate prior), and keeps a
held-out sample (every ``holdout_every``-th record, at most ``holdout_max``). Pass 2 fits ``SGDClassifier``
learners with ``partial_fit`` batch by batch. Thresholds are tuned on the held-out sample. The result is an
ordinary :class:`~tagger.Tagger` in the usual model format.

Use it when the records do not fit in memory (hundreds of thousands of articles and more). It costs accuracy
against :func:`tagger.train` (one pass of SGD instead of an exact solver, thresholds from a sample instead of
cross-validation, no choice of scorer by cross-validation): see the benchmark report for the measured gap.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier

from ._validation import check_choice, check_int
from .errors import TrainingError
from .evaluate import gold_matrix, score_matrices
from .features import CANDIDATE_WIDTH, FeatureBatch, TextVectorizer, alias_features, candidate_rows
from .model import FamilyModel, Tagger
from .readers import Record
from .scorers import CandidateScorer, OvrScorer
from .scorers.base import quantize
from .taxonomy import Taxonomy, load_taxonomy
from .training import _build_matchers, tune_thresholds

__all__ = ["train_streaming"]


def _batched(records: Iterable[Record], size: int) -> Iterable[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def train_streaming(
    source: Callable[[], Iterable[Record]],
    taxonomy: Taxonomy | None = None,
    *,
    batch_size: int = 2000,
    holdout_every: int = 10,
    holdout_max: int = 5000,
    strategy: str = "auto",
    epochs: int = 1,
    seed: int = 0,
    char_ngrams: tuple[int, int] | None = (3, 5),
    max_features: int = 2**15,
    alpha: float = 1e-5,
    progress: Callable[[str], None] | None = None,
) -> Tagger:
    """Train from ``source()``, a function returning a fresh iterator over the records (it is called twice or more).

    ``strategy``: "auto" (candidate scorer for families with a gazetteer, per-label classifiers otherwise),
    "ovr" or "candidate".
    """
    owner = "train_streaming"
    batch_size = check_int(batch_size, "batch_size", owner, low=1)
    holdout_every = check_int(holdout_every, "holdout_every", owner, low=2)
    epochs = check_int(epochs, "epochs", owner, low=1, high=100)
    check_choice(strategy, "strategy", owner, ("auto", "ovr", "candidate"))
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    say = progress or (lambda message: None)
    matchers = _build_matchers(taxonomy)
    vectorizer = TextVectorizer(char_ngrams=char_ngrams, max_features=max_features)
    places = tuple(name for name, family in taxonomy.families.items() if family.gazetteer_path is not None)

    def features(records: list[Record]) -> FeatureBatch:
        return FeatureBatch([r.text for r in records], matchers, vectorizer, place_families=places)

    families = list(taxonomy.families)
    ancestors = {
        name: [[fam.index(a) for a in fam.ancestors(label.id)] for label in fam.labels]
        for name, fam in taxonomy.families.items()
    }

    def is_holdout(position: int) -> bool:
        return position % holdout_every == 0

    # pass 1: document frequencies, candidate priors, annotated counts, the held-out sample
    df = np.zeros(vectorizer.width, dtype=np.int64)
    proposed = {name: np.zeros(len(taxonomy[name])) for name in families}
    correct = {name: np.zeros(len(taxonomy[name])) for name in families}
    positives = {name: np.zeros(len(taxonomy[name]), dtype=np.int64) for name in families}
    annotated = dict.fromkeys(families, 0)
    holdout: list[Record] = []
    n_train = 0
    position = 0
    for batch in _batched(source(), batch_size):
        train_part = []
        for record in batch:
            if is_holdout(position) and len(holdout) < holdout_max:
                holdout.append(record)
            else:
                train_part.append(record)
            position += 1
        if not train_part:
            continue
        n_train += len(train_part)
        batch_features = features(train_part)
        counts = batch_features.counts
        df += np.bincount(counts.indices, minlength=df.size)
        docs = batch_features.docs
        for name in families:
            rows = [i for i, r in enumerate(train_part) if name in r.labels]
            if not rows:
                continue
            annotated[name] += len(rows)
            gold = gold_matrix(taxonomy[name], [train_part[i].labels[name] for i in rows])
            positives[name] += gold.sum(axis=0)
            _, d_idx, l_idx = candidate_rows([docs[i] for i in rows], name, ancestors[name])
            np.add.at(proposed[name], l_idx, 1)
            np.add.at(correct[name], l_idx, gold[d_idx, l_idx])
        say(f"pass 1: {position} records read")
    if n_train == 0:
        raise TrainingError("no training records: the stream is empty.")
    vectorizer.fit_df(df, n_train)
    trained_families = [name for name in families if annotated[name] > 0 and positives[name].any()]
    if not trained_families:
        raise TrainingError("no record annotates any family of the taxonomy with a label.")

    kinds: dict[str, str] = {}
    priors: dict[str, np.ndarray] = {}
    for name in trained_families:
        has_gazetteer = taxonomy[name].gazetteer_path is not None
        kinds[name] = strategy if strategy != "auto" else ("candidate" if has_gazetteer else "ovr")
        overall = (correct[name].sum() + 1.0) / (proposed[name].sum() + 2.0)
        rate = (correct[name] + 2.0 * overall) / (proposed[name] + 2.0)
        priors[name] = np.log(rate / (1.0 - rate + 1e-6)).astype(np.float32)

    def sgd() -> SGDClassifier:
        return SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed, average=True)

    learners: dict[str, Any] = {}
    for name in trained_families:
        n_labels = len(taxonomy[name])
        if kinds[name] == "ovr":
            learners[name] = {j: sgd() for j in np.flatnonzero(positives[name] > 0)}
        else:
            learners[name] = sgd()

    # pass 2 (x epochs): partial_fit on the training part of every batch
    for epoch in range(epochs):
        position = 0
        for batch in _batched(source(), batch_size):
            train_part = []
            for record in batch:
                if not (is_holdout(position) and position // holdout_every < holdout_max):
                    train_part.append(record)
                position += 1
            if not train_part:
                continue
            batch_features = features(train_part)
            text_x = batch_features.ngrams
            docs = batch_features.docs
            for name in trained_families:
                rows = [i for i, r in enumerate(train_part) if name in r.labels]
                if not rows:
                    continue
                gold = gold_matrix(taxonomy[name], [train_part[i].labels[name] for i in rows])
                fam_docs = [docs[i] for i in rows]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    if kinds[name] == "ovr":
                        x = sp.hstack([text_x[rows], alias_features(fam_docs, name, ancestors[name])], format="csr")
                        for j, learner in learners[name].items():
                            learner.partial_fit(x, gold[:, j], classes=[False, True])
                    else:
                        x, d_idx, l_idx = candidate_rows(fam_docs, name, ancestors[name], priors[name])
                        if x.shape[0]:
                            learners[name].partial_fit(x, gold[d_idx, l_idx], classes=[False, True])
            say(f"pass 2 (epoch {epoch + 1}): {position} records")

    models: dict[str, FamilyModel] = {}
    n_text = vectorizer.columns.size
    for name in trained_families:
        family = taxonomy[name]
        n_labels = len(family)
        if kinds[name] == "ovr":
            width = n_text + alias_features([], name, ancestors[name]).shape[1]
            fitted = [j for j, learner in learners[name].items() if hasattr(learner, "coef_")]
            weights = np.zeros((width, len(fitted)), dtype=np.float32)
            bias = np.zeros(len(fitted), dtype=np.float32)
            for k, j in enumerate(fitted):
                weights[:, k] = learners[name][j].coef_[0]
                bias[k] = learners[name][j].intercept_[0]
            weights = quantize(weights)
            scorer: OvrScorer | CandidateScorer = OvrScorer(
                np.asarray(fitted, dtype=np.int64),
                np.ascontiguousarray(weights[:n_text]),
                np.ascontiguousarray(weights[n_text:]),
                bias,
                n_labels,
            )
        else:
            learner = learners[name]
            if hasattr(learner, "coef_"):
                coef, intercept = learner.coef_[0].astype(np.float32), learner.intercept_.astype(np.float32)
            else:
                coef = np.zeros(CANDIDATE_WIDTH, np.float32)
                intercept = np.full(1, -5.0, np.float32)
            scorer = CandidateScorer(coef, intercept, priors[name])
        models[name] = FamilyModel(family, scorer, np.full(n_labels, 0.5, dtype=np.float32))

    tagger = Tagger(taxonomy, vectorizer, matchers, models, {})
    summary: dict[str, Any] = {}
    raw = tagger.predict_scores([r.text for r in holdout]) if holdout else {}
    for name in trained_families:
        family = taxonomy[name]
        rows = [i for i, r in enumerate(holdout) if name in r.labels]
        trainable = positives[name] > 0 if kinds[name] == "ovr" else np.ones(len(family), dtype=bool)
        info: dict[str, Any] = {"records": int(annotated[name]), "strategy": kinds[name], "holdout_records": len(rows)}
        if rows:
            gold = gold_matrix(family, [holdout[i].labels[name] for i in rows])
            scores = raw[name][rows]
            models[name].thresholds = tune_thresholds(scores, gold, trainable, 5.0)
            selected, _ = models[name].decide(scores)
            info["holdout_metrics"] = score_matrices(name, family.ids, gold, selected).to_dict()
        else:
            models[name].thresholds = np.where(trainable, np.float32(0.5), np.float32(2.0)).astype(np.float32)
        summary[name] = info
    tagger.info = {
        "training": "streaming",
        "records": n_train + len(holdout),
        "holdout": len(holdout),
        "families": summary,
        "options": {
            "batch_size": batch_size,
            "holdout_every": holdout_every,
            "epochs": epochs,
            "seed": seed,
            "alpha": alpha,
            "max_features": max_features,
            "char_ngrams": list(char_ngrams) if char_ngrams else None,
        },
    }
    return tagger
