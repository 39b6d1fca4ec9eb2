"""Worker processes that each hold a tokenizer, built once.

A :class:`WorkerPool` of ``jobs`` workers is started from a fresh
interpreter, ``python -m qieci.io.forkserver`` (never with
:mod:`multiprocessing`), so it works from any script: the user's
``__main__`` is never imported again, and a script without an
``if __name__ == "__main__"`` guard cannot start workers in a loop. The
server reads the tokenizer's :class:`Recipe` (in practice a
:class:`qieci.TokenizerSpec`: an engine's spec and the user words, never a
pickled tokenizer), loads the tokenizer once, and forks the workers, which
inherit it; where there is no ``fork`` (start method ``"spawn"``), each
worker is a server of its own. When the pool is given the tokenizer itself
and this process runs a single thread (as ``qieci cut`` does), the workers
are forked from this process directly, which saves starting the server;
a process with threads is never forked. Tasks are plain data in, plain data out.
:meth:`WorkerPool.imap` gives each task to the least busy worker and keeps
results in input order with a bounded number of tasks in flight, so memory
stays bounded however long the input. A
worker that dies (killed, out of memory) ends the run with
:class:`WorkerError`, never a hang.
"""

from __future__ import annotations

import operator
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import count, islice
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, Protocol, TypeVar

from .forkserver import read_message, serve, write_message

if TYPE_CHECKING:
    import subprocess

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

    def cut_lines_utf8(
        self,
        data: bytes,
        delimiter: str = ...,
        mode: str = ...,
        HMM: bool = ...,
        crlf_to_lf: bool = ...,
    ) -> tuple[bytes, int, int] | None: ...

    def safe_split(self, text: str, limit: int, mode: str = ...) -> int | None: ...

    def spec(self) -> Recipe: ...

    def initialize(self) -> None: ...


class Recipe(Protocol):
    """A picklable recipe that builds a tokenizer (in a worker process)."""

    def build(self) -> Segments: ...


#: "fork": one server loads the tokenizer and forks the workers (POSIX);
#: "spawn": every worker is a fresh interpreter that loads its own.
START_METHODS = ("fork", "spawn")
#: The most tasks a worker is given before it has answered.
DEPTH = 2
DEFAULT_START_METHOD = "fork" if hasattr(os, "fork") else "spawn"


class WorkerError(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


class _Answer(NamedTuple):
    """What a worker's reader thread hands the pool: the key of the task
    (None at the end of the channel), "ok" or "error", and the value."""

    worker: _Worker
    key: tuple[int, int] | None  # (call, task number)
    status: str
    value: Any


def check_jobs(jobs: object) -> int | None:
    """``jobs`` as a number of worker processes (None or 0: all cores), or a
    TypeError naming it when it is no whole number (``"2"``, ``1.5``, True)."""
    if jobs is None:
        return None
    if not isinstance(jobs, bool):
        try:
            return operator.index(jobs)  # type: ignore[arg-type]
        except TypeError:
            pass
    raise TypeError(f"jobs must be a whole number (or None), not {jobs!r}")


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0 means all usable cores; anything but a whole number is
    a TypeError (:func:`check_jobs`)."""
    jobs = check_jobs(jobs)
    if not jobs:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    if jobs < 0:
        raise ValueError(f"jobs must be positive, not {jobs}")
    return jobs


class _Worker:
    """The main process's end of one worker: its two pipes, a thread that
    writes its tasks (so that a full pipe never blocks the reader) and a
    thread that reads its answers into the pool's queue of answers."""

    def __init__(
        self,
        rfile: BinaryIO,
        wfile: BinaryIO,
        number: int,
        pid: int | None,
        answers: queue.Queue[_Answer],
    ) -> None:
        self.rfile = rfile
        self.wfile = wfile
        self.number = number  # 1-based, for messages
        self.pid = pid  # when this process forked it (else the server did)
        self.status: int | None = None  # its wait status, once reaped
        self.tasks: queue.Queue[Any] = queue.Queue()
        # the keys of the tasks sent and not yet answered, oldest first
        self.waiting: deque[tuple[int, int]] = deque()
        self.answers = answers
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()
        self.reader: threading.Thread | None = None
        # the error that stopped the worker before any task (else None)
        self.failure: Exception | None = None

    def start_reading(self) -> None:
        """Start the thread that reads the answers (once the first
        message, the recipe for a fork server, is queued)."""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def submit(self, key: tuple[int, int], message: Any) -> None:
        self.waiting.append(key)
        self.tasks.put(message)

    def _send(self) -> None:
        try:
            while (msg := self.tasks.get()) is not None:
                write_message(self.wfile, msg)
        except (OSError, ValueError):  # the worker is gone: its reader reports it
            pass
        finally:
            try:
                self.wfile.close()
            except OSError:
                pass

    def _read(self) -> None:
        """Answers in the order of the tasks; at the end of the channel (the
        worker exited, or died), one answer with key None."""
        while True:
            try:
                status, value = read_message(self.rfile)
            except (EOFError, OSError, ValueError):
                self.answers.put(_Answer(self, None, "end", None))
                return
            except Exception as exc:  # an answer that does not unpickle here
                status, value = "error", exc
            if not self.waiting:
                # no task sent yet: the worker's error in starting (its
                # tokenizer could not be built), which the end reports
                if status == "error" and isinstance(value, Exception):
                    self.failure = value
                continue
            self.answers.put(_Answer(self, self.waiting.popleft(), status, value))

    def fate(self) -> str:
        """How the worker ended, as a message: its signal or exit status
        when this process forked it (waiting up to a second for the
        kernel to report it), else what it most likely was."""
        if self.pid is not None and self.status is None:
            for _ in range(100):
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid:
                    self.status = status
                    break
                time.sleep(0.01)
        if self.status is None:
            return "ended unexpectedly (killed, or out of memory)"
        if os.WIFSIGNALED(self.status):
            sig = os.WTERMSIG(self.status)
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            hint = " (out of memory?)" if sig == signal.SIGKILL else ""
            return f"(pid {self.pid}) was killed by {name}{hint}"
        return f"(pid {self.pid}) exited with status {os.WEXITSTATUS(self.status)} before its work was done"


class WorkerPool:
    """``jobs`` worker processes holding the tokenizer built from ``spec``
    (see the module). ``start_method``: "fork" (default on POSIX) or
    "spawn"."""

    def __init__(
        self,
        spec: Recipe,
        jobs: int,
        start_method: str | None = None,
        tokenizer: Segments | None = None,
    ) -> None:
        """With ``tokenizer`` (the one ``spec`` describes), method "fork" and
        a process that runs one thread only (Linux: ``/proc/self/task``),
        the workers are forked from this process directly, once the
        tokenizer is loaded: no server to start. Otherwise they come from
        the fork server."""
        method = start_method or DEFAULT_START_METHOD
        if method not in START_METHODS:
            raise ValueError(f"start_method must be one of {START_METHODS}, not {method!r}")
        if method == "fork" and not hasattr(os, "fork"):
            method = "spawn"
        self.jobs = jobs
        self._servers: list[subprocess.Popen[bytes]] = []
        self._pids: list[int] = []
        self._workers: list[_Worker] = []
        self._answers: queue.Queue[_Answer] = queue.Queue()
        self._calls = count()
        self._broken: Exception | None = None  # a worker died (or could not start)
        try:
            if method == "fork" and tokenizer is not None and _single_threaded():
                self._fork(tokenizer, jobs)
                return
            for n in [jobs] if method == "fork" else [1] * jobs:
                self._start_server(spec, n, "fork" if method == "fork" else "single")
        except BaseException:
            self.terminate()
            raise

    def _fork(self, tok: Segments, n: int) -> None:
        """Fork ``n`` workers from this (single-threaded) process; every
        fork happens before any thread of the pool starts."""
        tok.initialize()  # once, before the forks: the workers share it
        ends: list[tuple[int, int]] = []
        for _ in range(n):
            task_r, task_w = os.pipe()
            done_r, done_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    for fd in (task_w, done_r, *(fd for pair in ends for fd in pair)):
                        os.close(fd)
                    serve(tok, os.fdopen(task_r, "rb"), os.fdopen(done_w, "wb"))
                    code = 0
                finally:
                    os._exit(code)
            os.close(task_r)
            os.close(done_w)
            self._pids.append(pid)
            ends.append((done_r, task_w))
        for k, (done_r, task_w) in enumerate(ends):
            worker = _Worker(
                os.fdopen(done_r, "rb"),
                os.fdopen(task_w, "wb"),
                k + 1,
                self._pids[k],
                self._answers,
            )
            worker.start_reading()
            self._workers.append(worker)

    def _start_server(self, spec: Recipe, n: int, mode: str) -> None:
        import subprocess  # (here: forked workers, the usual case, never need it)

        theirs: list[int] = []
        args = []
        ends = []
        for _ in range(n):
            task_r, task_w = os.pipe()  # main -> worker
            done_r, done_w = os.pipe()  # worker -> main
            theirs += [task_r, done_w]
            args.append(f"{task_r},{done_w}")
            ends.append((done_r, task_w))
        try:
            server = subprocess.Popen(
                [sys.executable, "-m", "qieci.io.forkserver", mode, *args],
                pass_fds=theirs,
                stdin=subprocess.DEVNULL,
                # its own process group: Ctrl-C reaches the main process only,
                # and terminate() ends the server and its workers together
                start_new_session=True,
            )
        finally:
            for fd in theirs:
                os.close(fd)
        self._servers.append(server)
        for k, (done_r, task_w) in enumerate(ends):
            number = len(self._workers) + 1
            worker = _Worker(
                os.fdopen(done_r, "rb"), os.fdopen(task_w, "wb"), number, None, self._answers
            )
            if k == 0:
                worker.tasks.put((list(sys.path), spec))  # the server reads the recipe here
            worker.start_reading()
            self._workers.append(worker)

    def imap(
        self, fn: Callable[[Segments, T], R], items: Iterable[T], max_pending: int | None = None
    ) -> Iterator[R]:
        """``fn(tokenizer, item)`` for each item, run in the workers; results
        in input order. ``fn`` must be a module-level function.

        Each task goes to the worker with the fewest unanswered tasks (at
        most :data:`DEPTH` each, so that none waits for its next task), so a
        worker that is slowed down gets fewer. At most ``max_pending`` tasks
        (default ``2 * jobs + 2``) are sent or answered and not yet yielded:
        memory stays bounded. An error of task *i* is raised when the results
        before it have been yielded; so is the end of a worker that dies
        before answering."""
        if self._broken is not None:
            raise self._broken
        limit = max_pending or 2 * self.jobs + 2
        call = next(self._calls)
        it = iter(items)
        ready: dict[int, tuple[str, Any]] = {}
        sent = given = 0
        more = True
        while True:
            while more and self._broken is None and sent - given < limit:
                worker = min(self._workers, key=lambda w: len(w.waiting))
                if len(worker.waiting) >= DEPTH:
                    break
                try:
                    item = next(it)
                except StopIteration:
                    more = False
                    break
                worker.submit((call, sent), (fn, item))
                sent += 1
            if given in ready:
                status, value = ready.pop(given)
                given += 1
                if status != "ok":
                    raise value
                yield value
                continue
            if given == sent and not more:
                return
            lost = self._take(call, ready)
            if lost is not None:  # no more tasks: the run ends with this error
                more = False
                ready[sent] = ("error", lost)
                sent += 1

    def _take(self, call: int, ready: dict[int, tuple[str, Any]]) -> Exception | None:
        """Wait for one answer of any worker and file it under its task
        number in ``ready`` (answers to an abandoned earlier call are
        dropped). The end of a worker's channel is its death (the pool has
        not been closed): each task it had not answered gets a
        :class:`WorkerError`, and so does the run (the error returned)."""
        answer = self._answers.get()
        worker = answer.worker
        if answer.key is not None:
            key_call, number = answer.key
            if key_call == call:
                ready[number] = (answer.status, answer.value)
            return None
        error: Exception = worker.failure or WorkerError(f"worker {worker.number} {worker.fate()}")
        while worker.waiting:
            key_call, number = worker.waiting.popleft()
            if key_call == call:
                ready[number] = ("error", error)
        self._broken = error
        return error

    def close(self) -> None:
        """Let the workers finish their tasks and exit."""
        for w in self._workers:
            w.tasks.put(None)
        for w in self._workers:
            w.thread.join()
            if w.reader is not None:
                w.reader.join()  # it ends at the end of the channel
            w.rfile.close()
        for server in self._servers:
            server.wait()
        self._reap()

    def _unreaped(self) -> list[int]:
        """The workers this process forked that have not been waited for."""
        reaped = {w.pid for w in self._workers if w.status is not None}
        return [pid for pid in self._pids if pid not in reaped]

    def _reap(self) -> None:
        """Wait for the workers this process forked (those not yet reaped)."""
        by_pid = {w.pid: w for w in self._workers}
        for pid in self._unreaped():
            try:
                _, status = os.waitpid(pid, 0)
            except ChildProcessError:
                continue
            if pid in by_pid:
                by_pid[pid].status = status

    def terminate(self) -> None:
        """End the servers and their workers now."""
        for server in self._servers:
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, AttributeError):
                server.kill()
        for pid in self._unreaped():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for w in self._workers:
            w.tasks.put(None)
        for server in self._servers:
            server.wait()
        self._reap()
        for w in self._workers:
            if w.reader is not None:  # the worker is gone: the channel ends
                w.reader.join(timeout=5)
            w.rfile.close()

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


def _single_threaded() -> bool:
    """True when this process runs exactly one thread (so that it may fork):
    counted by Linux itself, native threads (BLAS pools) included; False
    where that cannot be known."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


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
    with WorkerPool(tok.spec(), n, start_method, tokenizer=tok) as pool:
        batches = ((mode, hmm, b) for b in batched(texts, batch_size))
        for result in pool.imap(_cut_batch, batches):
            yield from result
