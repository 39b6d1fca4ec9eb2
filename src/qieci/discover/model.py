"""The learned model's view of the candidates: how it cuts the sample.

The sample is cut under each of a few standards of the learned model (they
differ in granularity: one standard's word is another's two). For each
standard this gives the words it cuts (how often each comes out whole) and
the boundaries of its cut, from which the kernel counts, for every
candidate, the occurrences whose both ends are boundaries
(:meth:`NgramCounter.add_cut`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..engines.learned.engine import engines_by_standard, model_standards
from ..tokenizer import PathArg, Tokenizer
from ._discover import NgramCounter, char_id

#: The standards the sample is cut under by default, chosen on the dev
#: files (``bench/tune_discover.py --standards``).
DEFAULT_STANDARDS = ("ctb", "weibo", "medical")


def chosen_standards(standards: Sequence[str] | None, model: PathArg | None = None) -> list[str]:
    """The standards to cut the sample under: ``standards`` (a string: that
    one standard), checked against the model's, or the default standards
    that the model has."""
    have, default = model_standards(model)
    if standards is None:
        return [s for s in DEFAULT_STANDARDS if s in have] or [default]
    if isinstance(standards, str):  # one standard's name
        standards = [standards]
    chosen = list(dict.fromkeys(standards))
    for s in chosen:
        if s not in have:
            raise ValueError(
                f"the model has no standard {s!r}; it has {', '.join(have)} (see 'qieci standards')"
            )
    return chosen


def cut_under(
    standards: Sequence[str], model: PathArg | None, lines: Sequence[str], max_len: int
) -> list[Cut]:
    """The cut of ``lines`` under each standard (every standard's engine from
    one read of the model, one folded table in memory at a time)."""
    out = []
    for engine in engines_by_standard(standards, model):
        tok = Tokenizer(engine=engine)
        out.append(cut_sample(tok, lines, max_len))
        del tok, engine
    return out


def word_bounds(words: Sequence[str]) -> bytes:
    """``len(text) + 1`` bytes, 1 where a word of the cut starts (and at
    the end of the text)."""
    n = sum(map(len, words))
    out = bytearray(n + 1)
    pos = 0
    for w in words:
        out[pos] = 1
        pos += len(w)
    out[n] = 1
    return bytes(out)


@dataclass
class Cut:
    """One standard's cut of the sample."""

    whole: Counter[str]  # the words of 2+ Han characters it cuts, with counts
    bounds: list[bytes]  # the word_bounds of each sample line


_SEP = "\x1f"  # between the words of a line in the engine's corpus format
_ENDS = re.compile("(\r?\n)")


def cut_lines(tok: Tokenizer, text: str) -> list[str]:
    """The words of ``text``, each of its lines cut on its own (so that how
    the text was split into pieces does not matter), line ends as words."""
    if _SEP not in text:
        out = tok.cut_lines(text, _SEP)
        words = [
            w
            for part in _ENDS.split(out)
            for w in (part.split(_SEP) if part[-1:] != "\n" else [part])
            if w
        ]
        if "".join(words) == text:
            return words
    words = []
    for line in text.split("\n"):
        words += tok.lcut(line)
        words.append("\n")
    words.pop()
    return [w for w in words if w]


def cut_sample(tok: Tokenizer, lines: Sequence[str], max_len: int) -> Cut:
    whole: Counter[str] = Counter()
    bounds = []
    for line in lines:
        words = cut_lines(tok, line)
        bounds.append(word_bounds(words))
        for w in words:
            if 2 <= len(w) <= max_len and all(char_id(c) for c in w):
                whole[w] += 1
    return Cut(whole, bounds)


def edge_counts(
    words: list[str], lines: Sequence[str], cut: Cut, max_len: int
) -> dict[str, tuple[int, int]]:
    """``(occurrences, occurrences with a boundary at both ends)`` of each
    word in the sample under ``cut``, in a counter of only these words."""
    if not lines or not words:
        return {}
    c = NgramCounter(max_len, 4 * 24 * len(words) + (1 << 16))  # never prunes
    c.add_words(words)
    c.freeze()
    for line, b in zip(lines, cut.bounds, strict=True):
        c.add_cut(line, b)
    return {w: (n, e) for w, n, e in c.edge_items()}
