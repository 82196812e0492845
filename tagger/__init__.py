"""tagger — tag news articles by region, actor and event type with small, trainable classifiers.

>>> from tagger import Tagger, load_taxonomy
>>> sorted(load_taxonomy())
['actor', 'event_type', 'region']
"""

from __future__ import annotations

from ._version import __version__
from .errors import DataError, ModelError, ModelNotFoundError, ParameterError, TaggerError, TaxonomyError, TrainingError
from .evaluate import evaluate
from .model import LabelScore, Tagger, TagResult, tag
from .readers import Record, read_records
from .taxonomy import Taxonomy, load_taxonomy


def __getattr__(name: str):
    # training needs scikit-learn, which takes about a second to import: load it only when asked for
    if name == "train":
        from .training import train as function  # the module is ``training``, so ``tagger.train`` stays a function

        globals()["train"] = function
        return function
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
