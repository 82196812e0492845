"""tagger — tag news articles by region, actor and event type with small, trainable classifiers.

>>> from tagger import Tagger, load_taxonomy
>>> sorted(load_taxonomy())
['actor', 'event_type', 'region']
"""

from __future__ import annotations

from ._version import __version__
from .errors import DataError, ModelError, ModelNotFoundError, ParameterError, TaggerError, TaxonomyError, TrainingError
from .evaluate import evaluate  # eager: a lazy ``evaluate`` could be shadowed by its module ``tagger.evaluate``
from .model import LabelScore, Tagger, TagResult, tag
from .taxonomy import Taxonomy, load_taxonomy

# names loaded on first use, so that ``import tagger; tagger.tag(...)`` imports only the tagging path: training
# needs scikit-learn (about a second to import); the readers and metrics are not needed to tag
_LAZY = {"train": ".training", "read_records": ".readers", "Record": ".readers"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        # the module of ``train`` is ``training``, so ``tagger.train`` stays a function
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tagger' has no attribute {name!r}")


__all__ = [
    "DataError",
    "LabelScore",
    "ModelError",
    "ModelNotFoundError",
    "ParameterError",
    "Record",
    "TagResult",
    "Tagger",
    "TaggerError",
    "Taxonomy",
    "TaxonomyError",
    "TrainingError",
    "__version__",
    "evaluate",
    "load_taxonomy",
    "read_records",
    "tag",
    "train",
]
