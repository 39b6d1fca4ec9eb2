"""Segmenting corpora on a ``dask.distributed`` cluster.

Install with ``pip install 'qieci[dask]'``. Every input file is split into
byte ranges of about ``partition_bytes`` (64 MiB). A range owns the lines
that *begin* inside it, so ranges never split a line. Each range is
segmented on a worker into its own output file
``OUT_DIR/<file name>.part<NNNNN>``. Concatenating one file's parts in name
order gives exactly what ``qieci cut FILE`` writes on one machine.

Each worker builds the tokenizer once from its :class:`~qieci.TokenizerSpec`.
Input paths, dictionaries and the output directory must be visible to every
worker under the same names (a shared file system). The machinery is
:mod:`qieci.io.cluster`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .io.cluster import DEFAULT_PARTITION_BYTES, expand
from .io.cluster import cut_text_files as _cut_text_files
from .io.stream import CutOptions
from .tokenizer import Tokenizer


def cut_text_files(
    paths_or_glob: str | Iterable[str],
    out_dir: str,
    client: Any = None,
    *,
    options: CutOptions | None = None,
    tokenizer: Tokenizer | None = None,
    dictionary: str | None = None,
    user_dicts: Iterable[str] = (),
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
) -> list[str]:
    """Segment text files on a Dask cluster; return the part files written,
    in order (``client`` defaults to the current ``distributed`` client).

    The tokenizer is ``tokenizer``, or else a jieba-engine one with the main
    ``dictionary`` (None: the bundled one) and the ``user_dicts`` loaded.
    """
    if tokenizer is None:
        tokenizer = Tokenizer(dictionary)
        # a bad dictionary is a ValueError here, once, not a traceback in
        # every worker's log before the same error comes back
        tokenizer.initialize()
        for u in user_dicts:
            tokenizer.load_userdict(u)
    return _cut_text_files(
        paths_or_glob,
        out_dir,
        tokenizer.spec(),
        client,
        options=options,
        partition_bytes=partition_bytes,
    )


__all__ = ["DEFAULT_PARTITION_BYTES", "cut_text_files", "expand"]
