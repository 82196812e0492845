"""Where the shipped taxonomy, gazetteer and default model live, whatever the current directory is.

An installed wheel carries ``labels.yaml`` and ``models/`` inside the package as ``tagger/_data/``; a source checkout
(or an editable install) has them at the repository root. Both are found relative to this file, never to the
working directory.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["default_labels_path", "default_model_path", "default_gazetteer_path"]

_PACKAGE = Path(__file__).resolve().parent
_ROOTS = (_PACKAGE / "_data", _PACKAGE.parent)


def _find(relative: str) -> Path:
    for root in _ROOTS:
        candidate = root / relative
        if candidate.exists():
            return candidate
    return _ROOTS[-1] / relative


def default_labels_path() -> Path:
    """The default taxonomy file shipped with tagger."""
    return _find("labels.yaml")


def default_model_path() -> Path:
    """The folder of the default model shipped with tagger (it may be absent in a bare checkout)."""
    return _find("models/default")


def default_gazetteer_path() -> Path:
    """The GeoNames-derived place-name table that ``gazetteer: default`` in a taxonomy refers to."""
    return _PACKAGE / "resources" / "gazetteer.tsv"
