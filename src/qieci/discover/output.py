"""Writing discovered words: TSV, or a user dictionary.

* ``tsv``: a header line ``word<TAB>freq<TAB>score``, then one word per
  line with its corpus frequency and its score (6 decimals).
  ``load_userdict`` and ``qieci cut --user-dict`` of either engine read
  this file too (the header says what it is): as its words, each with the
  frequency that keeps it whole;
* ``userdict``: one word per line, the format of ``load_userdict`` and
  ``qieci cut --user-dict`` for both engines. The frequency is left out on
  purpose: jieba's engine then gives each word the frequency that keeps it
  whole (as ``add_word(word)`` does), and the learned engine forces user
  words whole whatever their frequency.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from ..tokenizer import DISCOVER_TSV_HEADER
from .api import NewWord

FORMATS = ("tsv", "userdict")


def format_words(words: Iterable[NewWord], fmt: str = "tsv") -> Iterable[str]:
    """The output lines (with their ``\\n``)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "userdict":
        for w in words:
            yield f"{w.word}\n"
        return
    yield DISCOVER_TSV_HEADER + "\n"
    for w in words:
        yield f"{w.word}\t{w.freq}\t{w.score:.6f}\n"


def write_words(words: Iterable[NewWord], sink: BinaryIO, fmt: str = "tsv") -> None:
    """Write ``words`` to a binary sink as UTF-8 in format ``fmt``."""
    for line in format_words(words, fmt):
        sink.write(line.encode("utf-8"))
