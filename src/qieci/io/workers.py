"""Worker processes that each build a tokenizer once.

A :class:`WorkerPool` starts ``jobs`` processes (with the ``spawn`` start
method by default, which works on Linux, macOS and Windows alike). Each one
rebuilds the tokenizer from a :class:`Recipe` (in practice a
:class:`qieci.TokenizerSpec`: an engine's spec and the user words, never a
pickled tokenizer) in its initializer. Tasks are then plain data in, plain data out. :meth:`imap` keeps
results in input order with a bounded number of tasks in flight, so memory
stays bounded however long the input.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import TracebackType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Segments(Protocol):
    """What this layer needs of a tokenizer (:class:`qieci.Tokenizer` is
    one): cut functions, the corpus format, safe split points of long
    lines, and a recipe to rebuild it in a worker."""

    def cutter(
        self, mode: str = ..., hmm: bool = ..., pos_sep: str = ...
    ) -> Callable[[str], list[str]]: ...

    def cut_lines(
        self,
        text: str,
        delimiter: str = ...,
        mode: str = ...,
        HMM: bool = ...,
        crlf_to_lf: bool = ...,
        pos_sep: str = ...,
    ) -> str: ...

    def safe_split(self, text: str, limit: int, mode: str = ...) -> int | None: ...

    def spec(self) -> Recipe: ...

    def initialize(self) -> None: ...


class Recipe(Protocol):
    """A picklable recipe that builds a tokenizer (in a worker process)."""

    def build(self) -> Segments: ...


DEFAULT_START_METHOD = "spawn"

# The tokenizer of *this worker process*, set once by the pool initializer
# (or the error that building it raised). It plays the role in a worker that
# ``qieci.dt`` plays in the main process.
_worker_tokenizer: Segments | None = None
_worker_error: str | None = None


def _init_worker(spec: Recipe) -> None:
    global _worker_tokenizer, _worker_error
    # Ctrl-C reaches the whole process group: the main process handles it
    # (it terminates the pool); workers just stop when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        tok = spec.build()
        tok.initialize()
        _worker_tokenizer = tok
    except Exception as exc:
        # an initializer that raises makes the pool respawn workers forever:
        # keep the message and report it from the first task instead
        _worker_error = f"{exc}"


def _run(fn: Callable[[Segments, Any], Any], arg: Any) -> Any:
    if _worker_tokenizer is None:
        raise ValueError(_worker_error or "worker used before its initializer ran")
    return fn(_worker_tokenizer, arg)


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0 means all usable cores."""
    if not jobs:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    if jobs < 0:
        raise ValueError(f"jobs must be positive, not {jobs}")
    return jobs


class WorkerPool:
    """``jobs`` worker processes holding the tokenizer built from ``spec``."""

    def __init__(self, spec: Recipe, jobs: int, start_method: str | None = None) -> None:
        ctx = multiprocessing.get_context(start_method or DEFAULT_START_METHOD)
        self.jobs = jobs
        self._pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(spec,))

    def imap(
        self, fn: Callable[[Segments, T], R], items: Iterable[T], max_pending: int | None = None
    ) -> Iterator[R]:
        """``fn(tokenizer, item)`` for each item, run in the workers; results
        in input order. ``fn`` must be a module-level function."""
        limit = max_pending or 2 * self.jobs + 2
        pending: deque = deque()
        for item in items:
            pending.append(self._pool.apply_async(_run, (fn, item)))
            if len(pending) >= limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def terminate(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()


def _cut_batch(tok: Segments, batch: tuple[str, bool, list[str]]) -> list[list[str]]:
    mode, hmm, texts = batch
    cut = tok.cutter(mode, hmm)
    return [cut(t) for t in texts]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def cut_many(
    tok: Segments,
    texts: Iterable[str],
    *,
    jobs: int | None = 1,
    mode: str = "default",
    hmm: bool = True,
    batch_size: int = 512,
    start_method: str | None = None,
) -> Iterator[list[str]]:
    """See :meth:`qieci.Tokenizer.cut_many`."""
    n = resolve_jobs(jobs)
    cut = tok.cutter(mode, hmm)  # validates mode, and in-process use
    if n == 1:
        for text in texts:
            yield cut(text)
        return
    with WorkerPool(tok.spec(), n, start_method) as pool:
        batches = ((mode, hmm, b) for b in batched(texts, batch_size))
        for result in pool.imap(_cut_batch, batches):
            yield from result
