"""Tag beyond one machine with Dask: a bag of texts/records, or a dataframe column (``pip install 'tagger[dask]'``).

Each Dask worker process loads the model once (cached per path) and tags whole partitions with vectorised
batches. With no scheduler address, :func:`local_client` starts a ``LocalCluster`` on this machine.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..model import Tagger
from .common import resolve_model

__all__ = ["local_client", "require_dask", "tag_bag", "tag_dataframe"]

INSTALL_HINT = "the Dask engine needs Dask: pip install 'tagger[dask]'"


def require_dask() -> Any:
    """Import dask or raise ImportError with the install command."""
    try:
        import dask
        import dask.bag
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return dask


@functools.lru_cache(maxsize=4)
def _worker_model(path: str | None) -> Tagger:
    """The model of this worker process, loaded once per path."""
    return resolve_model(path)


def _tag_partition(items: Iterable[Any], path: str | None, batch_size: int) -> list[dict[str, Any]]:
    items = list(items)
    texts = [item["text"] if isinstance(item, dict) else item for item in items]
    results = _worker_model(path).tag_many(texts, batch_size=batch_size)
    out = []
    for item, result in zip(items, results, strict=True):
        row = {"id": item["id"]} if isinstance(item, dict) and item.get("id") is not None else {}
        row.update(result.to_dict())
        out.append(row)
    return out


def tag_bag(bag: Any, *, model: str | Path | None = None, batch_size: int = 256) -> Any:
    """Map a ``dask.bag`` of texts (or of dicts with ``text`` and optional ``id``) to a bag of result dicts."""
    require_dask()
    path = None if model is None else str(model)
    return bag.map_partitions(_tag_partition, path, batch_size)


def _tag_frame_partition(frame: Any, column: str, path: str | None, families: list[str], scores: bool) -> Any:
    from .frames import tag_frame

    return tag_frame(frame, column, tagger=_worker_model(path), scores=scores)


def tag_dataframe(ddf: Any, column: str, *, model: str | Path | None = None, scores: bool = False) -> Any:
    """Add one column per family (lists of ids; with ``scores``, ``<family>_scores`` too) to a dask dataframe."""
    require_dask()
    import pandas as pd

    path = None if model is None else str(model)
    tagger = _worker_model(path)
    families = list(tagger.families)
    meta = ddf._meta.copy()
    for family in families:
        meta[family] = pd.Series(dtype=object)
        if scores:
            meta[f"{family}_scores"] = pd.Series(dtype=object)
    return ddf.map_partitions(_tag_frame_partition, column, path, families, scores, meta=meta)


def local_client(n_workers: int, scheduler: str | None = None, *, timeout: float = 10.0) -> Any:
    """A ``dask.distributed`` client: to ``scheduler`` when given, else to a new LocalCluster of ``n_workers``.

    An unreachable scheduler is a :class:`~tagger.errors.ParameterError` after ``timeout`` seconds.
    """
    require_dask()
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    if scheduler:
        try:
            return Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParameterError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({type(exc).__name__}: {exc}); check the address "
                "(tcp://HOST:PORT) and that the scheduler runs, or leave out --scheduler to start a local cluster."
            ) from None
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)
