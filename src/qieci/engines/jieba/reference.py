"""Pure-Python reference of the compiled jieba-compatible kernel.

Slow and simple on purpose: every function states one step of the algorithm
over plain dicts, so that the tests can check :mod:`qieci.engines.jieba._core` against it
on generated input (and both against jieba itself). It is not used at run
time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from math import log

from .blocks import BLOCK_CHARS, HAN_CHARS

# jieba 0.42.1's regular expressions
RE_BLOCK = re.compile(f"([{BLOCK_CHARS}]+)")
RE_SKIP = re.compile("(\r\n|\\s)")
RE_HAN = re.compile(f"([{HAN_CHARS}]+)")
RE_HMM_SKIP = re.compile("([a-zA-Z0-9]+(?:\\.\\d+)?%?)")
RE_ENG = re.compile("[a-zA-Z0-9]")

MIN_FLOAT = -3.14e100
STATES = "BMES"
# the states each state may follow, in the order jieba's max() sees them
PREV = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}


def hmm_dicts(start, trans, chars, emit):
    """The HMM arrays of :func:`qieci.engines.jieba.dictionary.hmm_tables` as jieba-style
    dicts (missing entries left out, as in jieba's tables)."""
    st = {y: start[i] for i, y in enumerate(STATES)}
    tr = {
        a: {b: trans[4 * i + j] for j, b in enumerate(STATES) if trans[4 * i + j] != MIN_FLOAT}
        for i, a in enumerate(STATES)
    }
    em: dict[str, dict[str, float]] = {y: {} for y in STATES}
    for k, c in enumerate(chars):
        for j, y in enumerate(STATES):
            if emit[4 * k + j] != MIN_FLOAT:
                em[y][chr(c)] = emit[4 * k + j]
    return st, tr, em


@dataclass
class ReferenceEngine:
    freq: dict[str, int]  # words and prefixes (0), as jieba's FREQ
    total: int
    start: Mapping[str, float]
    trans: Mapping[str, Mapping[str, float]]
    emit: Mapping[str, Mapping[str, float]]
    force_split: set[str] = field(default_factory=set)

    # -- dictionary route -------------------------------------------------

    def dag(self, s: str) -> list[list[int]]:
        out = []
        for k in range(len(s)):
            ends = []
            i = k + 1
            while i <= len(s) and s[k:i] in self.freq:
                if self.freq[s[k:i]]:
                    ends.append(i - 1)
                i += 1
            out.append(ends or [k])
        return out

    def route(self, s: str) -> list[int]:
        """For every position, the end (inclusive) of the best word there."""
        dag = self.dag(s)
        logtotal = log(self.total)
        best: list[tuple[float, int]] = [(0.0, 0)] * (len(s) + 1)
        for k in range(len(s) - 1, -1, -1):
            best[k] = max(
                (log(self.freq.get(s[k : x + 1]) or 1) - logtotal + best[x + 1][0], x)
                for x in dag[k]
            )
        return [x for _, x in best[:-1]]

    # -- HMM --------------------------------------------------------------

    def viterbi(self, s: str) -> str:
        v = {y: self.start[y] + self.emit[y].get(s[0], MIN_FLOAT) for y in STATES}
        paths = {y: y for y in STATES}
        for ch in s[1:]:
            nv, npaths = {}, {}
            for y in STATES:
                e = self.emit[y].get(ch, MIN_FLOAT)
                p, prev = max((v[y0] + self.trans[y0].get(y, MIN_FLOAT) + e, y0) for y0 in PREV[y])
                nv[y], npaths[y] = p, paths[prev] + y
            v, paths = nv, npaths
        return paths[max((v[y], y) for y in "ES")[1]]

    def hmm_words(self, s: str) -> list[str]:
        out: list[str] = []
        for piece in RE_HAN.split(s):
            if not piece:
                continue
            if RE_HAN.fullmatch(piece):
                words = []
                tags = self.viterbi(piece)
                begin = nxt = 0
                for i, t in enumerate(tags):
                    if t == "B":
                        begin = i
                    elif t == "E":
                        words.append(piece[begin : i + 1])
                        nxt = i + 1
                    elif t == "S":
                        words.append(piece[i])
                        nxt = i + 1
                if nxt < len(piece):
                    words.append(piece[nxt:])
                # deleted words are never emitted whole by the HMM
                out += [c for w in words for c in ([w] if w not in self.force_split else w)]
            else:
                out += [x for x in RE_HMM_SKIP.split(piece) if x]
        return out

    # -- blocks -------------------------------------------------------------

    def cut_block(self, s: str, hmm: bool) -> list[str]:
        ends = self.route(s)
        out: list[str] = []
        buf = ""
        x = 0

        def flush() -> None:
            if len(buf) == 1:
                out.append(buf)
            elif not self.freq.get(buf):
                out.extend(self.hmm_words(buf))
            else:
                out.extend(buf)

        while x < len(s):
            y = ends[x] + 1
            word = s[x:y]
            single = y - x == 1 and (hmm or RE_ENG.match(word) is not None)
            if single:
                buf += word
            else:
                if buf:
                    flush() if hmm else out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            flush() if hmm else out.append(buf)
        return out

    def cut_all_block(self, s: str) -> list[str]:
        out: list[str] = []
        old_j = -1
        eng: str | None = None
        for k, ends in enumerate(self.dag(s)):
            if eng is not None and not RE_ENG.match(s[k]):
                out.append(eng)
                eng = None
            if len(ends) == 1 and k > old_j:
                word = s[k : ends[0] + 1]
                if RE_ENG.match(word):
                    eng = word if eng is None else eng + word
                if eng is None:
                    out.append(word)
                old_j = ends[0]
            else:
                for j in ends:
                    if j > k:
                        out.append(s[k : j + 1])
                        old_j = j
        if eng is not None:
            out.append(eng)
        return out

    def lcut(self, text: str, hmm: bool = True, cut_all: bool = False) -> list[str]:
        out: list[str] = []
        for blk in RE_BLOCK.split(text):
            if not blk:
                continue
            if RE_BLOCK.fullmatch(blk):
                out += self.cut_all_block(blk) if cut_all else self.cut_block(blk, hmm)
            else:
                for x in RE_SKIP.split(blk):
                    if RE_SKIP.fullmatch(x) or cut_all:
                        out.append(x)
                    else:
                        out.extend(x)
        return out

    def lcut_for_search(self, text: str, hmm: bool = True) -> list[str]:
        return [w for w, _, _ in self.tokenize(text, hmm, search=True)]

    def tokenize(
        self, text: str, hmm: bool = True, search: bool = False
    ) -> list[tuple[str, int, int]]:
        out = []
        start = 0
        for w in self.lcut(text, hmm):
            if search:
                for n in (2, 3):
                    if len(w) > n:
                        out += [
                            (w[i : i + n], start + i, start + i + n)
                            for i in range(len(w) - n + 1)
                            if self.freq.get(w[i : i + n])
                        ]
            out.append((w, start, start + len(w)))
            start += len(w)
        return out
