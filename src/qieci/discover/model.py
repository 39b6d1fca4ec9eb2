"""The learned model's view of the candidates: how it cuts the sample.

The sample is cut under each of a few standards of the learned model (they
differ in granularity: one standard's word is another's two). For each
standard this gives the words it cuts (how often each comes out whole) and
the boundaries of its cut, from which the kernel counts, for every
candidate, the occurrences whose both ends are boundaries
(:meth:`NgramCounter.add_cut`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..tokenizer import PathArg, Tokenizer
from ._discover import NgramCounter, char_id

#: The standards the sample is cut under by default, chosen on the dev
#: files (``bench/tune_discover.py --standards``).
DEFAULT_STANDARDS = ("ctb", "weibo", "medical")


def model_tokenizers(
    standards: Sequence[str] | None, model: PathArg | None = None
) -> list[Tokenizer]:
    """One loaded learned-engine tokenizer per standard (the default
    standards that the model has, when ``standards`` is None)."""
    probe = Tokenizer(engine="learned", model=model)
    probe.initialize()
    have = probe.standards()
    if standards is None:
        chosen = [s for s in DEFAULT_STANDARDS if s in have] or [probe.standard]
    else:
        chosen = list(dict.fromkeys(standards))
        for s in chosen:
            if s not in have:
                raise ValueError(
                    f"the model has no standard {s!r}; it has {', '.join(have)} "
                    "(see 'qieci standards')"
                )
    out = []
    for s in chosen:
        tok = Tokenizer(engine="learned", standard=s, model=model)
        tok.initialize()
        out.append(tok)
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


def cut_sample(tok: Tokenizer, lines: Sequence[str], max_len: int) -> Cut:
    whole: Counter[str] = Counter()
    bounds = []
    for line in lines:
        words = tok.lcut(line)
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
