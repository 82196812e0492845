"""Active learning: which unlabelled records to label next, by uncertainty with a diversity rule.

A record is uncertain where a label's score sits near that label's threshold: its uncertainty is
``1 - min |score - threshold|`` over the labels (of one family, or of every family). Taking the most uncertain
records straight would give near-duplicates, so the batch is filled greedily from the most uncertain down, skipping a
record whose n-gram vector has cosine similarity above ``max_similarity`` with one already chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ._validation import check_float, check_int
from .errors import ParameterError

__all__ = ["suggest", "uncertainty"]


def uncertainty(tagger: Any, texts: Sequence[str], family: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Per text, ``1 - distance`` of the nearest label score to its threshold, and the (family, label) it was."""
    names = [family] if family is not None else list(tagger.families)
    raw = tagger.predict_scores(list(texts))
    best = np.full(len(texts), np.inf)
    which = [""] * len(texts)
    for name in names:
        model = tagger.families[name]
        thresholds = model.thresholds
        reported = thresholds <= 1.0  # labels never reported on their own carry no decision
        if not reported.any():
            continue
        distance = np.abs(raw[name][:, reported] - thresholds[reported][None, :])
        nearest = distance.argmin(axis=1)
        value = distance[np.arange(len(texts)), nearest]
        ids = [label.id for label, keep in zip(model.family.labels, reported, strict=True) if keep]
        for i in np.flatnonzero(value < best):
            best[i] = value[i]
            which[i] = f"{name}:{ids[nearest[i]]}"
    best[~np.isfinite(best)] = 1.0
    return (1.0 - best).astype(np.float64), which


def suggest(
    tagger: Any,
    records: Iterable[Any],
    *,
    n: int = 200,
    family: str | None = None,
    max_similarity: float = 0.8,
    strategy: str = "uncertainty",
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The ``n`` records to label next: ``[{"id", "text", "uncertainty", "nearest"}, …]``, most uncertain first.

    ``records``: objects with ``.text`` (and ``.id``) or plain strings. ``strategy="random"`` draws uniformly (the
    baseline of the learning curves in the benchmark report).
    """
    n = check_int(n, "n", "suggest", low=1)
    max_similarity = check_float(max_similarity, "max_similarity", "suggest", low=0.0, high=1.0)
    if strategy not in ("uncertainty", "random"):
        raise ParameterError(
            f"The 'strategy' parameter of suggest must be 'uncertainty' or 'random'. Got {strategy!r}."
        )
    if family is not None and family not in tagger.families:
        raise ParameterError(
            f"The 'family' parameter of suggest must be one of the model's families "
            f"({', '.join(tagger.families)}). Got {family!r} instead."
        )
    pool = [r if hasattr(r, "text") else _Text(str(r)) for r in records]
    texts = [r.text for r in pool]
    if not texts:
        return []
    if strategy == "random":
        order = np.random.default_rng(seed).permutation(len(texts))[:n]
        return [{"id": getattr(pool[i], "id", None), "text": texts[i]} for i in order]
    score, nearest = uncertainty(tagger, texts, family)
    order = np.argsort(-score, kind="stable")
    vectors = tagger.features(texts).ngrams.tocsr()
    chosen: list[int] = []
    picked = None
    for i in order:
        if len(chosen) >= n:
            break
        row = vectors[int(i)]
        if picked is not None and row.nnz and (picked @ row.T).toarray().max(initial=0.0) > max_similarity:
            continue
        chosen.append(int(i))
        picked = row if picked is None else _stack(picked, row)
    if len(chosen) < n:  # the pool is too uniform for the rule: fill with the next most uncertain
        rest = [int(i) for i in order if int(i) not in set(chosen)]
        chosen.extend(rest[: n - len(chosen)])
    return [
        {
            "id": getattr(pool[i], "id", None),
            "text": texts[i],
            "uncertainty": round(float(score[i]), 4),
            "nearest": nearest[i],
        }
        for i in chosen
    ]


class _Text:
    def __init__(self, text: str):
        self.text = text
        self.id = None


def _stack(a: Any, b: Any) -> Any:
    import scipy.sparse as sp

    return sp.vstack([a, b], format="csr")
