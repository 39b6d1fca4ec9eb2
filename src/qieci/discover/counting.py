"""Counting a corpus: n-grams in bounded memory and a sample of lines, in
this process or over worker processes, each counting a part of the files.

With ``jobs`` > 1, regular files are split at line starts into one group
of byte ranges per worker. Each worker counts its group in a table of
``memory / (2 jobs)`` bytes, samples ``sample_chars / jobs`` characters,
and sends both back; this process merges the tables into one of
``memory / 2`` bytes. Standard input, and any input with ``jobs`` 1, is
counted here, in a table of ``memory`` bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..io.lines import InputError, LineStats
from ..io.stream import ByteRange, absolute_line_message, line_start_at_or_after
from ..io.workers import WorkerPool, resolve_jobs
from ..tokenizer import PathArg, Tokenizer
from ._discover import NgramCounter
from .reading import read_files, read_pieces
from .sample import LineSample


@dataclass(frozen=True)
class CountSettings:
    max_len: int = 6
    memory: int = 512 << 20  # bytes of n-gram tables, all of them together
    sample_chars: int = 2_000_000  # characters the model reads
    encoding: str = "utf-8"
    errors: str = "strict"


@dataclass
class Counts:
    """What a pass over the corpus found."""

    counter: NgramCounter
    sample: list[str] = field(default_factory=list)
    stats: LineStats = field(default_factory=LineStats)


def count_pieces(
    pieces: Iterable[str], settings: CountSettings, *, memory: int, sample_chars: int, seed: int = 0
) -> Counts:
    """Count ``pieces`` of text in a table of ``memory`` bytes, and sample
    ``sample_chars`` characters of them."""
    counter = NgramCounter(settings.max_len, memory)
    sample = LineSample(sample_chars, seed)
    for text in pieces:
        counter.add(text)
        sample.add(text)
    return Counts(counter, sample.lines)


@dataclass(frozen=True)
class _Part:
    """The byte ranges ``(path, start, end)`` one worker counts."""

    settings: CountSettings
    ranges: tuple[tuple[str, int, int], ...]
    memory: int
    sample_chars: int
    seed: int


def _range_pieces(
    path: str, start: int, end: int, settings: CountSettings, st: LineStats
) -> Iterator[str]:
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        real_start = line_start_at_or_after(f, start)
        real_end = line_start_at_or_after(f, end) if end < size else size
        assert real_start is not None and real_end is not None
        if real_end <= real_start:
            return
        try:
            yield from read_pieces(
                ByteRange(f, real_start, real_end),  # type: ignore[arg-type]
                path,
                encoding=settings.encoding,
                errors=settings.errors,
                base_offset=real_start,
                stats=st,
            )
        except InputError as exc:
            raise InputError(absolute_line_message(str(exc), path, real_start)) from None


def count_part(tok: object, part: _Part) -> tuple[bytes, int, int, list[str], LineStats]:
    """A worker's task: count ``part``; the table travels as a dump. (The
    pool's tokenizer ``tok`` is not used.)"""
    st = LineStats()
    pieces = (
        text
        for path, start, end in part.ranges
        for text in _range_pieces(path, start, end, part.settings, st)
    )
    c = count_pieces(
        pieces, part.settings, memory=part.memory, sample_chars=part.sample_chars, seed=part.seed
    )
    return c.counter.dump(), c.counter.total, c.counter.error, c.sample, st


def _file_stream_pieces(
    names: Sequence[str], settings: CountSettings, st: LineStats
) -> Iterator[str]:
    return read_files(names, encoding=settings.encoding, errors=settings.errors, stats=st)


def _regular(name: str) -> bool:
    try:
        return name != "-" and stat.S_ISREG(os.stat(name).st_mode)
    except OSError:
        return False


def split_files(names: Sequence[str], groups: int) -> list[tuple[tuple[str, int, int], ...]]:
    """The files as ``groups`` runs of byte ranges of about equal size."""
    sizes = [os.path.getsize(n) for n in names]
    total = sum(sizes)
    step = max(1, -(-total // groups))
    out: list[list[tuple[str, int, int]]] = [[]]
    room = step
    for name, size in zip(names, sizes, strict=True):
        pos = 0
        while pos < size:
            take = min(size - pos, room)
            out[-1].append((name, pos, pos + take))
            pos += take
            room -= take
            if room == 0 and len(out) < groups:
                out.append([])
                room = step
    return [tuple(g) for g in out if g]


def count_files(
    names: Sequence[PathArg], settings: CountSettings, *, jobs: int | None = 1
) -> Counts:
    """Count the files ``names`` (``-``: stdin); see the module for ``jobs``."""
    files = [os.fspath(n) for n in names]
    for name in files:
        check_input(name)
    n = resolve_jobs(jobs)
    regular = bool(files) and all(_regular(f) for f in files)
    # (empty files give no group: nothing to share out)
    groups = split_files(files, n) if n > 1 and regular else []
    if not groups:
        st = LineStats()
        c = count_pieces(
            _file_stream_pieces(files, settings, st),
            settings,
            memory=settings.memory,
            sample_chars=settings.sample_chars,
        )
        c.stats = st
        return c
    share = settings.memory // (2 * len(groups))
    parts = [
        _Part(settings, g, share, settings.sample_chars // len(groups), k)
        for k, g in enumerate(groups)
    ]
    # the workers need no segmenter: the pool's is the smallest engine
    worker_tok = Tokenizer(engine="chars")
    counter = NgramCounter(settings.max_len, settings.memory // 2)
    out = Counts(counter)
    with WorkerPool(worker_tok.spec(), len(parts), tokenizer=worker_tok) as pool:
        for dump, total, error, sample, st in pool.imap(count_part, parts, max_pending=len(parts)):
            counter.merge(dump, total, error)
            del dump
            out.sample += sample
            for name in ("lines", "chars", "bytes", "changed_lines"):
                setattr(out.stats, name, getattr(out.stats, name) + getattr(st, name))
    return out


def check_input(name: str, twice: bool = False) -> None:
    """InputError now, before any work, for an input that cannot be read as
    a file of text (missing, a folder, a device); a pipe (a FIFO, or the
    shell's ``<(...)``) is read as stdin is, once, unless the caller reads
    its files ``twice``."""
    if name == "-":
        return
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot open: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{name}: is a directory")
    if stat.S_ISFIFO(mode) and twice:
        raise InputError(
            f"{name}: is a pipe, which can be read only once, and the files are read twice: "
            "save the text to a file, or pipe it to stdin instead (-)"
        )
    if not stat.S_ISREG(mode) and not stat.S_ISFIFO(mode):
        raise InputError(
            f"{name}: is not a regular file (a device?): give a file of text, or pipe it to stdin (-)"
        )
