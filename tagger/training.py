"""Train a Tagger from labelled records: per-family scorers, cross-validated per-label thresholds.

For each family, the records that annotate it are split into ``cv`` folds. Out-of-fold probabilities choose each
label's threshold (the F1-best cut, shrunk towards the family's best global cut when the label has few
positives) and give the cross-validated metrics stored in the model. The final scorers are then fitted on all
records. With ``strategy="auto"`` both scorer kinds are cross-validated and the better micro-F1 wins, so the choice
is made from the data and recorded.
"""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from sklearn.model_selection import KFold

from ._validation import check_choice, check_float, check_int
from ._version import __version__
from .errors import TrainingError
from .evaluate import FamilyMetrics, gold_matrix, score_matrices
from .features import FeatureBatch, TextVectorizer
from .gazetteer import Matcher, read_gazetteer
from .hierarchy import LabelTree
from .model import STRATEGIES, FamilyModel, Tagger
from .readers import Record
from .scorers import COMBINE, EVIDENCE_COMBINE, FamilyContext, FitOptions, combine_scores, scorer_class
from .taxonomy import Family, Taxonomy, load_taxonomy

__all__ = ["STRATEGIES", "TrainOptions", "train", "tune_thresholds"]

NEVER = np.float32(2.0)  # a threshold above any probability: the label is only reached through its descendants


@dataclass(frozen=True)
class TrainOptions:
    """Validated training options (see :func:`train`)."""

    seed: int = 0
    cv: int = 5
    strategy: Mapping[str, str] | str = "auto"
    c_text: float = 8.0
    c_candidate: float = 1.0
    char_ngrams: tuple[int, int] | None = (3, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    max_features: int = 2**15
    min_df: int = 2
    shrink: float = 5.0
    class_weight: str | None = None
    n_jobs: int | None = None
    hybrid_min_positives: int = 20
    ovr_max_labels: int = 100
    prefer_specific: bool = True

    def fit_options(self) -> FitOptions:
        return FitOptions(
            c_text=self.c_text,
            c_candidate=self.c_candidate,
            class_weight=self.class_weight,
            seed=self.seed,
            n_jobs=self.n_jobs,
        )

    def strategy_for(self, family: str) -> str:
        if isinstance(self.strategy, str):
            return self.strategy
        return self.strategy.get(family, "auto")


def _options(**given: Any) -> TrainOptions:
    owner = "train"
    opts = TrainOptions(**given)
    check_int(opts.seed, "seed", owner, low=0)
    check_int(opts.cv, "cv", owner, low=2, high=20)
    check_float(opts.c_text, "c_text", owner, low=1e-6)
    check_float(opts.c_candidate, "c_candidate", owner, low=1e-6)
    check_int(opts.max_features, "max_features", owner, low=16, high=2**22)
    check_int(opts.min_df, "min_df", owner, low=1)
    check_float(opts.shrink, "shrink", owner, low=0.0)
    check_choice(opts.class_weight, "class_weight", owner, (None, "balanced"))
    check_int(opts.hybrid_min_positives, "hybrid_min_positives", owner, low=1)
    check_int(opts.ovr_max_labels, "ovr_max_labels", owner, low=1)
    if opts.n_jobs is not None:
        check_int(opts.n_jobs, "n_jobs", owner, low=1)
    strategies = [opts.strategy] if isinstance(opts.strategy, str) else list(opts.strategy.values())
    for strategy in strategies:
        check_choice(strategy, "strategy", owner, STRATEGIES)
    return opts


def train(
    records: Iterable[Record | Mapping[str, Any]],
    taxonomy: Taxonomy | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    sample_weight: Sequence[float] | None = None,
    **options: Any,
) -> Tagger:
    """Train a :class:`~tagger.Tagger` on labelled records (from :func:`tagger.readers.read_records`, or dicts
    with ``text`` and ``labels``).

    Options (keyword-only): ``seed`` (0), ``cv`` folds (5), ``strategy`` ("auto", "ovr", "candidate", "hybrid",
    or a mapping of family to one of those; "auto" cross-validates each and keeps the best micro-F1, trying "ovr"
    only for families of at most ``ovr_max_labels`` (100) labels), ``hybrid_min_positives`` (20: labels with at
    least this many examples get an n-gram classifier in the hybrid scorer), ``c_text`` / ``c_candidate`` (inverse regularisation), ``char_ngrams``
    ((3, 5) or None), ``word_ngrams`` ((1, 2)), ``max_features`` (32768), ``min_df`` (2), ``shrink`` (threshold
    shrinkage strength, 5), ``class_weight`` (None or "balanced"), ``n_jobs`` (processes fitting labels in parallel;
    default all cores). ``progress`` receives a message per step. ``sample_weight`` (one non-negative number per
    record) weighs records in every fit, e.g. to keep one source from dominating.
    """
    opts = _options(**options)
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    say = progress or (lambda message: None)
    data = _as_records(records, taxonomy)
    if not data:
        raise TrainingError("no training records: the data is empty.")
    weights = None
    if sample_weight is not None:
        weights = np.asarray(list(sample_weight), dtype=np.float64)
        if weights.shape != (len(data),) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise TrainingError(
                f"sample_weight must hold one finite, non-negative number per record ({len(data)}), "
                f"got {weights.size} values."
            )

    matchers = _build_matchers(taxonomy)
    say(f"analysing {len(data)} records")
    vectorizer = TextVectorizer(
        word_ngrams=opts.word_ngrams, char_ngrams=opts.char_ngrams, max_features=opts.max_features, min_df=opts.min_df
    )
    places = tuple(name for name, family in taxonomy.families.items() if family.gazetteer_path is not None)
    batch = FeatureBatch([r.text for r in data], matchers, vectorizer, place_families=places)
    vectorizer.fit(batch.counts)

    families: dict[str, FamilyModel] = {}
    summary: dict[str, Any] = {}
    skipped = []
    for name, family in taxonomy.families.items():
        rows = np.asarray([i for i, r in enumerate(data) if name in r.labels], dtype=np.int64)
        if rows.size == 0:
            skipped.append(name)
            continue
        gold = gold_matrix(family, [data[i].labels[name] for i in rows])
        if not gold.any():
            raise TrainingError(
                f"family {name!r}: none of its {rows.size} annotated records has a label; "
                "a family needs positive examples to be learned."
            )
        trainer = _FamilyTrainer(
            family, opts, batch.subset(rows), gold, say, weights[rows] if weights is not None else None
        )
        model, info = trainer.run()
        families[name] = model
        summary[name] = info
    if not families:
        raise TrainingError(
            "no record annotates any family of the taxonomy "
            f"({', '.join(taxonomy.families)}); check the 'labels' of the data."
        )

    info = {
        "trained_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "versions": {
            "tagger": __version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "options": _jsonable_options(opts),
        "records": len(data),
        "families": summary,
        "families_not_annotated": skipped,
    }
    return Tagger(taxonomy, vectorizer, matchers, families, info)


def _jsonable_options(opts: TrainOptions) -> dict[str, Any]:
    out = dict(opts.__dict__)
    out["strategy"] = opts.strategy if isinstance(opts.strategy, str) else dict(opts.strategy)
    out["char_ngrams"] = list(opts.char_ngrams) if opts.char_ngrams else None
    out["word_ngrams"] = list(opts.word_ngrams)
    return out


def _as_records(records: Iterable[Record | Mapping[str, Any]], taxonomy: Taxonomy) -> list[Record]:
    from .readers._common import check_labels

    out: list[Record] = []
    for position, item in enumerate(records):
        if isinstance(item, Record):
            if item.labels:
                check_labels(item.labels, taxonomy, item.source or "<records>", item.line)
            out.append(item)
            continue
        if not isinstance(item, Mapping):
            raise TypeError(f"training record #{position} must be a Record or a mapping, got {type(item).__name__}.")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TrainingError(f"training record #{position} has no text.")
        labels = item.get("labels") or {}
        checked = check_labels(labels, taxonomy, "<records>", position)
        out.append(Record(text=text, labels=checked, id=item.get("id")))
    return out


def _build_matchers(taxonomy: Taxonomy) -> dict[str, Matcher]:
    matchers = {}
    for name, family in taxonomy.families.items():
        rows = read_gazetteer(family.gazetteer_path) if family.gazetteer_path is not None else ()
        matchers[name] = Matcher.for_family(family, rows)
    return matchers


class _FamilyTrainer:
    """Cross-validates, picks the scorer kind and thresholds, and fits the final scorer of one family."""

    def __init__(
        self,
        family: Family,
        opts: TrainOptions,
        batch: FeatureBatch,
        gold: np.ndarray,
        say: Callable[[str], None],
        weight: np.ndarray | None = None,
    ):
        self.weight = weight
        self.family = family
        self.opts = opts
        self.fit_options = opts.fit_options()
        self.batch = batch
        self.gold = gold
        self.say = say
        self.tree = LabelTree(family)
        self.context = FamilyContext(family.name, len(family), self.tree.ancestors)

    def _fit(
        self,
        kind: str,
        batch: FeatureBatch,
        gold: np.ndarray,
        labels: np.ndarray | None,
        index: np.ndarray | None = None,
        **extra: Any,
    ):
        """Fit a registered scorer on ``batch`` (the documents ``index`` of the family's, for the weights)."""
        weight = None if self.weight is None else (self.weight if index is None else self.weight[index])
        return scorer_class(kind).fit(
            batch, self.context, gold, self.fit_options, labels, sample_weight=weight, **extra
        )

    def _oof(self, kind: str, labels: np.ndarray | None = None) -> np.ndarray:
        """Out-of-fold probabilities (documents × labels) of the ``ovr`` (for ``labels``) or ``candidate`` scorer."""
        n = len(self.batch)
        folds = min(self.opts.cv, n)
        if folds < 2:
            raise TrainingError(f"family {self.family.name!r}: need at least 2 annotated records, got {n}.")
        scores = np.zeros(self.gold.shape, dtype=np.float32)
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.opts.seed)
        counts = self.batch.counts
        for train_idx, test_idx in splitter.split(np.zeros(n)):
            # the fold's n-gram columns and idf come from its training part only (no leak across folds)
            fold_vectorizer = TextVectorizer.from_config(self.batch.vectorizer.config()).fit(counts[train_idx])
            train_part = self.batch.subset(train_idx, fold_vectorizer)
            test_part = self.batch.subset(test_idx, fold_vectorizer)
            scorer = self._fit(kind, train_part, self.gold[train_idx], labels, train_idx)
            scores[test_idx] = scorer.scores(test_part, self.context)
        return scores

    def _evaluate(self, scores: np.ndarray, trainable: np.ndarray) -> tuple[FamilyMetrics, np.ndarray]:
        thresholds = tune_thresholds(scores, self.gold, trainable, self.opts.shrink)
        selected, _ = self.tree.decide(scores, thresholds, prefer_specific=self.prefer_specific)
        return score_matrices(self.family.name, self.family.ids, self.gold, selected), thresholds

    @property
    def prefer_specific(self) -> bool:
        return self.opts.prefer_specific and self.family.gazetteer_path is not None

    def run(self) -> tuple[FamilyModel, dict[str, Any]]:
        name, opts = self.family.name, self.opts
        n_labels = len(self.family)
        requested = opts.strategy_for(name)
        positives = self.gold.sum(axis=0)
        everything = np.flatnonzero(positives > 0)
        frequent = np.flatnonzero(positives >= opts.hybrid_min_positives)
        if requested == "auto":
            # one n-gram classifier per label only where the family is small enough to afford it
            kinds = ["ovr", "candidate", "hybrid"] if n_labels <= opts.ovr_max_labels else ["candidate", "hybrid"]
        else:
            kinds = [requested]
        if not any(label.surface_forms() for label in self.family.labels):
            kinds = ["ovr"]
        if "hybrid" in kinds and frequent.size == 0:
            kinds = [k for k in kinds if k != "hybrid"] or ["candidate"]
        # the n-gram classifiers of a hybrid or evidence scorer: every label with examples in a small family
        ovr_labels = everything if n_labels <= opts.ovr_max_labels or "ovr" in kinds else frequent

        all_labels = np.ones(n_labels, dtype=bool)
        oof: dict[str, np.ndarray] = {}
        needs = {"candidate": {"candidate", "hybrid", "evidence"}, "ovr": {"ovr", "hybrid", "evidence"}}
        for part in ("candidate", "ovr"):
            if needs[part] & set(kinds) and (part == "candidate" or ovr_labels.size):
                self.say(f"{name}: cross-validating the {part} scorer ({opts.cv} folds, {len(self.batch)} records)")
                oof[part] = self._oof(part, ovr_labels if part == "ovr" else None)
        results: dict[str, tuple[FamilyMetrics, np.ndarray]] = {}
        if "ovr" in kinds and "ovr" in oof:
            results["ovr"] = self._evaluate(oof["ovr"], positives > 0)
        if "candidate" in kinds:
            results["candidate"] = self._evaluate(oof["candidate"], all_labels)
        if "hybrid" in kinds and "ovr" in oof:
            for how in COMBINE:
                combined = combine_scores(oof["candidate"], oof["ovr"], frequent, how)
                results[f"hybrid-{how}"] = self._evaluate(combined, all_labels)
        if "evidence" in kinds:
            candidates = oof["candidate"] > 0  # where the matcher found evidence (candidate probabilities are > 0)
            for how in EVIDENCE_COMBINE:
                if how != "none" and "ovr" not in oof:
                    continue
                if how == "none":
                    gated = oof["candidate"]
                else:
                    gated = np.where(candidates, combine_scores(oof["candidate"], oof["ovr"], ovr_labels, how), 0)
                results[f"evidence-{how}"] = self._evaluate(gated.astype(np.float32), all_labels)
        order = {  # ties: the simpler first
            "ovr": 0,
            "evidence-none": 1,
            "hybrid-max": 2,
            "hybrid-mean": 3,
            "evidence-mean": 4,
            "evidence-max": 5,
            "candidate": 6,
        }
        chosen = max(results, key=lambda k: (round(results[k][0].micro_f1, 6), -order[k]))
        metrics, thresholds = results[chosen]
        self.say(
            f"{name}: fitting the {chosen} scorer on all records (cross-validated micro-F1 {metrics.micro_f1:.3f})"
        )
        kind, _, how = chosen.partition("-")
        if kind == "ovr":
            scorer = self._fit("ovr", self.batch, self.gold, everything)
        elif kind == "candidate":
            scorer = self._fit("candidate", self.batch, self.gold, None)
        elif kind == "hybrid":
            scorer = self._fit("hybrid", self.batch, self.gold, frequent, combine=how)
        else:
            scorer = self._fit("evidence", self.batch, self.gold, ovr_labels, combine=how)
        model = FamilyModel(self.family, scorer, thresholds, prefer_specific=self.prefer_specific)
        info = {
            "records": len(self.batch),
            "strategy": chosen,
            "strategy_requested": requested,
            "cv_micro_f1_by_strategy": {k: round(v[0].micro_f1, 4) for k, v in results.items()},
            "cv_metrics": metrics.to_dict(),
            "labels_with_examples": int((positives > 0).sum()),
            "labels_with_classifiers": int(scorer.classifier_labels.size),
            "labels_without_examples": [self.family.labels[j].id for j in np.flatnonzero(positives == 0)][:50],
        }
        return model, info


def tune_thresholds(scores: np.ndarray, gold: np.ndarray, trainable: np.ndarray, shrink: float) -> np.ndarray:
    """Per-label thresholds from held-out scores: each label's F1-best cut, shrunk towards the family's
    micro-F1-best cut by ``positives / (positives + shrink)``; untrainable labels get :data:`NEVER`."""
    grid = np.linspace(0.05, 0.95, 91, dtype=np.float32)
    best_global, best_f1 = 0.5, -1.0
    for t in grid:
        pred = scores >= t
        tp = (pred & gold).sum()
        f1 = 2 * tp / max(pred.sum() + gold.sum(), 1)
        if f1 > best_f1:
            best_global, best_f1 = float(t), f1
    thresholds = np.full(gold.shape[1], best_global, dtype=np.float32)
    positives = gold.sum(axis=0)
    for j in range(gold.shape[1]):
        if not trainable[j]:
            thresholds[j] = NEVER
            continue
        if positives[j] == 0:
            continue
        pred = scores[:, j][:, None] >= grid[None, :]
        tp = (pred & gold[:, j][:, None]).sum(axis=0)
        f1 = 2 * tp / np.maximum(pred.sum(axis=0) + positives[j], 1)
        best = float(grid[int(np.argmax(f1))])
        weight = positives[j] / (positives[j] + shrink)
        thresholds[j] = np.float32(weight * best + (1 - weight) * best_global)
    return thresholds
