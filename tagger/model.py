"""The Tagger: a taxonomy, a text vectorizer, per-family matchers and scorers; and the result it returns.

Each family has a scorer (see :mod:`tagger.scorers`: probabilities per document × label from one
:class:`~tagger.features.FeatureBatch`), per-label thresholds, and its label tree (:mod:`tagger.hierarchy`): a
tagged label brings its ancestors with it. ``tag(text, explain=True)`` adds the evidence behind every label
(:mod:`tagger.explain`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import check_float, check_int, check_text
from .features import FeatureBatch, TextVectorizer
from .gazetteer import Matcher
from .hierarchy import LabelTree
from .scorers import FamilyContext, Scorer
from .taxonomy import Family, Taxonomy

__all__ = ["DEFAULT_MAX_CHARS", "STRATEGIES", "Evidence", "FamilyModel", "LabelScore", "TagResult", "Tagger", "tag"]

STRATEGIES = (
    "auto",
    "ovr",
    "candidate",
    "hybrid",
    "evidence",
    "softmax",
)  # how a family is scored (see tagger.training)

DEFAULT_MAX_CHARS = 100_000


@dataclass(frozen=True)
class LabelScore:
    """One reported label. ``depth`` counts its ancestors (0 for a world region, 1 for a country, 2 for a
    governorate); ``parent`` is its parent's id. Neither is part of ``to_dict()``."""

    id: str
    name: str
    score: float
    depth: int = 0
    parent: str | None = None


@dataclass(frozen=True)
class Evidence:
    """One piece of text behind a label: the span ``[start, end)`` of the article, its words and sentence."""

    start: int
    end: int
    text: str
    sentence: str
    kind: str  # "mention" (a name, alias or place of the label or of a label inside it) or "ngram"
    weight: float  # how much it counts, for ordering (strongest first)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentence": self.sentence,
            "kind": self.kind,
            "weight": round(self.weight, 4),
        }


@dataclass(frozen=True)
class TagResult:
    """Labels found in one article, per family, each list sorted by score (highest first).

    ``evidence`` (only with ``tag(..., explain=True)``) maps family → label id → its :class:`Evidence`, strongest
    first.
    """

    families: Mapping[str, tuple[LabelScore, ...]]
    evidence: Mapping[str, Mapping[str, tuple[Evidence, ...]]] | None = None

    def __getitem__(self, family: str) -> tuple[LabelScore, ...]:
        return self.families[family]

    def ids(self, family: str) -> list[str]:
        """The label ids of one family, in score order."""
        return [item.id for item in self.families[family]]

    def most_specific(self, family: str) -> list[LabelScore]:
        """The family's labels that no other reported label lies inside, in score order: ``iq-nineveh`` without
        ``iq`` and ``middle-east``, which it implies."""
        parents = {item.parent for item in self.families[family]}
        return [item for item in self.families[family] if item.id not in parents]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """``{"region": [{"id": "sy", "name": "Syria", "score": 0.97}, …], "actor": […], "event_type": […]}``.

        With evidence (``explain=True``) each label also carries ``"evidence": [{"start", "end", "text",
        "sentence", "kind", "weight"}, …]``.
        """
        out: dict[str, list[dict[str, Any]]] = {}
        for family, items in self.families.items():
            rows = []
            for item in items:
                row: dict[str, Any] = {"id": item.id, "name": item.name, "score": round(item.score, 4)}
                if self.evidence is not None:
                    row["evidence"] = [e.to_dict() for e in self.evidence.get(family, {}).get(item.id, ())]
                rows.append(row)
            out[family] = rows
        return out


@dataclass
class FamilyModel:
    """A family's scorer with its per-label thresholds and the decision rule through its label tree."""

    family: Family
    scorer: Scorer
    thresholds: np.ndarray  # (n_labels,) float32; > 1 means "never reported on its own"
    prefer_specific: bool = False  # a parent passing alone hands the decision to its best child with evidence
    tree: LabelTree = field(init=False, repr=False)
    context: FamilyContext = field(init=False, repr=False)
    label_scores: list[Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tree = LabelTree(self.family)
        self.context = FamilyContext(self.family.name, len(self.family), self.tree.ancestors)
        labels, depth, parent = self.family.labels, self.tree.depth, self.tree.parent
        # per label, its LabelScore given a score (id, name, depth and parent are fixed)
        self.label_scores = [
            functools.partial(
                LabelScore,
                label.id,
                label.name,
                depth=int(depth[j]),
                parent=labels[int(parent[j])].id if parent[j] >= 0 else None,
            )
            for j, label in enumerate(labels)
        ]

    @property
    def ancestors(self) -> list[list[int]]:
        return self.tree.ancestors

    def raw_scores(self, batch: FeatureBatch) -> np.ndarray:
        return self.scorer.scores(batch, self.context)

    def decide(self, scores: np.ndarray, threshold: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Apply thresholds and the hierarchy: a tagged label tags its ancestors with at least its score.

        ``threshold`` replaces every label's own cut-off (labels never reported on their own stay so).
        """
        thresholds = self.thresholds
        if threshold is not None:
            thresholds = np.where(thresholds > 1.0, thresholds, np.float32(threshold)).astype(np.float32)
        return self.tree.decide(scores, thresholds, prefer_specific=self.prefer_specific)


class Tagger:
    """Tags articles with the labels of every family of its taxonomy.

    Build one with :func:`tagger.train` or :meth:`Tagger.load`; it is read-only once built and safe to share
    between threads.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        vectorizer: TextVectorizer,
        matchers: Mapping[str, Matcher],
        families: Mapping[str, FamilyModel],
        info: Mapping[str, Any] | None = None,
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
    ):
        self.taxonomy = taxonomy
        self.vectorizer = vectorizer
        self.families = dict(families)
        self.matchers = {name: matchers[name] for name in self.families}
        self.info: dict[str, Any] = dict(info or {})
        self.max_chars = check_int(max_chars, "max_chars", "Tagger", low=1)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{name}: {len(model.family)} labels ({model.scorer.kind})" for name, model in self.families.items()
        )
        return f"<Tagger {parts}>"

    # --- tagging ---------------------------------------------------------------------------------------------------

    def _prepare(self, text: Any) -> str:
        text = check_text(text, "Tagger.tag")
        if len(text) > self.max_chars:
            text = text[: self.max_chars]
        # lone surrogates cannot be hashed (they are not encodable); replace them rather than fail
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
        return text

    def features(self, texts: Sequence[str]) -> FeatureBatch:
        """The feature batch of ``texts`` (computed lazily, as the family scorers ask for them)."""
        return FeatureBatch(
            [self._prepare(text) for text in texts],
            self.matchers,
            self.vectorizer,
            place_families=self.place_families,
        )

    @property
    def place_families(self) -> tuple[str, ...]:
        """Families whose matches are place names (they have a gazetteer): delexicalised in the n-grams."""
        return tuple(name for name, family in self.taxonomy.families.items() if family.gazetteer_path is not None)

    def predict_scores(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw probabilities per family, as arrays of shape (len(texts), n_labels), before thresholds."""
        return self._scores(self.features(texts))

    def _scores(self, batch: FeatureBatch) -> dict[str, np.ndarray]:
        return {name: model.raw_scores(batch) for name, model in self.families.items()}

    def _results(
        self, texts: Sequence[str], *, explain: bool = False, top_k: int | None = None, threshold: float | None = None
    ) -> list[TagResult]:
        with _collector_paused():
            return self._results_of(texts, explain=explain, top_k=top_k, threshold=threshold)

    def _results_of(
        self, texts: Sequence[str], *, explain: bool, top_k: int | None, threshold: float | None
    ) -> list[TagResult]:
        n = len(texts)
        if n == 0:
            return []
        empty = [not text.strip() for text in texts]
        batch = self.features(texts)
        raw = self._scores(batch)
        per_doc: list[dict[str, tuple[LabelScore, ...]]] = [{} for _ in range(n)]
        for name, model in self.families.items():
            selected, effective = model.decide(raw[name], threshold)
            selected[np.asarray(empty, dtype=bool)] = False
            # every reported label at once, ordered by document, then score (highest first), then label index
            docs, labels = np.nonzero(selected)
            scores = effective[docs, labels]
            order = np.lexsort((labels, -scores, docs))
            bounds = np.searchsorted(docs[order], np.arange(n + 1)).tolist()
            labels_in_order, scores_in_order = labels[order].tolist(), scores[order].tolist()
            make = model.label_scores
            for i in range(n):
                a, b = bounds[i], bounds[i + 1]
                if top_k is not None:
                    b = min(b, a + top_k)
                per_doc[i][name] = tuple(
                    make[j](v) for j, v in zip(labels_in_order[a:b], scores_in_order[a:b], strict=True)
                )
        if not explain:
            return [TagResult(families) for families in per_doc]
        from .explain import explain_batch

        evidence = explain_batch(self, batch, per_doc)
        return [TagResult(families, found) for families, found in zip(per_doc, evidence, strict=True)]

    def tag(
        self, text: str, *, explain: bool = False, top_k: int | None = None, threshold: float | None = None
    ) -> TagResult:
        """Tag one article. ``tag("")`` gives empty families; a non-str raises TypeError.

        With ``explain=True`` each label comes with its evidence: the spans of text and the sentence behind it.
        ``top_k`` keeps at most that many labels per family; ``threshold`` (in [0, 1]) replaces the model's
        per-label cut-offs.
        """
        check_text(text, "Tagger.tag")
        options = _cutoffs(top_k, threshold, "Tagger.tag")
        return self._results([text], explain=explain, **options)[0]

    def tag_many(
        self,
        texts: Iterable[str],
        *,
        batch_size: int = 256,
        explain: bool = False,
        top_k: int | None = None,
        threshold: float | None = None,
    ) -> Iterator[TagResult]:
        """Tag many articles lazily, in vectorised batches; accepts any iterable of str, including a generator.

        A single ``str`` is refused (TypeError): iterating it would tag each character. ``top_k`` and ``threshold``
        are as in :meth:`tag`.
        """
        if isinstance(texts, (str, bytes)):
            raise TypeError(
                f"Tagger.tag_many() expects an iterable of texts, got a single {type(texts).__name__}; "
                "use Tagger.tag(text) for one article or pass [text]."
            )
        batch_size = check_int(batch_size, "batch_size", "Tagger.tag_many", low=1)
        options = _cutoffs(top_k, threshold, "Tagger.tag_many")
        return self._tag_many(texts, batch_size, explain, options)

    def _tag_many(
        self, texts: Iterable[str], batch_size: int, explain: bool, options: dict[str, Any]
    ) -> Iterator[TagResult]:
        batch: list[str] = []
        for text in texts:
            batch.append(check_text(text, "Tagger.tag_many"))
            if len(batch) >= batch_size:
                yield from self._results(batch, explain=explain, **options)
                batch = []
        if batch:
            yield from self._results(batch, explain=explain, **options)

    # --- persistence -----------------------------------------------------------------------------------------------

    def save(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write the model folder atomically (see :mod:`tagger.persist`); returns its path."""
        from .persist import save_model

        return save_model(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | Path, *, taxonomy: Taxonomy | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> Tagger:
        """Load a model folder. With ``taxonomy``, refuse a model trained on a different one."""
        from .persist import load_model

        return load_model(path, taxonomy=taxonomy, max_chars=max_chars)

    @property
    def thresholds(self) -> dict[str, dict[str, float]]:
        """Per family, each label's decision threshold (labels that are never reported on their own are left out)."""
        return {
            name: {
                label.id: float(t)
                for label, t in zip(model.family.labels, model.thresholds, strict=True)
                if math.isfinite(float(t)) and t <= 1.0
            }
            for name, model in self.families.items()
        }


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is tagged, and restore it as it was.

    A batch allocates tens of thousands of short-lived containers (token lists, mentions, results) that reference
    counting frees and that form no cycles; the collector's passes over them cost ~7% of tagging. Only a collector
    this call paused is resumed (a caller's ``gc.disable()`` stays in force).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cutoffs(top_k: int | None, threshold: float | None, owner: str) -> dict[str, Any]:
    return {
        "top_k": None if top_k is None else check_int(top_k, "top_k", owner, low=1),
        "threshold": None if threshold is None else check_float(threshold, "threshold", owner, low=0.0, high=1.0),
    }


_default: Tagger | None = None
_default_lock = threading.Lock()


def default_tagger() -> Tagger:
    """The default model shipped in ``models/default``, loaded once (thread-safe) on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from ._resources import default_model_path
                from .errors import ModelNotFoundError

                path = default_model_path()
                if not (path / "manifest.json").is_file():
                    raise ModelNotFoundError(
                        f"No default model at {path}. Build it with `python scripts/build_default_model.py` in a source "
                        "checkout, or load your own with Tagger.load(PATH)."
                    )
                _default = Tagger.load(path)
    return _default


def tag(text: str, *, explain: bool = False, top_k: int | None = None, threshold: float | None = None) -> TagResult:
    """Tag one article with the default model (loaded on first use). ``tag("")`` gives empty families."""
    check_text(text, "tag")
    return default_tagger().tag(text, explain=explain, top_k=top_k, threshold=threshold)
