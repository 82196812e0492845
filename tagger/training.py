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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sklearn
from sklearn.model_selection import KFold

from ._version import __version__
from .errors import TrainingError
from .evaluate import FamilyMetrics, gold_matrix
from .features import FeatureBatch, TextVectorizer
from .hierarchy import LabelTree
from .model import STRATEGIES, FamilyModel, Tagger
from .readers import Record
from .scorers import COMBINE, EVIDENCE_COMBINE, FamilyContext, FitOptions, combine_scores, scorer_class
from .taxonomy import Family, Taxonomy, load_taxonomy
from .training_core import (
    NEVER,
    build_matchers,
    check_options,
    check_strategy,
    choose_shrink,
    place_families,
    selection_scores,
    selection_value,
    tune_family,
    tune_thresholds,
)

__all__ = ["NEVER", "STRATEGIES", "TrainOptions", "train", "tune_thresholds"]

_build_matchers = build_matchers  # the name older code imports


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
    shrink: float | str = 5.0
    class_weight: str | None = None
    n_jobs: int | None = None
    hybrid_min_positives: int = 20
    ovr_max_labels: int = 100
    prefer_specific: bool = True
    select: bool = False
    select_metric: str = "mean"
    sublinear_tf: bool = True

    def fit_options(self) -> FitOptions:
        return FitOptions(
            c_text=self.c_text,
            c_candidate=self.c_candidate,
            class_weight=self.class_weight,
            seed=self.seed,
            n_jobs=self.n_jobs,
            sublinear_tf=self.sublinear_tf,
        )

    def strategy_for(self, family: str) -> str:
        if isinstance(self.strategy, str):
            return self.strategy
        return self.strategy.get(family, "auto")


def train(
    records: Iterable[Record | Mapping[str, Any]],
    taxonomy: Taxonomy | None = None,
    *,
    seed: int = 0,
    cv: int = 5,
    strategy: str | Mapping[str, str] = "auto",
    select: bool = False,
    select_metric: str = "mean",
    dev: Iterable[Record | Mapping[str, Any]] | None = None,
    c_text: float = 8.0,
    c_candidate: float = 1.0,
    char_ngrams: tuple[int, int] | None = (3, 5),
    word_ngrams: tuple[int, int] = (1, 2),
    max_features: int = 2**15,
    min_df: int = 2,
    sublinear_tf: bool = True,
    shrink: float | str = 5.0,
    class_weight: str | None = None,
    n_jobs: int | None = None,
    hybrid_min_positives: int = 20,
    ovr_max_labels: int = 100,
    prefer_specific: bool = True,
    sample_weight: Sequence[float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Tagger:
    """Train a :class:`~tagger.Tagger` on labelled records (from :func:`tagger.readers.read_records`, or dicts
    with ``text`` and ``labels``).

    - ``strategy``: "auto", "ovr", "candidate", "hybrid", "evidence", "softmax", or a mapping of family to one of
      those (an unknown family is an error). "auto" cross-validates the kinds that fit the family and keeps the best
      micro-F1, trying "ovr" only for families of at most ``ovr_max_labels`` labels and "softmax" only when every
      record carries exactly one label of the family.
    - ``select``: choose the n-gram classifiers' settings per family on a dev split (``dev`` records when given,
      else every 5th training record) over a small grid: C, class weighting, word vs word+char n-grams, sublinear vs
      linear TF, logistic regression vs calibrated linear SVM. The choice and the dev scores go in ``model.info``.
    - ``select_metric``: what ``select`` and ``shrink="cv"`` maximise: "mean" (of micro- and macro-F1, the
      default), "micro", "macro", or "example" (example-based F1: the mean over documents of
      2|T∩P| / (|T| + |P|), documents with neither gold nor predicted labels left out). Recorded in
      ``model.info``.
    - ``cv`` folds give the out-of-fold scores that tune each label's threshold; ``shrink`` pulls the thresholds of
      labels with few examples towards the family's cut (``positives / (positives + shrink)``); ``"cv"`` chooses it
      by cross-validation among 0, 1, 5, 20, 100.
    - ``c_text`` / ``c_candidate``: inverse regularisation; ``class_weight``: None, "balanced", or "rare" (balanced
      for labels with fewer than 20 examples only).
    - ``char_ngrams`` ((3, 5) or None), ``word_ngrams``, ``max_features``, ``min_df``: the n-gram features;
      ``sublinear_tf``: their values are ``(1 + log tf) * idf`` (True, the default) or ``tf * idf`` (False), both
      L2-normalised (``select`` tries False too, starting from this setting).
    - ``hybrid_min_positives``: labels with at least this many examples get an n-gram classifier in the hybrid
      scorer; ``prefer_specific``: the decision rule of gazetteer families (see :mod:`tagger.hierarchy`).
    - ``n_jobs``: processes fitting labels in parallel (default all cores); ``sample_weight``: one non-negative
      number per record, weighing it in every fit; ``progress`` receives a message per step.

    Every option is checked (:data:`tagger.training_core.OPTION_CHECKS`); a bad one raises ParameterError naming it.
    """
    given = {
        "seed": seed,
        "cv": cv,
        "select": select,
        "select_metric": select_metric,
        "c_text": c_text,
        "c_candidate": c_candidate,
        "char_ngrams": char_ngrams,
        "word_ngrams": word_ngrams,
        "max_features": max_features,
        "min_df": min_df,
        "sublinear_tf": sublinear_tf,
        "shrink": shrink,
        "class_weight": class_weight,
        "n_jobs": n_jobs,
        "hybrid_min_positives": hybrid_min_positives,
        "ovr_max_labels": ovr_max_labels,
        "prefer_specific": prefer_specific,
    }
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    checked = check_options("train", given)
    checked["strategy"] = check_strategy(strategy, "train", taxonomy, STRATEGIES)
    opts = TrainOptions(**checked)
    say = progress or (lambda message: None)
    data = _as_records(records, taxonomy)
    if not data:
        raise TrainingError("no training records: the data is empty.")
    dev_data = _as_records(dev, taxonomy) if dev is not None else None
    weights = None
    if sample_weight is not None:
        weights = np.asarray(list(sample_weight), dtype=np.float64)
        if weights.shape != (len(data),) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise TrainingError(
                f"sample_weight must hold one finite, non-negative number per record ({len(data)}), "
                f"got {weights.size} values."
            )

    matchers = build_matchers(taxonomy)
    say(f"analysing {len(data)} records")
    vectorizer = TextVectorizer(
        word_ngrams=opts.word_ngrams, char_ngrams=opts.char_ngrams, max_features=opts.max_features, min_df=opts.min_df
    )
    places = place_families(taxonomy)
    batch = FeatureBatch([r.text for r in data], matchers, vectorizer, place_families=places)
    vectorizer.fit(batch.counts)
    dev_batch = None
    if dev_data:
        dev_batch = FeatureBatch([r.text for r in dev_data], matchers, vectorizer, place_families=places)

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
        single = is_single_label(gold, LabelTree(family))
        family_dev = None
        if dev_batch is not None and dev_data is not None:
            dev_rows = np.asarray([i for i, r in enumerate(dev_data) if name in r.labels], dtype=np.int64)
            if dev_rows.size:
                family_dev = (
                    dev_batch.subset(dev_rows),
                    gold_matrix(family, [dev_data[i].labels[name] for i in dev_rows]),
                )
        trainer = _FamilyTrainer(
            family,
            opts,
            batch.subset(rows),
            gold,
            say,
            weights[rows] if weights is not None else None,
            single_label=single,
            dev=family_dev,
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
        "dev_records": len(dev_data) if dev_data else 0,
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


# The settings ``select=True`` tries for a family's n-gram classifiers, one axis at a time from the defaults (the
# best of each axis is kept before the next): regularisation, class weighting, n-gram columns, TF weighting, learner.
def _selection_axes(opts: TrainOptions, has_char: bool, has_rare: bool) -> list[list[dict[str, Any]]]:
    axes: list[list[dict[str, Any]]] = [[{"c_text": opts.c_text / 4}, {"c_text": opts.c_text * 4}]]
    weights = [w for w in ("balanced", "rare" if has_rare else None) if w and w != opts.class_weight]
    axes.append([{"class_weight": w} for w in weights])
    if has_char:
        axes.append([{"text": "word"}])
    axes.append([{"sublinear_tf": not opts.sublinear_tf}])
    axes.append([{"learner": "svm", "c_text": 0.5}])
    return [axis for axis in axes if axis]


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
        *,
        single_label: bool = False,
        dev: tuple[FeatureBatch, np.ndarray] | None = None,
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
        self.single_label = single_label
        self.dev = dev
        self.selection: dict[str, Any] | None = None
        self.shrink: float = 5.0 if opts.shrink == "cv" else float(opts.shrink)
        self.shrink_cv: dict[str, float] | None = None

    def _fit(
        self,
        kind: str,
        batch: FeatureBatch,
        gold: np.ndarray,
        labels: np.ndarray | None,
        index: np.ndarray | None = None,
        options: FitOptions | None = None,
        **extra: Any,
    ):
        """Fit a registered scorer on ``batch`` (the documents ``index`` of the family's, for the weights)."""
        weight = None if self.weight is None else (self.weight if index is None else self.weight[index])
        cls: Any = scorer_class(kind)
        return cls.fit(batch, self.context, gold, options or self.fit_options, labels, sample_weight=weight, **extra)

    def _folds(self) -> list[tuple[np.ndarray, np.ndarray]]:
        n = len(self.batch)
        folds = min(self.opts.cv, n)
        if folds < 2:
            raise TrainingError(f"family {self.family.name!r}: need at least 2 annotated records, got {n}.")
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.opts.seed)
        return list(splitter.split(np.zeros(n)))

    def _oof(self, kind: str, labels: np.ndarray | None = None) -> np.ndarray:
        """Out-of-fold probabilities (documents × labels) of the scorer ``kind`` (n-gram classifiers for ``labels``)."""
        scores = np.zeros(self.gold.shape, dtype=np.float32)
        counts = self.batch.counts
        for train_idx, test_idx in self._folds():
            # the fold's n-gram columns and idf come from its training part only (no leak across folds)
            fold_vectorizer = TextVectorizer.from_config(self.batch.vectorizer.config()).fit(counts[train_idx])
            train_part = self.batch.subset(train_idx, fold_vectorizer)
            test_part = self.batch.subset(test_idx, fold_vectorizer)
            scorer = self._fit(kind, train_part, self.gold[train_idx], labels, train_idx)
            scores[test_idx] = scorer.scores(test_part, self.context)
        return scores

    def _evaluate(self, scores: np.ndarray, trainable: np.ndarray) -> tuple[FamilyMetrics, np.ndarray]:
        return tune_family(self.family, self.tree, scores, self.gold, trainable, self.shrink, self.prefer_specific)

    @property
    def prefer_specific(self) -> bool:
        return self.opts.prefer_specific and self.family.gazetteer_path is not None

    # --- model selection on a dev split ----------------------------------------------------------------------------

    def _dev_split(self) -> tuple[FeatureBatch, np.ndarray, FeatureBatch, np.ndarray, np.ndarray | None, str]:
        """(train batch, its gold, dev batch, dev gold, train index, where dev came from)."""
        if self.dev is not None:
            return self.batch, self.gold, self.dev[0], self.dev[1], None, "dev records"
        from .training_core import Holdout

        fit_idx, dev_idx = Holdout(every=5).split(len(self.batch))
        counts = self.batch.counts
        vectorizer = TextVectorizer.from_config(self.batch.vectorizer.config()).fit(counts[fit_idx])
        return (
            self.batch.subset(fit_idx, vectorizer),
            self.gold[fit_idx],
            self.batch.subset(dev_idx, vectorizer),
            self.gold[dev_idx],
            fit_idx,
            "every 5th training record",
        )

    def _select(self, kind: str, labels: np.ndarray | None) -> None:
        """Choose the n-gram classifiers' settings on the dev split: one axis at a time, keep what scores best."""
        train_part, train_gold, dev_part, dev_gold, index, origin = self._dev_split()
        trainable = np.ones(len(self.family), dtype=bool) if kind == "softmax" else train_gold.sum(axis=0) > 0
        positives = train_gold.sum(axis=0)
        has_rare = bool(((positives > 0) & (positives < self.fit_options.rare_below)).any())
        has_char = self.batch.vectorizer.char_ngrams is not None

        def dev_score(options: FitOptions) -> dict[str, float]:
            scorer = self._fit(kind, train_part, train_gold, labels, index, options=options)
            scores = scorer.scores(dev_part, self.context)
            thresholds = tune_thresholds(scores, dev_gold, trainable, self.shrink)
            selected, _ = self.tree.decide(scores, thresholds, prefer_specific=self.prefer_specific)
            return {k: round(v, 4) for k, v in selection_scores(self.family, dev_gold, selected).items()}

        def value(result: dict[str, float]) -> float:
            return selection_value(result, self.opts.select_metric)

        base = self.fit_options
        self.say(f"{self.family.name}: choosing the {kind} settings on {origin} ({len(dev_part)} records)")
        first = dev_score(base)
        tried: list[dict[str, Any]] = [{"setting": _setting(base), **first}]
        best, best_value = base, value(first)
        for axis in _selection_axes(self.opts, has_char, has_rare):
            current = best
            for change in axis:
                candidate = replace(current, **change)
                result = dev_score(candidate)
                tried.append({"setting": _setting(candidate), **result})
                if value(result) > best_value + 1e-4:
                    best, best_value = candidate, value(result)
        self.fit_options = best
        self.selection = {
            "on": origin,
            "dev_records": len(dev_part),
            "metric": self.opts.select_metric,
            "chosen": _setting(best),
            "tried": tried,
        }

    def _choose_shrink(self, scores: np.ndarray, trainable: np.ndarray) -> None:
        self.shrink, self.shrink_cv = choose_shrink(
            self.family,
            self.tree,
            scores,
            self.gold,
            trainable,
            self._folds(),
            self.prefer_specific,
            metric=self.opts.select_metric,
        )

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
            if self.single_label:
                kinds.append("softmax")
        else:
            kinds = [requested]
        if not any(label.surface_forms() for label in self.family.labels):
            kinds = [k for k in kinds if k in ("ovr", "softmax")] or ["ovr"]
        if "hybrid" in kinds and frequent.size == 0:
            kinds = [k for k in kinds if k != "hybrid"] or ["candidate"]
        # the n-gram classifiers of a hybrid or evidence scorer: every label with examples in a small family
        ovr_labels = everything if n_labels <= opts.ovr_max_labels or "ovr" in kinds else frequent
        uses_ngrams = {"ovr", "hybrid", "evidence"} & set(kinds)
        if opts.select and (uses_ngrams or kinds == ["softmax"]) and ovr_labels.size:
            self._select("ovr" if uses_ngrams else "softmax", ovr_labels)

        all_labels = np.ones(n_labels, dtype=bool)
        oof: dict[str, np.ndarray] = {}
        needs = {
            "candidate": {"candidate", "hybrid", "evidence"},
            "ovr": {"ovr", "hybrid", "evidence"},
            "softmax": {"softmax"},
        }
        for part in ("candidate", "ovr", "softmax"):
            if needs[part] & set(kinds) and (part != "ovr" or ovr_labels.size):
                self.say(f"{name}: cross-validating the {part} scorer ({opts.cv} folds, {len(self.batch)} records)")
                oof[part] = self._oof(part, ovr_labels if part == "ovr" else None)
        if opts.shrink == "cv":
            first = next(iter(oof))
            self._choose_shrink(oof[first], positives > 0 if first == "ovr" else all_labels)
        results: dict[str, tuple[FamilyMetrics, np.ndarray]] = {}
        if "ovr" in kinds and "ovr" in oof:
            results["ovr"] = self._evaluate(oof["ovr"], positives > 0)
        if "softmax" in kinds:
            results["softmax"] = self._evaluate(oof["softmax"], all_labels)
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
            "softmax": 1,
            "evidence-none": 2,
            "hybrid-max": 3,
            "hybrid-mean": 4,
            "evidence-mean": 5,
            "evidence-max": 6,
            "candidate": 7,
        }
        chosen = max(results, key=lambda k: (round(results[k][0].micro_f1, 6), -order[k]))
        metrics, thresholds = results[chosen]
        self.say(
            f"{name}: fitting the {chosen} scorer on all records (cross-validated micro-F1 {metrics.micro_f1:.3f})"
        )
        kind, _, how = chosen.partition("-")
        if kind == "ovr":
            scorer = self._fit("ovr", self.batch, self.gold, everything)
        elif kind == "softmax":
            scorer = self._fit("softmax", self.batch, self.gold, None)
        elif kind == "candidate":
            scorer = self._fit("candidate", self.batch, self.gold, None)
        elif kind == "hybrid":
            scorer = self._fit("hybrid", self.batch, self.gold, frequent, combine=how)
        else:
            scorer = self._fit("evidence", self.batch, self.gold, ovr_labels, combine=how)
        model = FamilyModel(self.family, scorer, thresholds, prefer_specific=self.prefer_specific)
        info: dict[str, Any] = {
            "records": len(self.batch),
            "strategy": chosen,
            "strategy_requested": requested,
            "cv_micro_f1_by_strategy": {k: round(v[0].micro_f1, 4) for k, v in results.items()},
            "cv_metrics": metrics.to_dict(),
            "labels_with_examples": int((positives > 0).sum()),
            "labels_with_classifiers": int(scorer.classifier_labels.size),
            "labels_without_examples": [self.family.labels[j].id for j in np.flatnonzero(positives == 0)][:50],
        }
        if self.single_label:
            info["single_label"] = True
            info["cv_by_strategy"] = {
                k: {"micro_f1": round(v[0].micro_f1, 4), "macro_f1": round(v[0].macro_f1, 4)}
                for k, v in results.items()
            }
        if self.selection is not None:
            info["selection"] = self.selection
        if self.shrink_cv is not None:
            key = _SHRINK_KEYS[self.opts.select_metric]
            info["shrink"] = {"chosen": self.shrink, "metric": self.opts.select_metric, key: self.shrink_cv}
        return model, info


def is_single_label(gold: np.ndarray, tree: LabelTree) -> bool:
    """Whether every record has exactly one label of the family, not counting the ancestors of its label.

    >>> from tagger import load_taxonomy
    >>> family = load_taxonomy()["event_type"]
    >>> tree = LabelTree(family)
    >>> from tagger.evaluate import gold_matrix
    >>> is_single_label(gold_matrix(family, [["airstrike"], ["protest"]]), tree)
    True
    >>> is_single_label(gold_matrix(family, [["airstrike", "protest"]]), tree)
    False
    """
    has_child = np.zeros_like(gold)
    child = np.flatnonzero(tree.parent >= 0)
    if child.size:
        parents = np.zeros((gold.shape[1], gold.shape[1]), dtype=np.int32)
        parents[child, tree.parent[child]] = 1
        has_child = (gold.astype(np.int32) @ parents) > 0
    return bool(gold.shape[0]) and bool(np.all((gold & ~has_child).sum(axis=1) == 1))


# the key of the shrinkage criterion per value tried in ``model.info`` (the mean's name predates the others)
_SHRINK_KEYS = {
    "mean": "cv_mean_micro_macro_f1",
    "micro": "cv_micro_f1",
    "macro": "cv_macro_f1",
    "example": "cv_example_f1",
}


def _setting(options: FitOptions) -> dict[str, Any]:
    return {
        "c_text": options.c_text,
        "class_weight": options.class_weight,
        "text": options.text,
        "sublinear_tf": options.sublinear_tf,
        "learner": options.learner,
    }
