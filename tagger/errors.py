"""Every error tagger raises on purpose, in one place.

Each subclasses a built-in (``ValueError`` or ``FileNotFoundError``) so callers that already catch those keep
working, and each message says what is wrong, where (file, line, id) and, when it helps, what to do.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DataError",
    "ModelError",
    "ModelNotFoundError",
    "ParameterError",
    "TaggerError",
    "TaxonomyError",
    "TrainingError",
    "where",
]


def where(path: str | Path | None, line: int | None = None) -> str:
    """Format a location as ``file:line`` for messages (``<input>`` when the source has no name)."""
    name = str(path) if path is not None else "<input>"
    return f"{name}:{line}" if line is not None else name


class TaggerError(Exception):
    """Base class of all errors raised by tagger."""


class TaxonomyError(TaggerError, ValueError):
    """A taxonomy file (``labels.yaml``) is malformed or inconsistent."""


class DataError(TaggerError, ValueError):
    """A labelled-data file has a bad record: malformed line, missing text, unknown label id …"""


class ParameterError(TaggerError, ValueError):
    """An option passed to a tagger function is out of range or of the wrong kind."""


class TrainingError(TaggerError, ValueError):
    """The training data cannot produce a model (no records, no positive examples, …)."""


class ModelError(TaggerError, ValueError):
    """A saved model folder cannot be loaded: wrong format version, missing or corrupt files, taxonomy mismatch."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """No model exists at the given path (or no default model is installed)."""
