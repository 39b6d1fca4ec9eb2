"""Segmenting corpora on a ``dask.distributed`` cluster.

Install with ``pip install 'qieci[dask]'``. Every input file is split into
byte ranges of about ``partition_bytes``. A range owns the lines that *begin*
inside it, so ranges never split a line. Each range is segmented on a worker
into its own output file ``OUT_DIR/<file name>.part<NNNNN>``. Concatenating
one file's parts in name order gives exactly what ``qieci cut FILE`` writes on
one machine.

Each worker builds the tokenizer once, in a worker plugin, from a small
:class:`~qieci.tokenizer.TokenizerSpec` (dictionary path and edits). Input
paths, the dictionary and the output directory must be visible to every
worker under the same names (a shared file system). Part files are written
to a temporary name and renamed when complete.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, BinaryIO

from distributed.diagnostics.plugin import WorkerPlugin

from .lines import AtomicOutput, InputError
from .stream import CutOptions, Segmenter
from .tokenizer import Tokenizer, TokenizerSpec

DEFAULT_PARTITION_BYTES = 64 << 20


class TokenizerPlugin(WorkerPlugin):
    """Dask worker plugin holding one tokenizer per worker process."""

    def __init__(self, spec: TokenizerSpec) -> None:
        self.spec = spec
        self.tokenizer: Tokenizer | None = None

    def setup(self, worker: Any) -> None:
        tok = self.spec.build()
        tok.initialize()
        self.tokenizer = tok

    def teardown(self, worker: Any) -> None:
        self.tokenizer = None


def plugin_name(spec: TokenizerSpec) -> str:
    digest = hashlib.sha1(repr(spec).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"qieci-tokenizer-{digest}"


class _Range:
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


def _line_start_at_or_after(f: BinaryIO, pos: int) -> int:
    """The offset of the first line that begins at or after ``pos``."""
    if pos <= 0:
        return 0
    f.seek(pos - 1)
    f.readline()  # to the end of the line containing byte pos - 1
    return f.tell()


def byte_ranges(size: int, partition_bytes: int) -> list[tuple[int, int]]:
    """Nominal ``[start, end)`` ranges covering ``size`` bytes."""
    if size == 0:
        return [(0, 0)]
    step = max(1, partition_bytes)
    return [(s, min(s + step, size)) for s in range(0, size, step)]


def cut_partition(path: str, start: int, end: int, out_path: str, name: str,
                  options: dict[str, Any]) -> dict[str, int]:
    """Segment the lines of ``path`` that begin in ``[start, end)`` into
    ``out_path`` (runs on a worker)."""
    from distributed import get_worker

    tok = get_worker().plugins[name].tokenizer
    opts = CutOptions(**options)
    with open(path, "rb") as f:
        real_start = _line_start_at_or_after(f, start)
        real_end = _line_start_at_or_after(f, end) if end < os.path.getsize(path) else end
        with AtomicOutput(out_path) as out, Segmenter(tok, opts, jobs=1) as seg:
            if real_end > real_start:
                stream = _Range(f, real_start, real_end)
                try:
                    stats = seg.run(stream, path, out.file, None, base_offset=real_start)
                except InputError as exc:
                    raise InputError(_absolute_line(str(exc), path, real_start)) from None
            else:
                stats = None
    return {"lines": stats.lines if stats else 0, "chars": stats.chars if stats else 0}


def _absolute_line(message: str, path: str, start: int) -> str:
    """Rewrite ``file:N: ...`` (N counted from the partition start) with the
    line number in the whole file, counted only now that it is needed."""
    prefix = f"{path}:"
    if not message.startswith(prefix) or start == 0:
        return message
    rel, _, rest = message[len(prefix):].partition(":")
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


def expand(paths_or_glob: str | Iterable[str]) -> list[str]:
    """Paths, expanding glob patterns, in a stable order."""
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else paths_or_glob
    out: list[str] = []
    for item in items:
        item = os.fspath(item)
        matches = sorted(glob.glob(item)) if glob.has_magic(item) else [item]
        if not matches:
            raise InputError(f"{item}: no file matches")
        out += matches
    for p in out:
        if os.path.isdir(p):
            raise InputError(f"{p}: is a directory")
        if not os.path.isfile(p):
            raise InputError(f"{p}: no such file")
    return out


def cut_text_files(paths_or_glob: str | Iterable[str], out_dir: str, client: Any = None, *,
                   options: CutOptions | None = None, tokenizer: Tokenizer | None = None,
                   dictionary: str | None = None, user_dicts: Iterable[str] = (),
                   partition_bytes: int = DEFAULT_PARTITION_BYTES) -> list[str]:
    """Segment text files on a Dask cluster; return the part files written,
    in order (``client`` defaults to the current ``distributed`` client)."""
    from distributed import default_client

    client = client or default_client()
    paths = expand(paths_or_glob)
    if tokenizer is None:
        tokenizer = Tokenizer(dictionary)
        for u in user_dicts:
            tokenizer.load_userdict(u)
    spec = tokenizer.spec()
    name = plugin_name(spec)
    client.register_plugin(TokenizerPlugin(spec), name=name)
    os.makedirs(out_dir, exist_ok=True)
    bases = [os.path.basename(p) for p in paths]
    if len(set(bases)) != len(bases):
        raise InputError("several inputs have the same file name; cut them into separate directories")
    opts = asdict(options or CutOptions())
    calls = []
    for path, base in zip(paths, bases):
        size = os.path.getsize(path)
        for i, (start, end) in enumerate(byte_ranges(size, partition_bytes)):
            out_path = os.path.join(os.path.abspath(out_dir), f"{base}.part{i:05d}")
            calls.append((os.path.abspath(path), start, end, out_path))
    futures = [client.submit(cut_partition, p, s, e, o, name, opts, pure=False)
               for p, s, e, o in calls]
    from distributed import wait

    # let every partition finish (or fail) before returning or raising, so
    # that no worker is still writing when the caller looks at out_dir
    wait(futures)
    client.gather(futures)
    return [o for _, _, _, o in calls]
