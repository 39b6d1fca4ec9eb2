"""Segmenting corpora on a ``dask.distributed`` cluster.

Install with ``pip install 'qieci[dask]'``. Every input file is split into
byte ranges of about ``partition_bytes``. A range owns the lines that *begin*
inside it, so ranges never split a line. Each range is segmented on a worker
into its own output file ``OUT_DIR/<file name>.part<NNNNN>``. Concatenating
one file's parts in name order gives exactly what ``qieci cut FILE`` writes on
one machine.

Each worker builds the tokenizer once, in a worker plugin, from a small
recipe (:class:`qieci.TokenizerSpec`: the engine's spec and the user words). Input
paths, the dictionary and the output directory must be visible to every
worker under the same names (a shared file system). Part files are written
to a temporary name and renamed when complete.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .lines import AtomicOutput, InputError
from .stream import CutOptions, byte_ranges, cut_range, line_ranges
from .workers import Recipe, Segments

DEFAULT_PARTITION_BYTES = 64 << 20


class TokenizerPlugin(WorkerPlugin):
    """Dask worker plugin holding one tokenizer per worker process."""

    def __init__(self, spec: Recipe) -> None:
        self.spec = spec
        self.tokenizer: Segments | None = None

    def setup(self, worker: Any) -> None:
        tok = self.spec.build()
        tok.initialize()
        self.tokenizer = tok

    def teardown(self, worker: Any) -> None:
        self.tokenizer = None


def plugin_name(spec: Recipe) -> str:
    """The name of the plugin of ``spec``: a digest of the recipe's pickle
    (what the workers receive), so that two recipes share a name only when
    they build the same tokenizer (a repr may summarise: a domain's shows
    only its counts)."""
    digest = hashlib.sha256(pickle.dumps(spec, protocol=4)).hexdigest()[:24]
    return f"qieci-tokenizer-{digest}"


def cut_partition(
    path: str, start: int, end: int, out_path: str, name: str, options: dict[str, Any]
) -> dict[str, int]:
    """Segment the lines of ``path`` that begin in ``[start, end)`` into
    ``out_path`` (runs on a worker)."""
    from distributed import get_worker

    plugin = get_worker().plugins[name]
    # registered under ``name`` by cut_text_files, set up before any task runs
    assert isinstance(plugin, TokenizerPlugin) and plugin.tokenizer is not None
    tok = plugin.tokenizer
    out = AtomicOutput(out_path)  # held open (and locked) until committed
    try:
        res = cut_range(tok, (CutOptions(**options), path, start, end, out.tmp))
        out.commit()
    except BaseException:
        out.abort()
        raise
    return {"lines": res.stats.lines, "chars": res.stats.chars}


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


def cut_text_files(
    paths_or_glob: str | Iterable[str],
    out_dir: str,
    spec: Recipe,
    client: Any = None,
    *,
    options: CutOptions | None = None,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
) -> list[str]:
    """Segment text files on a Dask cluster with the tokenizer of ``spec``;
    return the part files written, in order (``client`` defaults to the
    current ``distributed`` client)."""
    from distributed import default_client

    if (
        isinstance(partition_bytes, bool)
        or not isinstance(partition_bytes, int)
        or partition_bytes < 1
    ):
        # (0 never moved the range split forward: a hang, memory growing)
        raise ValueError(
            f"partition_bytes must be a positive whole number of bytes, not {partition_bytes!r} "
            f"(default {DEFAULT_PARTITION_BYTES})"
        )
    client = client or default_client()
    paths = expand(paths_or_glob)
    name = plugin_name(spec)
    client.register_plugin(TokenizerPlugin(spec), name=name)
    os.makedirs(out_dir, exist_ok=True)
    bases = [os.path.basename(p) for p in paths]
    if len(set(bases)) != len(bases):
        raise InputError(
            "several inputs have the same file name; cut them into separate directories"
        )
    opts = asdict(options or CutOptions())
    calls = []
    for path, base in zip(paths, bases, strict=True):
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            # line-aligned where the client can read the file cheaply; the
            # workers align nominal ranges themselves otherwise
            ranges = line_ranges(f, size, partition_bytes, 4 * partition_bytes)
        for i, (start, end) in enumerate(ranges or byte_ranges(size, partition_bytes)):
            out_path = os.path.join(os.path.abspath(out_dir), f"{base}.part{i:05d}")
            calls.append((os.path.abspath(path), start, end, out_path))
    futures = [
        client.submit(cut_partition, p, s, e, o, name, opts, pure=False) for p, s, e, o in calls
    ]
    from distributed import wait

    # let every partition finish (or fail) before returning or raising, so
    # that no worker is still writing when the caller looks at out_dir
    wait(futures)
    client.gather(futures)
    return [o for _, _, _, o in calls]
