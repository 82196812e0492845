"""The Tagger: a taxonomy, a text vectorizer, per-family matchers and scorers; and the result it returns.

Two kinds of family scorer share one interface (probabilities per document × label):

- :class:`OvrScorer` — one linear classifier per label over n-gram TF-IDF plus alias evidence. Right for small
  families with enough examples per label (event types).
- :class:`CandidateScorer` — one shared linear model scores each label the matcher found in the article from its
  mention features (count, position, headline/dateline, surrounding words, the label's prior). Right for large
  families with few examples per label (regions: ~270 ids).

Per-label thresholds decide what is reported; a tagged label brings its ancestors with it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import check_int, check_text
from .features import Document, TextVectorizer, alias_features, analyse, candidate_rows
from .gazetteer import Matcher
from .taxonomy import Family, Taxonomy

__all__ = [
    "COMBINE",
    "DEFAULT_MAX_CHARS",
    "CandidateScorer",
    "HybridScorer",
    "LabelScore",
    "OvrScorer",
    "TagResult",
    "Tagger",
    "combine_scores",
    "quantize",
]

DEFAULT_MAX_CHARS = 100_000


@dataclass(frozen=True)
class LabelScore:
    id: str
    name: str
    score: float


@dataclass(frozen=True)
class TagResult:
    """Labels found in one article, per family, each list sorted by score (highest first)."""

    families: Mapping[str, tuple[LabelScore, ...]]

    def __getitem__(self, family: str) -> tuple[LabelScore, ...]:
        return self.families[family]

    def ids(self, family: str) -> list[str]:
        """The label ids of one family, in score order."""
        return [item.id for item in self.families[family]]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """``{"region": [{"id": "sy", "name": "Syria", "score": 0.97}, …], "actor": […], "event_type": […]}``."""
        return {
            family: [{"id": item.id, "name": item.name, "score": round(item.score, 4)} for item in items]
            for family, items in self.families.items()
        }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)


@dataclass
class OvrScorer:
    """One logistic regression per trained label over ``[text TF-IDF | alias evidence]``; other labels score 0.

    Only labels with training examples have columns (``labels`` holds their indices in the family), which keeps
    a family of hundreds of mostly unseen labels small.
    """

    kind = "ovr"
    labels: np.ndarray  # (k,) int64, indices of the trained labels in the family
    w_text: np.ndarray  # (n_text_features, k) float32
    w_alias: np.ndarray  # (n_labels * len(ALIAS_FEATURES), k) float32
    bias: np.ndarray  # (k,) float32
    n_labels: int

    def scores(self, text_x: sp.csr_matrix, alias_x: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((text_x.shape[0], self.n_labels), dtype=np.float32)
        if self.labels.size:
            z = np.asarray(text_x @ self.w_text) + np.asarray(alias_x @ self.w_alias) + self.bias
            out[:, self.labels] = _sigmoid(z)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        # weights are float16-exact (see quantize), so storing them as float16 loses nothing
        return {
            "labels": self.labels,
            "w_text": self.w_text.astype(np.float16),
            "w_alias": self.w_alias.astype(np.float16),
            "bias": self.bias,
        }


def quantize(weights: np.ndarray) -> np.ndarray:
    """Round weights to float16 precision (kept as float32): halves the model on disk, scores unchanged by saving."""
    return np.ascontiguousarray(weights.astype(np.float16).astype(np.float32))


@dataclass
class CandidateScorer:
    """A shared logistic model over candidate rows; labels that are not candidates score 0."""

    kind = "candidate"
    coef: np.ndarray  # (n_candidate_features,) float32
    bias: np.ndarray  # (1,) float32
    label_prior: np.ndarray  # (n_labels,) float32

    def scores(self, docs: Sequence[Document], family: str, ancestors: Sequence[Sequence[int]]) -> np.ndarray:
        n_labels = self.label_prior.shape[0]
        out = np.zeros((len(docs), n_labels), dtype=np.float32)
        rows, doc_idx, label_idx = candidate_rows(docs, family, ancestors, self.label_prior)
        if rows.shape[0]:
            out[doc_idx, label_idx] = _sigmoid(np.asarray(rows @ self.coef).ravel() + self.bias[0])
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return {"coef": self.coef, "bias": self.bias, "label_prior": self.label_prior}


COMBINE = ("max", "mean")
STRATEGIES = ("auto", "ovr", "candidate", "hybrid")  # how a family is scored (see tagger.training)


@dataclass
class HybridScorer:
    """The candidate scorer for every label, plus per-label n-gram classifiers where labels have many examples.

    For a label with both, the scores are combined (``max`` or ``mean``, chosen by cross-validation); a label
    with a classifier is found even when the matcher proposes nothing (an article about Syria that names no place).
    """

    kind = "hybrid"
    candidate: CandidateScorer
    ovr: OvrScorer
    combine: str

    def scores(
        self,
        docs: Sequence[Document],
        family: str,
        ancestors: Sequence[Sequence[int]],
        text_x: sp.csr_matrix,
        alias_x: sp.csr_matrix,
    ) -> np.ndarray:
        return combine_scores(
            self.candidate.scores(docs, family, ancestors),
            self.ovr.scores(text_x, alias_x),
            self.ovr.labels,
            self.combine,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        arrays = {f"candidate_{k}": v for k, v in self.candidate.arrays().items()}
        arrays.update({f"ovr_{k}": v for k, v in self.ovr.arrays().items()})
        return arrays


def combine_scores(candidate: np.ndarray, ovr: np.ndarray, labels: np.ndarray, how: str) -> np.ndarray:
    """Candidate scores with the classifier scores of ``labels`` folded in by ``how`` (max or mean)."""
    out = candidate.copy()
    if how == "max":
        out[:, labels] = np.maximum(candidate[:, labels], ovr[:, labels])
    else:
        out[:, labels] = (candidate[:, labels] + ovr[:, labels]) / np.float32(2.0)
    return out


Scorer = OvrScorer | CandidateScorer | HybridScorer


def label_ancestors(family: Family) -> list[list[int]]:
    """Per label (by index), the indices of its ancestors, nearest first."""
    return [[family.index(a) for a in family.ancestors(label.id)] for label in family.labels]


def hierarchy_edges(ancestors: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(child, ancestor) index pairs, deepest children first, for propagating decisions up the hierarchy."""
    children, parents = [], []
    for child in sorted(range(len(ancestors)), key=lambda i: -len(ancestors[i])):
        for ancestor in ancestors[child]:
            children.append(child)
            parents.append(ancestor)
    return np.asarray(children, dtype=np.int64), np.asarray(parents, dtype=np.int64)


def decide(
    scores: np.ndarray, thresholds: np.ndarray, edges: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Apply thresholds and the hierarchy: a tagged label tags its ancestors with at least its score."""
    selected = scores >= thresholds
    effective = scores.copy()
    for child, parent in zip(*edges, strict=True):
        chosen = selected[:, child]
        if chosen.any():
            selected[:, parent] |= chosen
            effective[:, parent] = np.where(
                chosen, np.maximum(effective[:, parent], effective[:, child]), effective[:, parent]
            )
    return selected, effective


@dataclass
class FamilyModel:
    """A family's scorer with its per-label thresholds."""

    family: Family
    scorer: Scorer
    thresholds: np.ndarray  # (n_labels,) float32; > 1 means "never reported on its own"
    ancestors: list[list[int]] = field(init=False)
    _edges: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.ancestors = label_ancestors(self.family)
        self._edges = hierarchy_edges(self.ancestors)

    def raw_scores(self, docs: Sequence[Document], text_x: sp.csr_matrix | None) -> np.ndarray:
        scorer, name = self.scorer, self.family.name
        if isinstance(scorer, CandidateScorer):
            return scorer.scores(docs, name, self.ancestors)
        alias_x = alias_features(docs, name, self.ancestors)
        if isinstance(scorer, OvrScorer):
            return scorer.scores(text_x, alias_x)
        return scorer.scores(docs, name, self.ancestors, text_x, alias_x)

    def decide(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Apply thresholds and the hierarchy: a tagged label tags its ancestors with at least its score."""
        return decide(scores, self.thresholds, self._edges)


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

    def predict_scores(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw probabilities per family, as arrays of shape (len(texts), n_labels), before thresholds."""
        clean = [self._prepare(text) for text in texts]
        docs = [analyse(text, self.matchers) for text in clean]
        needs_text = any(not isinstance(m.scorer, CandidateScorer) for m in self.families.values())
        text_x = self.vectorizer.transform(clean) if needs_text and clean else None
        return {name: model.raw_scores(docs, text_x) for name, model in self.families.items()}

    def _results(self, texts: Sequence[str]) -> list[TagResult]:
        n = len(texts)
        if n == 0:
            return []
        empty = [not text.strip() for text in texts]
        raw = self.predict_scores(texts)
        per_doc: list[dict[str, tuple[LabelScore, ...]]] = [{} for _ in range(n)]
        for name, model in self.families.items():
            selected, effective = model.decide(raw[name])
            labels = model.family.labels
            for i in range(n):
                if empty[i]:
                    per_doc[i][name] = ()
                    continue
                chosen = np.flatnonzero(selected[i])
                order = sorted(chosen, key=lambda j: (-float(effective[i, j]), j))
                per_doc[i][name] = tuple(
                    LabelScore(labels[j].id, labels[j].name, float(effective[i, j])) for j in order
                )
        return [TagResult(families) for families in per_doc]

    def tag(self, text: str) -> TagResult:
        """Tag one article. ``tag("")`` gives empty families; a non-str raises TypeError."""
        check_text(text, "Tagger.tag")
        return self._results([text])[0]

    def tag_many(self, texts: Iterable[str], *, batch_size: int = 256) -> Iterator[TagResult]:
        """Tag many articles lazily, in vectorised batches; accepts any iterable, including a generator."""
        batch_size = check_int(batch_size, "batch_size", "Tagger.tag_many", low=1)
        batch: list[str] = []
        for text in texts:
            batch.append(check_text(text, "Tagger.tag_many"))
            if len(batch) >= batch_size:
                yield from self._results(batch)
                batch = []
        if batch:
            yield from self._results(batch)

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


def tag(text: str) -> TagResult:
    """Tag one article with the default model (loaded on first use). ``tag("")`` gives empty families."""
    check_text(text, "tag")
    return default_tagger().tag(text)
