"""Tag record streams of any size: batches, bounded memory, worker processes, order kept.

:func:`tag_stream` reads records lazily, tags them in batches (in this process, or in ``jobs`` worker processes
that each load the model once) and yields one output dict per record in input order. At most ``2 × jobs`` batches
are in flight, so memory stays flat whatever the input size. When the input has a bad record, every record read
before it is still yielded before the error is raised.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ._validation import check_int
from .model import Tagger, default_tagger
from .readers import Record

__all__ = ["default_jobs", "output_row", "tag_stream"]


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def output_row(record: Record, result: dict[str, Any], keep: Sequence[str]) -> dict[str, Any]:
    """The ``to_dict`` shape, preceded by the record's ``id`` and the passthrough fields asked for."""
    row: dict[str, Any] = {}
    if record.id is not None:
        row["id"] = record.id
    for name in keep:
        if name in record.extra:
            row[name] = record.extra[name]
    row.update(result)
    return row


# --- worker processes: each loads the model once --------------------------------------------------------------------

_worker_tagger: Tagger | None = None


def _init_worker(model_path: str | None, max_chars: int) -> None:
    global _worker_tagger
    _worker_tagger = default_tagger() if model_path is None else Tagger.load(model_path, max_chars=max_chars)


def _tag_texts(texts: list[str], explain: bool = False) -> list[dict[str, Any]]:
    assert _worker_tagger is not None, "worker not initialised"
    results = _worker_tagger.tag_many(texts, batch_size=len(texts) or 1, explain=explain)
    return [result.to_dict() for result in results]


def _batches(records: Iterable[Record], size: int) -> Iterator[tuple[list[Record], BaseException | None]]:
    """Group records into lists of ``size``; a read error ends the stream after the records read before it."""
    batch: list[Record] = []
    iterator = iter(records)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            break
        except Exception as error:
            yield batch, error
            return
        batch.append(record)
        if len(batch) >= size:
            yield batch, None
            batch = []
    if batch:
        yield batch, None


def tag_stream(
    records: Iterable[Record],
    *,
    model: str | Path | Tagger | None = None,
    jobs: int = 1,
    batch_size: int = 256,
    keep: Sequence[str] = (),
    explain: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield one output dict per record, in input order.

    ``model`` is a model folder, a loaded :class:`Tagger` (used in this process only: pass a path to use
    ``jobs`` > 1), or ``None`` for the default model. ``keep`` names record fields copied to the output;
    ``explain`` adds each label's evidence.
    """
    jobs = check_int(jobs, "jobs", "tag_stream", low=1)
    batch_size = check_int(batch_size, "batch_size", "tag_stream", low=1)
    if isinstance(model, Tagger) or jobs == 1:
        tagger = model if isinstance(model, Tagger) else (default_tagger() if model is None else Tagger.load(model))
        for batch, error in _batches(records, batch_size):
            results = tagger.tag_many([r.text for r in batch], batch_size=batch_size, explain=explain)
            for record, result in zip(batch, results, strict=True):
                yield output_row(record, result.to_dict(), keep)
            if error is not None:
                raise error
        return

    path = None if model is None else str(model)
    pending: deque[tuple[list[Record], Future]] = deque()
    error: BaseException | None = None
    with ProcessPoolExecutor(
        jobs, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(path, 100_000)
    ) as pool:
        for batch, error in _batches(records, batch_size):
            if batch:
                pending.append((batch, pool.submit(_tag_texts, [r.text for r in batch], explain)))
            while len(pending) > 2 * jobs or (pending and pending[0][1].done()):
                done_batch, future = pending.popleft()
                for record, result in zip(done_batch, future.result(), strict=True):
                    yield output_row(record, result, keep)
            if error is not None:
                break
        while pending:
            done_batch, future = pending.popleft()
            for record, result in zip(done_batch, future.result(), strict=True):
                yield output_row(record, result, keep)
    if error is not None:
        raise error
