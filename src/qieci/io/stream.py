"""Segmenting files of any size in bounded memory, on one core or several.

Input is read in blocks of about :data:`BLOCK_BYTES` and turned into *tasks*:

* a :class:`Lines` task holds whole lines (raw bytes). A worker decodes,
  segments and encodes them, and returns the output lines.
* a line longer than :data:`LONG_LINE_BYTES` is decoded by the reader and
  sent as :class:`Piece` tasks of at most :data:`PIECE_CHARS` characters each.
  Each piece is cut at a *safe point* (the tokenizer's ``safe_split``):
  with the jieba engine, segmenting the pieces one by one then gives the
  same words as segmenting the whole line; with the learned engine, whose
  features look two characters across the cut, a word next to the cut
  (made after sentence-final punctuation) may rarely differ. Only a run of more than :data:`PIECE_CHARS` dictionary
  characters with no punctuation, space or symbol at all has no safe point.
  Such a run is cut at the limit, and only the words next to that cut can
  differ.

Tasks go through a :class:`~qieci.io.workers.WorkerPool` (``jobs`` > 1) or run
in-process. Results come back in order, so output line *i* belongs to input
line *i*. The reader, the writer and the progress display all stay in the
main process.
"""

from __future__ import annotations

import codecs
import io
import itertools
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO, Protocol

from .lines import (
    SPILL_SUFFIX,
    AtomicOutput,
    Identity,
    InputError,
    check_encoding,
    check_output_path,
    check_unchanged,
    hold_lock,
    identity,
    invalid_bytes,
    open_input,
    remove_stale,
    split_terminator,
)
from .workers import Recipe, Segments, WorkerPool, check_jobs, resolve_jobs

BLOCK_BYTES = 1 << 20
LONG_LINE_BYTES = 4 << 20
PIECE_CHARS = 1 << 18

MODES = ("default", "all", "search", "pos")
NEWLINES = ("keep", "lf")


@dataclass(frozen=True)
class CutOptions:
    """How to segment and write: engine mode, delimiter, input decoding."""

    mode: str = "default"  # "default", "all" (jieba's cut_all), "search", or "pos"
    hmm: bool = True
    pos_sep: str = "/"  # mode "pos": between a word and its tag
    delimiter: str = " "
    encoding: str = "utf-8"
    errors: str = "strict"  # "strict", "replace" or "skip-line"
    newline: str = "keep"  # "keep" line ends as they are, or "lf": \r\n -> \n

    def __post_init__(self) -> None:
        for name, value in (
            ("delimiter", self.delimiter),
            ("pos_sep", self.pos_sep),
            ("encoding", self.encoding),
        ):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        if self.hmm not in (True, False):
            raise TypeError(f"hmm must be True or False, not {self.hmm!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.errors not in ("strict", "replace", "skip-line"):
            raise ValueError("errors must be strict, replace or skip-line")
        if self.newline not in NEWLINES:
            raise ValueError(f"newline must be one of {NEWLINES}")
        for name, sep in (("delimiter", self.delimiter), ("pos_sep", self.pos_sep)):
            if "\n" in sep or "\r" in sep:
                raise ValueError(
                    f"the {name} {sep!r} holds a line break: output would no longer have one "
                    "line per input line"
                )
            try:
                sep.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"the {name} {sep!r} cannot be written as UTF-8") from None
        check_encoding(self.encoding)


@dataclass
class Stats:
    """What a run did: counts for the summary line."""

    lines: int = 0
    chars: int = 0
    bytes_in: int = 0
    changed_lines: int = 0  # decoded with replacement characters
    skipped_lines: int = 0  # left out (errors="skip-line")
    seconds: float = 0.0

    def add(self, other: Stats) -> None:
        self.lines += other.lines
        self.chars += other.chars
        self.changed_lines += other.changed_lines
        self.skipped_lines += other.skipped_lines

    def summary(self) -> str:
        rate = self.chars / self.seconds if self.seconds > 0 else 0.0
        text = f"{self.lines} lines, {self.chars} chars, {self.seconds:.2f} s, {_rate(rate)}"
        if self.changed_lines:
            text += f", {self.changed_lines} lines with invalid bytes replaced"
        if self.skipped_lines:
            text += f", {self.skipped_lines} lines with invalid bytes skipped"
        return text


class Source(Protocol):
    """What the reader needs of an input stream: binary reads of at most
    ``n`` bytes (a file, stdin, or a :class:`ByteRange` of a file)."""

    def read(self, n: int = ..., /) -> bytes: ...


def _rate(chars_per_second: float) -> str:
    """A rate with a unit that shows its digits (never "0.00M")."""
    for scale, unit in ((1e6, "M"), (1e3, "k")):
        if chars_per_second >= scale:
            return f"{chars_per_second / scale:.2f}{unit} chars/s"
    return f"{chars_per_second:.0f} chars/s"


@dataclass(frozen=True)
class Lines:
    """Whole raw lines, the first being line ``first_line`` (1-based) at
    byte ``offset`` of file ``name``."""

    name: str
    first_line: int
    offset: int
    data: bytes


@dataclass(frozen=True)
class Piece:
    """Part of one long line, already decoded; ``term`` is the line's
    terminator on its last piece and None on the others."""

    text: str
    first: bool
    term: str | None


@dataclass
class Result:
    output: bytes
    stats: Stats = field(default_factory=Stats)
    # for pieces: did the piece produce any word (a delimiter goes between
    # the words of consecutive pieces of one line)
    nonempty: bool = False
    piece: bool = False
    first: bool = False
    # where a worker wrote ``output`` instead (see Segmenter's spill_dir)
    spill: str | None = None


def _terminator(term: str, opts: CutOptions) -> str:
    return "\n" if opts.newline == "lf" and term == "\r\n" else term


def run_task(tok: Segments, job: tuple[CutOptions, Lines | Piece]) -> Result:
    """Segment one task (in a worker or in-process)."""
    opts, task = job
    if isinstance(task, Piece):
        return _run_piece(tok, opts, task)
    return _run_lines(tok, opts, task)


def run_task_spilled(tok: Segments, job: tuple[CutOptions, Lines | Piece, str]) -> Result:
    """Like :func:`run_task`, but write the output to the file ``job[2]``:
    sending megabytes back through a pipe costs the main process more than
    appending a file with a kernel-side copy."""
    opts, task, path = job
    res = run_task(tok, (opts, task))
    with open_spill(path, exclusive=True) as f:
        f.write(res.output)
    res.output, res.spill = b"", path
    return res


def _run_piece(tok: Segments, opts: CutOptions, task: Piece) -> Result:
    # the reader, which decoded the piece, counts its line and characters
    out = tok.cut_lines(task.text, opts.delimiter, opts.mode, opts.hmm, pos_sep=opts.pos_sep)
    if task.term is not None:
        out += _terminator(task.term, opts)
    # a piece has words exactly when it has text
    return Result(out.encode("utf-8", "surrogatepass"), Stats(), bool(task.text), True, task.first)


def _run_lines(tok: Segments, opts: CutOptions, task: Lines) -> Result:
    if codecs.lookup(opts.encoding).name == "utf-8":
        # the tokenizer's byte path: UTF-8 in, UTF-8 out, nothing decoded
        done = tok.cut_lines_utf8(
            task.data, opts.delimiter, opts.mode, opts.hmm, opts.newline == "lf"
        )
        if done is not None:
            return Result(done[0], Stats(lines=done[1], chars=done[2]))
    try:
        text = task.data.decode(opts.encoding)
    except UnicodeDecodeError:
        return _run_lines_one_by_one(tok, opts, task)
    newlines = text.count("\n")
    lines = newlines + (0 if not text or text.endswith("\n") else 1)
    chars = len(text) - newlines - text.count("\r\n")
    out = tok.cut_lines(
        text, opts.delimiter, opts.mode, opts.hmm, opts.newline == "lf", opts.pos_sep
    )
    return Result(out.encode("utf-8", "surrogatepass"), Stats(lines=lines, chars=chars))


def _run_lines_one_by_one(tok: Segments, opts: CutOptions, task: Lines) -> Result:
    """The slow path, for a block with undecodable bytes: decode each line
    and apply the error policy to the ones that fail."""
    cut = tok.cutter(opts.mode, opts.hmm, opts.pos_sep)
    delim = opts.delimiter
    st = Stats()
    parts: list[str] = []
    offset = task.offset
    raw_lines = task.data.split(b"\n")
    last = len(raw_lines) - 1
    for i, raw in enumerate(raw_lines):
        if i == last and not raw:
            break  # the data ended with a newline
        content, term = split_terminator(raw + (b"\n" if i < last else b""))
        try:
            text = content.decode(opts.encoding)
        except UnicodeDecodeError as exc:
            if opts.errors == "strict":
                raise invalid_bytes(
                    task.name,
                    task.first_line + i,
                    opts.encoding,
                    offset + exc.start,
                    content,
                    content_start=offset,
                ) from None
            if opts.errors == "skip-line":
                st.skipped_lines += 1
                offset += len(raw) + 1
                continue
            text = content.decode(opts.encoding, "replace")
            st.changed_lines += 1
        offset += len(raw) + 1
        st.lines += 1
        st.chars += len(text)
        parts.append(delim.join(cut(text)) + _terminator(term.decode("ascii"), opts))
    return Result("".join(parts).encode("utf-8", "surrogatepass"), st)


class _Reader:
    """Turns one input stream into tasks; counts bytes for the progress."""

    def __init__(
        self,
        stream: Source,
        name: str,
        opts: CutOptions,
        progress: Progress | None,
        split: Callable[[str, int, str], int | None],
        base_offset: int = 0,
    ) -> None:
        self.split = split  # the tokenizer's safe split points of long lines
        self.stream = stream
        self.base_offset = base_offset
        self.name = name
        self.opts = opts
        self.progress = progress
        self.stats = Stats()  # lines handled by the reader itself (long lines)
        self.utf8 = codecs.lookup(opts.encoding).name == "utf-8"

    def read(self) -> bytes:
        block = self.stream.read(BLOCK_BYTES)
        self.stats.bytes_in += len(block)
        if self.progress is not None:
            self.progress.advance(len(block))
        return block

    def _pieces(self, pending: str, first: bool) -> Iterator[Piece]:
        """Emit safe-split pieces while ``pending`` is over the limit; the
        remainder is left in ``self.pending``."""
        while len(pending) > PIECE_CHARS:
            # no safe point: cut at the limit (only the words there can differ)
            at = self.split(pending, PIECE_CHARS, self.opts.mode) or PIECE_CHARS
            yield Piece(pending[:at], first, None)
            self.stats.chars += at
            first = False
            pending = pending[at:]
        self.pending = pending
        self.first = first

    def tasks(self) -> Iterator[Lines | Piece]:
        buf = b""
        line_no = 1
        offset = self.base_offset  # file offset of buf[0]
        first_block = self.base_offset == 0
        while True:
            block = self.read()
            if first_block:
                first_block = False
                if self.utf8 and block.startswith(codecs.BOM_UTF8):
                    block = block[3:]
                    offset = 3
            if not block:
                break
            buf += block
            cut = buf.rfind(b"\n")
            if cut >= 0:
                data, buf = buf[: cut + 1], buf[cut + 1 :]
                yield Lines(self.name, line_no, offset, data)
                line_no += data.count(b"\n")
                offset += len(data)
            elif len(buf) >= LONG_LINE_BYTES:
                consumed, buf = yield from self._long_line(buf, line_no, offset)
                line_no += 1
                offset += consumed
        if buf:
            yield Lines(self.name, line_no, offset, buf)

    def _long_line(
        self, head: bytes, line_no: int, offset: int
    ) -> Generator[Piece, None, tuple[int, bytes]]:
        """Stream one over-long line as pieces; return (bytes consumed,
        including its newline; the bytes read after it)."""
        # a line too long to hold is repaired under both replace and
        # skip-line (it cannot be taken back), and counted as changed
        errors = "strict" if self.opts.errors == "strict" else "replace"
        decoder = codecs.getincrementaldecoder(self.opts.encoding)(errors)
        fed = 0  # bytes of this line given to the decoder
        self.pending, self.first = "", True
        changed = False
        data = head
        while True:
            nl = data.find(b"\n")
            if nl >= 0:
                chunk, rest = data[:nl], data[nl + 1 :]
            else:
                chunk, rest = data, b""
            try:
                text = decoder.decode(chunk, final=nl >= 0 or not data)
            except UnicodeDecodeError as exc:
                raise invalid_bytes(
                    self.name,
                    line_no,
                    self.opts.encoding,
                    offset + fed + exc.start,
                    chunk,
                    content_start=offset + fed,
                ) from None
            changed = changed or "\ufffd" in text
            fed += len(chunk) + (1 if nl >= 0 else 0)
            pending = self.pending + text
            ended = nl >= 0 or not data
            term = ("\n" if nl >= 0 else "") if ended else None
            if ended and term == "\n" and pending.endswith("\r"):
                pending, term = pending[:-1], "\r\n"
            yield from self._pieces(pending, self.first)
            if ended:
                yield Piece(self.pending, self.first, term)
                self.stats.chars += len(self.pending)
                self.stats.lines += 1
                self.stats.changed_lines += changed
                return fed, rest
            data = self.read()


class Progress:
    """A one-line progress display on stderr (bytes, MB/s, ETA), shown only
    when stderr is a terminal and not quiet."""

    def __init__(self, total_bytes: int | None, enabled: bool) -> None:
        self.total = total_bytes
        self.enabled = enabled
        self.done = 0
        self.start = time.perf_counter()
        self._last = 0.0

    def advance(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < 0.2:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        text = f"\r{self.done / 1e6:,.1f}"
        if self.total:
            left = max(self.total - self.done, 0)
            eta = left / rate if rate > 0 else 0
            pct = 100.0 * self.done / self.total
            text += (
                f"/{self.total / 1e6:,.1f} MB {pct:5.1f}%  {rate / 1e6:6.1f} MB/s  "
                f"ETA {int(eta // 60)}:{int(eta % 60):02d}"
            )
        else:
            text += f" MB  {rate / 1e6:6.1f} MB/s"
        sys.stderr.write(text + " ")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


class Segmenter:
    """Segments streams into a sink, in-process or over worker processes.

    The worker pool starts lazily, when a stream turns out to need more than
    one task, and is reused for every stream of this segmenter. Use it as a
    context manager.
    """

    def __init__(
        self,
        tokenizer: Segments,
        opts: CutOptions,
        jobs: int | None = None,
        start_method: str | None = None,
        spill_dir: str | None = None,
    ) -> None:
        """``spill_dir``: a private directory where workers leave their
        output for the main process to append (much cheaper than a pipe);
        without it, output comes back through the pool's pipes."""
        self.tok = tokenizer
        self.opts = opts
        self.jobs = resolve_jobs(jobs)
        self.start_method = start_method
        self.spill_dir = spill_dir
        self._spills = itertools.count()
        self._pool: WorkerPool | None = None
        self._spec: Recipe | None = None

    def __enter__(self) -> Segmenter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            (self._pool.close if exc_type is None else self._pool.terminate)()
            self._pool = None

    def _results(self, reader: _Reader) -> Iterator[Result]:
        tasks = reader.tasks()
        first = next(tasks, None)
        if first is None:
            return
        second = next(tasks, None)
        # an input of one block is not worth starting processes for
        small = second is None or reader.stats.bytes_in <= BLOCK_BYTES
        if small or self.jobs == 1:
            for task in _chain(first, second, tasks):
                yield run_task(self.tok, (self.opts, task))
            return
        pool = self._workers()
        tasks = _chain(first, second, tasks)
        if self.spill_dir is None:
            yield from pool.imap(run_task, ((self.opts, t) for t in tasks))
        else:
            yield from pool.imap(
                run_task_spilled, ((self.opts, t, self._spill_path()) for t in tasks)
            )

    def _workers(self) -> WorkerPool:
        if self._pool is None:
            self._spec = self._spec or self.tok.spec()
            self._pool = WorkerPool(self._spec, self.jobs, self.start_method, tokenizer=self.tok)
        return self._pool

    def _spill_path(self) -> str:
        assert self.spill_dir is not None
        return os.path.join(self.spill_dir, f"{next(self._spills)}.out")

    def _run_ranges(
        self,
        path: str,
        ranges: list[tuple[int, int]],
        sink: BinaryIO,
        progress: Progress | None,
        started: Identity,
    ) -> Stats:
        """Regular files with workers: each worker reads its own byte range
        (the main process only hands out offsets and appends results), and
        checks that the file is still the one of identity ``started``."""
        size = ranges[-1][1]
        jobs = (
            (self.opts, path, s, e, self._spill_path() if self.spill_dir else None, started)
            for s, e in ranges
        )
        stats = Stats()
        for (s, e), res in zip(ranges, self._workers().imap(cut_range, jobs), strict=True):
            stats.add(res.stats)
            if res.spill is None:
                sink.write(res.output)
            else:
                _append_file(sink, res.spill)
            if progress is not None:
                progress.advance(e - s)
        stats.bytes_in = size
        return stats

    def run(
        self,
        stream: BinaryIO | ByteRange,
        name: str,
        sink: BinaryIO,
        progress: Progress | None = None,
        base_offset: int = 0,
    ) -> Stats:
        """Segment ``stream`` (named ``name`` in messages) into ``sink``.
        ``base_offset`` is the file offset where ``stream`` starts (line
        numbers in messages then count from there)."""
        t0 = time.perf_counter()
        # a ByteRange (a worker's part of a file) is never a whole regular file
        started = _file_identity(stream)
        if self.jobs > 1 and base_offset == 0 and not isinstance(stream, ByteRange):
            size = _regular_file_size(stream)
            if size is not None and size > 2 * RANGE_BYTES:
                # ranges of RANGE_BYTES, or smaller on a small file, so that
                # every worker gets about 4 of them, shrinking toward the end
                # so that the workers finish together; lines longer than a
                # range are streamed instead, so that their pieces spread
                # over the workers
                step = max(MIN_RANGE_BYTES, min(RANGE_BYTES, size // (4 * self.jobs) + 1))
                ranges = line_ranges(
                    stream, size, step, LONG_LINE_BYTES, tail=(2 * self.jobs, TAIL_RANGE_BYTES)
                )
                stream.seek(0)
                if ranges is not None:
                    assert started is not None  # a regular file
                    stats = self._run_ranges(
                        os.path.abspath(stream.name), ranges, sink, progress, started
                    )
                    stats.seconds = time.perf_counter() - t0
                    return stats
        stats = Stats()
        reader = _Reader(stream, name, self.opts, progress, self.tok.safe_split, base_offset)
        line_has_words = False  # of the long line whose pieces are being written
        delim = self.opts.delimiter.encode("utf-8", "surrogatepass")
        for res in self._results(reader):
            if res.piece:
                if res.first:
                    line_has_words = False
                if res.nonempty and line_has_words:
                    sink.write(delim)
                line_has_words = line_has_words or res.nonempty
            else:
                stats.add(res.stats)
            if res.spill is None:
                sink.write(res.output)
            else:
                _append_file(sink, res.spill)
        stats.add(reader.stats)
        stats.bytes_in = reader.stats.bytes_in
        if started is not None and not isinstance(stream, ByteRange):
            check_unchanged(name, started, os.fstat(stream.fileno()))
        stats.seconds = time.perf_counter() - t0
        return stats


# -- byte ranges of regular files ------------------------------------------------


class ByteRange:
    """A binary reader limited to ``[start, end)`` of a file."""

    def __init__(self, f: BinaryIO, start: int, end: int) -> None:
        self.f = f
        self.left = end - start
        f.seek(start)

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.f.read(self.left if n < 0 else min(n, self.left))
        self.left -= len(data)
        return data


def line_start_at_or_after(f: BinaryIO, pos: int, limit: int | None = None) -> int | None:
    """The offset of the first line that begins at or after ``pos`` (the
    file size when none does), scanning in bounded chunks. With ``limit``,
    give up (None) after scanning that many bytes without a newline."""
    if pos <= 0:
        return 0
    f.seek(pos - 1)
    scanned = 0
    while True:
        chunk = f.read(1 << 16)
        if not chunk:
            return f.tell()
        nl = chunk.find(b"\n")
        if nl >= 0:
            return pos - 1 + scanned + nl + 1
        scanned += len(chunk)
        if limit is not None and scanned > limit:
            return None


def line_ranges(
    f: BinaryIO,
    size: int,
    step: int,
    max_line: int | None = None,
    tail: tuple[int, int] | None = None,
) -> list[tuple[int, int]] | None:
    """``[start, end)`` ranges of about ``step`` bytes that begin and end
    at line starts and cover the file. None when a line crossing a range
    edge is longer than ``max_line`` (such a file is better streamed).
    With ``tail = (parts, least)``, a range is also at most the bytes left
    after it divided by ``parts``, and at least ``least`` bytes: the last
    ranges are short, so that workers that take ranges as they become free
    end at nearly the same time."""
    bounds = [0]
    pos = _next_step(step, size, 0, tail)
    while pos < size:
        start = line_start_at_or_after(f, pos, max_line)
        if start is None:
            return None
        if start >= size:
            break
        bounds.append(start)
        pos = start + _next_step(step, size, start, tail)
    bounds.append(size)
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _next_step(step: int, size: int, pos: int, tail: tuple[int, int] | None) -> int:
    if tail is None:
        return step
    parts, least = tail
    return max(1, least, min(step, (size - pos) // parts))


def byte_ranges(size: int, partition_bytes: int) -> list[tuple[int, int]]:
    """Nominal ``[start, end)`` ranges covering ``size`` bytes."""
    if size == 0:
        return [(0, 0)]
    step = max(1, partition_bytes)
    return [(s, min(s + step, size)) for s in range(0, size, step)]


def absolute_line_message(message: str, path: str, start: int) -> str:
    """Rewrite ``file:N: ...`` (N counted from the partition start) with the
    line number in the whole file, counted only now that it is needed."""
    prefix = f"{path}:"
    if not message.startswith(prefix) or start == 0:
        return message
    rel, _, rest = message[len(prefix) :].partition(":")
    lines_before = 0
    with open(path, "rb") as f:
        left = start
        while left > 0:
            block = f.read(min(left, 1 << 20))
            if not block:
                break
            lines_before += block.count(b"\n")
            left -= len(block)
    return f"{prefix}{lines_before + int(rel)}:{rest}"


RANGE_BYTES = 4 << 20
MIN_RANGE_BYTES = 1 << 20
#: The shortest of the last ranges of a file (see :func:`line_ranges`).
TAIL_RANGE_BYTES = 1 << 18


def cut_range(
    tok: Segments,
    job: tuple[CutOptions, str, int, int, str | None]
    | tuple[CutOptions, str, int, int, str | None, Identity],
) -> Result:
    """Segment the lines of file ``path`` that begin in ``[start, end)``
    (in a worker, which reads them itself); output into the file ``spill``,
    or returned when ``spill`` is None. With a sixth item, the
    :func:`~qieci.io.lines.identity` of the file when the run started: the
    file must still be that one before and after (else
    :class:`~qieci.io.lines.InputChanged`)."""
    opts, path, start, end, spill = job[:5]
    started = job[5] if len(job) > 5 else None
    with open(path, "rb") as f:
        if started is not None:
            check_unchanged(path, started, os.fstat(f.fileno()))
        size = os.fstat(f.fileno()).st_size
        real_start = line_start_at_or_after(f, start)
        real_end = line_start_at_or_after(f, end) if end < size else size
        assert real_start is not None and real_end is not None
        sink = open_spill(spill, exclusive=False) if spill else io.BytesIO()
        try:
            stats = Stats()
            if real_end > real_start:
                seg = Segmenter(tok, opts, jobs=1)
                try:
                    stats = seg.run(
                        ByteRange(f, real_start, real_end), path, sink, base_offset=real_start
                    )
                except InputError as exc:
                    raise InputError(absolute_line_message(str(exc), path, real_start)) from None
            output = sink.getvalue() if isinstance(sink, io.BytesIO) else b""
        finally:
            sink.close()
        if started is not None:  # not truncated or rewritten while read
            check_unchanged(path, started, os.fstat(f.fileno()))
    return Result(output, stats, spill=spill)


def _regular_file_size(stream: BinaryIO) -> int | None:
    """The size of ``stream`` when it is a regular file read from its start
    (so that workers can open it by name); None otherwise (stdin, pipes)."""
    try:
        name = getattr(stream, "name", None)
        st = os.fstat(stream.fileno())
        if (
            not isinstance(name, str)
            or not stat.S_ISREG(st.st_mode)
            or stream.tell() != 0
            or not os.path.exists(name)
        ):
            return None
        return st.st_size
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _file_identity(stream: BinaryIO | ByteRange) -> Identity | None:
    """The identity of ``stream`` when it is a regular file (checked again
    when it has been read), else None (stdin, pipes, ranges)."""
    if isinstance(stream, ByteRange):
        return None
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return identity(st) if stat.S_ISREG(st.st_mode) else None


def _append_file(sink: BinaryIO, path: str) -> None:
    """Append the file at ``path`` to ``sink`` and delete it."""
    sink.flush()
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        sent = 0
        try:
            while sent < size:
                n = os.sendfile(sink.fileno(), f.fileno(), sent, size - sent)
                if n == 0:
                    break
                sent += n
        except (AttributeError, OSError):  # no sendfile here, or not to this sink
            f.seek(sent)
            shutil.copyfileobj(f, sink, 1 << 20)
    os.unlink(path)


def open_spill(path: str, exclusive: bool) -> BinaryIO:
    """Open a worker's output file for writing, never through a symlink;
    ``exclusive``: it must not exist yet (a new name in a spill folder),
    else it is the temporary file an :class:`AtomicOutput` made."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    if exclusive:
        flags |= os.O_EXCL
    return os.fdopen(os.open(path, flags, 0o600), "wb")


@contextmanager
def spill_directory(near: str | None) -> Iterator[str | None]:
    """A private hidden folder ``.NAME.XXXXXXXX.spill`` beside the output
    ``near`` (a file path), locked while it is in use and removed afterwards
    whatever happens (stale ones of ``NAME``, left by killed runs, first:
    :func:`~qieci.io.lines.remove_stale`); None when output goes to
    stdout, where nothing may be written."""
    if near is None:
        yield None
        return
    parent = os.path.dirname(os.path.abspath(near))
    base = os.path.basename(near)
    remove_stale(parent, [base])
    try:
        path = tempfile.mkdtemp(prefix=f".{base}.", suffix=SPILL_SUFFIX, dir=parent)
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise InputError(f"{near}: cannot write in {parent}: {exc.strerror or exc}") from None
    try:
        hold_lock(fd)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def _chain(first, second, rest):
    yield first
    if second is not None:
        yield second
        yield from rest


def cut_stream(
    tok: Segments,
    src: BinaryIO,
    sink: BinaryIO,
    opts: CutOptions | None = None,
    jobs: int | None = 1,
    name: str = "<stream>",
) -> Stats:
    """Segment the binary stream ``src`` into ``sink``."""
    with Segmenter(tok, opts or CutOptions(), jobs) as seg:
        return seg.run(src, name, sink)


def cut_file(
    tok: Segments,
    src: str,
    dst: str,
    opts: CutOptions | None = None,
    jobs: int | None = None,
    start_method: str | None = None,
) -> Stats:
    """Segment the file ``src`` into ``dst`` (written atomically: ``dst``
    appears only when complete). InputError, before any work, when ``dst``
    is ``src`` (by identity: writing it would replace the text before it is
    read) or cannot be written (see :func:`~qieci.io.lines.check_output_path`).
    TypeError for ``opts`` that are no :class:`CutOptions` or ``jobs`` that
    is no whole number."""
    if opts is not None and not isinstance(opts, CutOptions):
        raise TypeError(f"opts must be a CutOptions, not {type(opts).__name__}")
    jobs = check_jobs(jobs)
    check_output_path(os.fspath(dst), [os.fspath(src)])
    with (
        spill_directory(os.fspath(dst)) as spill,
        open_input(os.fspath(src)) as stream,
        AtomicOutput(os.fspath(dst)) as out,
        Segmenter(tok, opts or CutOptions(), jobs, start_method, spill) as seg,
    ):
        return seg.run(stream, os.fspath(src), out.file)


def cut_text(tok: Segments, text: str, opts: CutOptions | None = None, jobs: int | None = 1) -> str:
    """Segment a whole text as the CLI would (for tests and small inputs)."""
    out = io.BytesIO()
    o = opts or CutOptions()
    cut_stream(tok, io.BytesIO(text.encode(o.encoding, "surrogatepass")), out, o, jobs)
    return out.getvalue().decode("utf-8", "surrogatepass")
