"""Tag a pandas DataFrame column: one column of id lists per family, optionally scores."""

from __future__ import annotations

from typing import Any

from ..model import Tagger
from .common import resolve_model

__all__ = ["tag_frame"]


def tag_frame(
    df: Any, text_column: str, *, tagger: Tagger | None = None, scores: bool = False, batch_size: int = 256
) -> Any:
    """Return a copy of ``df`` with one column per family (lists of ids, in score order) and, with ``scores``,
    a ``<family>_scores`` column of the matching score lists.

    >>> import pandas as pd  # doctest: +SKIP
    >>> tag_frame(pd.DataFrame({"text": ["Clashes near Mosul"]}), "text")["region"][0]  # doctest: +SKIP
    ['iq-nineveh', 'iq', 'middle-east']
    """
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} in the frame (columns: {list(df.columns)})")
    tagger = resolve_model(tagger)
    results = list(tagger.tag_many(df[text_column].tolist(), batch_size=batch_size))
    out = df.copy()
    for family in tagger.families:
        out[family] = [[item.id for item in result[family]] for result in results]
        if scores:
            out[f"{family}_scores"] = [[item.score for item in result[family]] for result in results]
    return out
