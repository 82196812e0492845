"""What every batch engine shares: how many workers by default, and how a ``model`` argument becomes a Tagger."""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Tagger, default_tagger

__all__ = ["ModelArg", "default_jobs", "model_families", "resolve_model"]

ModelArg = str | Path | Tagger | None


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve_model(model: ModelArg, *, max_chars: int | None = None) -> Tagger:
    """A loaded :class:`Tagger` for ``model``: itself, the default model (``None``) or the folder at a path.

    ``max_chars`` overrides the model's own limit when loading from a path (``None`` keeps the default).
    """
    if isinstance(model, Tagger):
        return model
    if model is None:
        tagger = default_tagger()
        return tagger if max_chars is None or max_chars == tagger.max_chars else _with_max_chars(tagger, max_chars)
    if not isinstance(model, (str, Path)):
        raise TypeError(f"model must be a path, a Tagger or None, got {type(model).__name__}.")
    return Tagger.load(model) if max_chars is None else Tagger.load(model, max_chars=max_chars)


def _with_max_chars(tagger: Tagger, max_chars: int) -> Tagger:
    return Tagger(
        tagger.taxonomy, tagger.vectorizer, tagger.matchers, tagger.families, tagger.info, max_chars=max_chars
    )


def model_families(model: ModelArg) -> tuple[str, ...]:
    """The family names of ``model`` from its manifest alone (no weights loaded): what a process that only reads
    and writes records needs while worker processes load the model."""
    if isinstance(model, Tagger):
        return tuple(model.families)
    from ..errors import ModelError
    from ..persist import MANIFEST, read_manifest

    if model is None:
        from .._resources import default_model_path

        path = default_model_path()
        if not (path / MANIFEST).is_file():
            return tuple(default_tagger().families)  # raises the default model's own error
    elif isinstance(model, (str, Path)):
        path = Path(model)
    else:
        raise TypeError(f"model must be a path, a Tagger or None, got {type(model).__name__}.")
    families = read_manifest(path).get("families")
    if not isinstance(families, dict) or not families:
        raise ModelError(f"{path / MANIFEST}: 'families' is missing or empty.")
    return tuple(families)
