"""Tag record streams of any size: batches, bounded memory, worker processes, order kept.

:func:`tag_stream` reads records lazily, tags them in batches (in this process, or in ``jobs`` worker processes
that each load the model once) and yields one output dict per record in input order. At most ``2 × jobs`` batches
are in flight, so memory stays flat whatever the input size. When the input has a bad record, every record read
before it is still yielded before the error is raised.

Workers never outlive the run: when the consumer stops (an error, Ctrl-C, SIGTERM handled by the caller) they are
terminated, and each worker exits by itself when its parent process dies (even by ``kill -9``).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from .._validation import check_float, check_int
from ..errors import ParameterError
from ..model import Tagger
from ..readers import Record
from .common import ModelArg, default_jobs, resolve_model

__all__ = ["as_record", "default_jobs", "output_row", "tag_stream"]


def as_record(item: Any, position: int) -> Record:
    """A :class:`Record` from a Record, a dict with ``text`` (and optional ``id``, other fields) or a string."""
    if isinstance(item, Record):
        return item
    if isinstance(item, str):
        return Record(text=item, line=position)
    if isinstance(item, Mapping):
        text = item.get("text")
        if not isinstance(text, str):
            got = "no 'text'" if text is None else f"'text' of type {type(text).__name__}"
            raise TypeError(f"tag_stream(): item {position} is a dict with {got}; expected a str 'text'.")
        record_id = item.get("id")
        extra = {k: v for k, v in item.items() if k not in ("text", "id", "labels")}
        return Record(text=text, id=None if record_id is None else str(record_id), line=position, extra=extra)
    raise TypeError(
        f"tag_stream(): item {position} is a {type(item).__name__}; expected a Record, a dict with 'text' or a str."
    )


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


# --- worker processes: each loads the model once and dies with its parent ------------------------------------------

_worker_tagger: Tagger | None = None
_worker_error: BaseException | None = None  # why the model did not load (raised by the first batch, in the parent)
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Exit this worker as soon as ``parent`` is gone: the kernel's parent-death signal, and a portable watchdog."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, ImportError):  # not Linux
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="tagger-parent-watch", daemon=True).start()


def _init_worker(model_path: str | None, max_chars: int | None, parent: int) -> None:
    global _worker_tagger, _worker_error
    _die_with_parent(parent)
    try:
        _worker_tagger = resolve_model(model_path, max_chars=max_chars)
    except Exception as error:  # a failing initializer only says "BrokenProcessPool"; the batch says why
        _worker_error = error


def _tag_texts(texts: list[str], options: dict[str, Any]) -> list[dict[str, Any]]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_tagger is not None, "worker not initialised"
    results = _worker_tagger.tag_many(texts, batch_size=len(texts) or 1, **options)
    return [result.to_dict() for result in results]


def _batches(records: Iterable[Any], size: int) -> Iterator[tuple[list[Record], BaseException | None]]:
    """Group records into lists of ``size``; a read error ends the stream after the records read before it."""
    batch: list[Record] = []
    iterator = iter(records)
    position = 0
    while True:
        try:
            item = next(iterator)
            position += 1
            record = as_record(item, position)
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


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued batches and terminate the workers (the batches in flight are dropped)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public API to reach the worker processes
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def tag_stream(
    records: Iterable[Record | Mapping[str, Any] | str],
    *,
    model: ModelArg = None,
    jobs: int = 1,
    batch_size: int = 256,
    keep: Sequence[str] = (),
    explain: bool = False,
    max_chars: int | None = None,
    top_k: int | None = None,
    threshold: float | None = None,
) -> Generator[dict[str, Any], None, None]:
    """Yield one output dict per record, in input order.

    ``records`` holds :class:`Record` objects, dicts with ``text`` (and optional ``id``) or strings. ``model`` is
    a model folder, a loaded :class:`Tagger` (used in this process only: pass a path to use ``jobs`` > 1), or
    ``None`` for the default model. ``keep`` names record fields copied to the output; ``explain`` adds each
    label's evidence; ``max_chars``, ``top_k`` and ``threshold`` are passed to :meth:`Tagger.tag_many`.
    """
    jobs = check_int(jobs, "jobs", "tag_stream", low=1)
    batch_size = check_int(batch_size, "batch_size", "tag_stream", low=1)
    if max_chars is not None:
        max_chars = check_int(max_chars, "max_chars", "tag_stream", low=1)
    if top_k is not None:
        top_k = check_int(top_k, "top_k", "tag_stream", low=1)
    if threshold is not None:
        threshold = check_float(threshold, "threshold", "tag_stream", low=0.0, high=1.0)
    if isinstance(keep, str):
        raise ParameterError(f"The 'keep' parameter of tag_stream must be a list of field names. Got {keep!r} instead.")
    options: dict[str, Any] = {"explain": explain, "top_k": top_k, "threshold": threshold}
    if isinstance(model, Tagger) or jobs == 1:
        tagger = resolve_model(model, max_chars=max_chars)
        for batch, error in _batches(records, batch_size):
            results = tagger.tag_many([r.text for r in batch], batch_size=batch_size, **options)
            for record, result in zip(batch, results, strict=True):
                yield output_row(record, result.to_dict(), keep)
            if error is not None:
                raise error
        return
    yield from _tag_in_workers(records, model, jobs, batch_size, keep, max_chars, options)


def _tag_in_workers(
    records: Iterable[Any],
    model: ModelArg,
    jobs: int,
    batch_size: int,
    keep: Sequence[str],
    max_chars: int | None,
    options: dict[str, Any],
) -> Iterator[dict[str, Any]]:
    path = None if model is None else str(model)
    pending: deque[tuple[list[Record], Future]] = deque()
    error: BaseException | None = None
    pool = ProcessPoolExecutor(
        jobs, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(path, max_chars, os.getpid())
    )
    finished = False
    try:
        for batch, error in _batches(records, batch_size):
            if batch:
                pending.append((batch, pool.submit(_tag_texts, [r.text for r in batch], options)))
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
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # stopped early (error, interrupt, consumer gone): do not wait for batches nobody will read
            _stop(pool)
    if error is not None:
        raise error
