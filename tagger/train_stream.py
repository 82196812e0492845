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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier

from .errors import TrainingError
from .evaluate import gold_matrix
from .features import CANDIDATE_WIDTH, FeatureBatch, TextVectorizer, alias_features, candidate_rows
from .model import FamilyModel, Tagger
from .readers import Record
from .scorers import CandidateScorer, OvrScorer
from .scorers.base import quantize
from .scorers.candidate import prior_from_counts
from .taxonomy import Taxonomy, load_taxonomy
from .training_core import (
    NEVER,
    Holdout,
    build_matchers,
    check_options,
    check_strategy,
    label_ancestors,
    place_families,
    tune_family,
)

__all__ = ["train_streaming"]

STREAMING_STRATEGIES = ("auto", "ovr", "candidate")


def _batched(records: Iterable[Record], size: int) -> Iterable[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Setup:
    """What every pass shares: the taxonomy, its matchers and ancestors, the vectorizer and the hold-out rule."""

    taxonomy: Taxonomy
    matchers: dict[str, Any]
    vectorizer: TextVectorizer
    ancestors: dict[str, list[list[int]]]
    holdout: Holdout
    batch_size: int

    def features(self, records: list[Record]) -> FeatureBatch:
        return FeatureBatch(
            [r.text for r in records], self.matchers, self.vectorizer, place_families=place_families(self.taxonomy)
        )

    def training_batches(self, source: Callable[[], Iterable[Record]]) -> Iterable[tuple[int, list[Record]]]:
        """(records read so far, the batch's training part) for each batch; held-out records are left out."""
        position = 0
        for batch in _batched(source(), self.batch_size):
            part = []
            for record in batch:
                if not self.holdout.contains(position):
                    part.append(record)
                position += 1
            yield position, part

    @staticmethod
    def annotated(records: list[Record], family: str) -> list[int]:
        return [i for i, r in enumerate(records) if family in r.labels]


@dataclass
class _Counts:
    """Pass 1: document frequencies, candidate proposals and hits, positives, annotated records, the hold-out."""

    df: np.ndarray
    proposed: dict[str, np.ndarray]
    correct: dict[str, np.ndarray]
    positives: dict[str, np.ndarray]
    annotated: dict[str, int]
    holdout: list[Record] = field(default_factory=list)
    n_train: int = 0


def _count(source: Callable[[], Iterable[Record]], setup: _Setup, say: Callable[[str], None]) -> _Counts:
    taxonomy = setup.taxonomy
    families = list(taxonomy.families)
    counts = _Counts(
        df=np.zeros(setup.vectorizer.width, dtype=np.int64),
        proposed={name: np.zeros(len(taxonomy[name])) for name in families},
        correct={name: np.zeros(len(taxonomy[name])) for name in families},
        positives={name: np.zeros(len(taxonomy[name]), dtype=np.int64) for name in families},
        annotated=dict.fromkeys(families, 0),
    )
    position = 0
    for batch in _batched(source(), setup.batch_size):
        train_part: list[Record] = []
        for record in batch:
            (counts.holdout if setup.holdout.contains(position) else train_part).append(record)
            position += 1
        if not train_part:
            continue
        counts.n_train += len(train_part)
        batch_features = setup.features(train_part)
        counts.df += np.bincount(batch_features.counts.indices, minlength=counts.df.size)
        docs = batch_features.docs
        for name in families:
            rows = setup.annotated(train_part, name)
            if not rows:
                continue
            counts.annotated[name] += len(rows)
            gold = gold_matrix(taxonomy[name], [train_part[i].labels[name] for i in rows])
            counts.positives[name] += gold.sum(axis=0)
            _, d_idx, l_idx = candidate_rows([docs[i] for i in rows], name, setup.ancestors[name])
            np.add.at(counts.proposed[name], l_idx, 1)
            np.add.at(counts.correct[name], l_idx, gold[d_idx, l_idx])
        say(f"pass 1: {position} records read")
    return counts


def _fit(
    source: Callable[[], Iterable[Record]],
    setup: _Setup,
    kinds: dict[str, str],
    priors: dict[str, np.ndarray],
    positives: dict[str, np.ndarray],
    *,
    epochs: int,
    alpha: float,
    seed: int,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Pass 2 (× epochs): ``partial_fit`` of SGD learners on the training part of every batch."""

    def sgd() -> SGDClassifier:
        return SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed, average=True)

    learners: dict[str, Any] = {}
    for name, kind in kinds.items():
        learners[name] = {j: sgd() for j in np.flatnonzero(positives[name] > 0)} if kind == "ovr" else sgd()
    for epoch in range(epochs):
        for position, train_part in setup.training_batches(source):
            if not train_part:
                continue
            batch_features = setup.features(train_part)
            docs = batch_features.docs
            for name, kind in kinds.items():
                rows = setup.annotated(train_part, name)
                if not rows:
                    continue
                gold = gold_matrix(setup.taxonomy[name], [train_part[i].labels[name] for i in rows])
                fam_docs = [docs[i] for i in rows]
                ancestors = setup.ancestors[name]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    if kind == "ovr":
                        alias = alias_features(fam_docs, name, ancestors).scipy()
                        x = sp.hstack([batch_features.ngrams[rows], alias], format="csr")
                        for j, learner in learners[name].items():
                            learner.partial_fit(x, gold[:, j], classes=[False, True])
                    else:
                        candidates, d_idx, l_idx = candidate_rows(fam_docs, name, ancestors, priors[name])
                        x = candidates.scipy()
                        if x.shape[0]:
                            learners[name].partial_fit(x, gold[d_idx, l_idx], classes=[False, True])
            say(f"pass 2 (epoch {epoch + 1}): {position} records")
    return learners


def _scorer(name: str, kind: str, learner: Any, setup: _Setup, prior: np.ndarray) -> OvrScorer | CandidateScorer:
    """The SGD learners of one family as the scorer ``tagger.train`` would have built."""
    n_labels = len(setup.taxonomy[name])
    if kind == "ovr":
        n_text = setup.vectorizer.columns.size
        width = n_text + alias_features([], name, setup.ancestors[name]).shape[1]
        fitted = [j for j, one in learner.items() if hasattr(one, "coef_")]
        weights = np.zeros((width, len(fitted)), dtype=np.float32)
        bias = np.zeros(len(fitted), dtype=np.float32)
        for k, j in enumerate(fitted):
            weights[:, k] = learner[j].coef_[0]
            bias[k] = learner[j].intercept_[0]
        weights = quantize(weights)
        return OvrScorer(
            np.asarray(fitted, dtype=np.int64),
            np.ascontiguousarray(weights[:n_text]),
            np.ascontiguousarray(weights[n_text:]),
            bias,
            n_labels,
        )
    if hasattr(learner, "coef_"):
        coef, intercept = learner.coef_[0].astype(np.float32), learner.intercept_.astype(np.float32)
    else:
        coef = np.zeros(CANDIDATE_WIDTH, np.float32)
        intercept = np.full(1, -5.0, np.float32)
    return CandidateScorer(coef, intercept, prior)


def _tune(tagger: Tagger, counts: _Counts, kinds: dict[str, str]) -> dict[str, Any]:
    """Thresholds from the held-out sample (as :func:`tagger.train` tunes them from out-of-fold scores)."""
    holdout = counts.holdout
    raw = tagger.predict_scores([r.text for r in holdout]) if holdout else {}
    summary: dict[str, Any] = {}
    for name, kind in kinds.items():
        model = tagger.families[name]
        family = model.family
        rows = _Setup.annotated(holdout, name)
        trainable = counts.positives[name] > 0 if kind == "ovr" else np.ones(len(family), dtype=bool)
        info: dict[str, Any] = {"records": int(counts.annotated[name]), "strategy": kind, "holdout_records": len(rows)}
        if rows:
            gold = gold_matrix(family, [holdout[i].labels[name] for i in rows])
            metrics, model.thresholds = tune_family(
                family, model.tree, raw[name][rows], gold, trainable, 5.0, model.prefer_specific
            )
            info["holdout_metrics"] = metrics.to_dict()
        else:
            model.thresholds = np.where(trainable, np.float32(0.5), NEVER).astype(np.float32)
        summary[name] = info
    return summary


def train_streaming(
    source: Callable[[], Iterable[Record]],
    taxonomy: Taxonomy | None = None,
    *,
    batch_size: int = 2000,
    holdout_every: int = 10,
    holdout_max: int = 5000,
    strategy: str | Mapping[str, str] = "auto",
    epochs: int = 1,
    seed: int = 0,
    char_ngrams: tuple[int, int] | None = (3, 5),
    max_features: int = 2**15,
    alpha: float = 1e-5,
    progress: Callable[[str], None] | None = None,
) -> Tagger:
    """Train from ``source()``, a function returning a fresh iterator over the records (it is called twice or more).

    ``strategy``: "auto" (candidate scorer for families with a gazetteer, per-label classifiers otherwise),
    "ovr" or "candidate", or a mapping of family to one of those. Options are checked by the same table as
    :func:`tagger.train`'s.
    """
    owner = "train_streaming"
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    options = check_options(
        owner,
        {
            "batch_size": batch_size,
            "holdout_every": holdout_every,
            "holdout_max": holdout_max,
            "epochs": epochs,
            "seed": seed,
            "char_ngrams": char_ngrams,
            "max_features": max_features,
            "alpha": alpha,
        },
    )
    strategy = check_strategy(strategy, owner, taxonomy, STREAMING_STRATEGIES)
    say = progress or (lambda message: None)
    setup = _Setup(
        taxonomy=taxonomy,
        matchers=build_matchers(taxonomy),
        vectorizer=TextVectorizer(char_ngrams=options["char_ngrams"], max_features=options["max_features"]),
        ancestors=label_ancestors(taxonomy),
        holdout=Holdout(every=options["holdout_every"], limit=options["holdout_max"]),
        batch_size=options["batch_size"],
    )

    counts = _count(source, setup, say)
    if counts.n_train == 0:
        raise TrainingError("no training records: the stream is empty.")
    setup.vectorizer.fit_df(counts.df, counts.n_train)
    trained = [name for name in taxonomy.families if counts.annotated[name] > 0 and counts.positives[name].any()]
    if not trained:
        raise TrainingError("no record annotates any family of the taxonomy with a label.")
    kinds: dict[str, str] = {}
    priors: dict[str, np.ndarray] = {}
    for name in trained:
        requested = strategy if isinstance(strategy, str) else strategy.get(name, "auto")
        has_gazetteer = taxonomy[name].gazetteer_path is not None
        kinds[name] = requested if requested != "auto" else ("candidate" if has_gazetteer else "ovr")
        priors[name] = prior_from_counts(counts.proposed[name], counts.correct[name])

    learners = _fit(
        source,
        setup,
        kinds,
        priors,
        counts.positives,
        epochs=options["epochs"],
        alpha=options["alpha"],
        seed=options["seed"],
        say=say,
    )
    models = {
        name: FamilyModel(
            taxonomy[name],
            _scorer(name, kinds[name], learners[name], setup, priors[name]),
            np.full(len(taxonomy[name]), 0.5, dtype=np.float32),
        )
        for name in trained
    }
    tagger = Tagger(taxonomy, setup.vectorizer, setup.matchers, models, {})
    summary = _tune(tagger, counts, kinds)
    tagger.info = {
        "training": "streaming",
        "records": counts.n_train + len(counts.holdout),
        "holdout": len(counts.holdout),
        "families": summary,
        "options": {
            "batch_size": options["batch_size"],
            "holdout_every": options["holdout_every"],
            "epochs": options["epochs"],
            "seed": options["seed"],
            "alpha": options["alpha"],
            "max_features": options["max_features"],
            "char_ngrams": list(char_ngrams) if char_ngrams else None,
        },
    }
    return tagger
