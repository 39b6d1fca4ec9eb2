"""The pure-Python twin of :mod:`qieci.discover._discover` (the definition
the kernel is tested against; see that module for the meaning).

The table is a dict; its *slots* grow and it prunes exactly as the
kernel's do (double when three quarters full below the limit; at the limit
drop the grams counted at most ``t`` times at the end of a run when three
quarters full, or at once when nine tenths full), so that both give the
same counts even when pruning.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

MAX_ORDER = 7
SLOT_BYTES = 24
MIN_SLOTS = 64
HIST = 256


def char_id(c: str) -> int:
    """The 17-bit id of a character (0: not Han)."""
    if not c:
        return 0
    o = ord(c[0])
    if 0x3400 <= o <= 0x9FFF:
        return 0 if 0x4DC0 <= o <= 0x4DFF else o - 0x3400 + 1
    if 0xF900 <= o <= 0xFAFF:
        return o - 0xF900 + 27649
    if 0x20000 <= o <= 0x3134F:
        return o - 0x20000 + 28161
    return 98641 if o == 0x3007 else 0


def is_han(c: str) -> bool:
    return char_id(c) != 0


class NgramCounter:
    def __init__(self, max_len: int = 6, max_bytes: int = 256 << 20) -> None:
        if not 1 <= max_len <= MAX_ORDER - 1:
            raise ValueError(f"max_len must be 1..{MAX_ORDER - 1}, not {max_len}")
        self.max_len = max_len
        self.order = max_len + 1
        cap = MIN_SLOTS
        while cap * 2 * SLOT_BYTES <= max(max_bytes, 0):
            cap *= 2
        self.max_slots = cap
        self.slots = min(1024, cap)
        self.counts: dict[str, int] = {}
        self.edges: dict[str, int] = {}
        self.total = 0
        self.error = 0
        self.prunes = 0
        self.frozen = False

    def __len__(self) -> int:
        return len(self.counts)

    def _add(self, gram: str, delta: int) -> None:
        if gram in self.counts:
            self.counts[gram] = min(self.counts[gram] + delta, 0xFFFFFFFF)
            return
        if self.frozen:
            return
        self.counts[gram] = delta
        if len(self.counts) * 4 > self.slots * 3 and self.slots < self.max_slots:
            self.slots *= 2
        elif len(self.counts) * 10 > self.slots * 9:
            self._prune()

    def _settle(self) -> None:
        if len(self.counts) * 4 > self.slots * 3:
            self._prune()

    def _prune(self) -> None:
        hist = [0] * HIST
        for c in self.counts.values():
            hist[min(c, HIST - 1)] += 1
        need = len(self.counts) - self.slots // 2
        t = 0
        cum = hist[0]
        while cum < need and t < HIST - 1:
            t += 1
            cum += hist[t]
        self.counts = {g: c for g, c in self.counts.items() if c > t}
        self.edges = {g: c for g, c in self.edges.items() if g in self.counts}
        self.prunes += 1
        self.error += t

    def add(self, text: str) -> None:
        n = len(text)
        for i in range(n):
            if not is_han(text[i]):
                continue
            if not self.frozen:
                self.total += 1
            j = i
            while j < n and j - i < self.order and is_han(text[j]):
                self._add(text[i : j + 1], 1)
                j += 1
            if i + 1 == n or not is_han(text[i + 1]):
                self._settle()

    def add_cut(self, text: str, bounds: bytes) -> None:
        if len(bounds) != len(text) + 1:
            raise ValueError("add_cut: bounds must have len(text) + 1 bytes")
        for i in range(len(text)):
            j = i
            while j < len(text) and j - i < self.order and is_han(text[j]):
                g = text[i : j + 1]
                if g in self.counts:
                    self.counts[g] = min(self.counts[g] + 1, 0xFFFFFFFF)
                    if bounds[i] and bounds[j + 1]:
                        self.edges[g] = self.edges.get(g, 0) + 1
                j += 1

    def edge_items(self) -> list[tuple[str, int, int]]:
        return [(g, c, self.edges.get(g, 0)) for g, c in self.counts.items() if c]

    def _countable(self, w: object) -> bool:
        return isinstance(w, str) and 1 <= len(w) <= self.order and all(map(is_han, w))

    def add_words(self, words: Iterable[str]) -> None:
        for w in words:
            if self._countable(w):
                self._add(w, 0)

    def freeze(self) -> None:
        self.frozen = True

    def count(self, gram: str) -> int:
        return self.counts.get(gram, 0) if self._countable(gram) else 0

    def items(self) -> list[tuple[str, int]]:
        return list(self.counts.items())

    def merge_items(self, items: Iterable[tuple[str, int]], total: int, error: int) -> None:
        for g, c in items:
            self._add(g, c)
            self._settle()
        self.total += total
        self.error += error

    def _pmi(self, w: str, count: int) -> float:
        best = math.inf
        for s in range(1, len(w)):
            a, b = self.counts.get(w[:s], 0), self.counts.get(w[s:], 0)
            if not a or not b:
                return -1e300
            best = min(best, math.log(count * self.total / (a * b)))
        return best

    def candidates(
        self, min_count: int, min_len: int, max_len: int, min_pmi: float, limit: int = -1
    ) -> list[tuple[str, int, float]]:
        lo, hi = max(min_len, 2), min(max_len, self.max_len)
        least = max(min_count, 1)
        if limit >= 0:
            hist = [0] * 65537
            for g, c in self.counts.items():
                if c >= least and lo <= len(g) <= hi:
                    hist[min(c, 65536)] += 1
            above = 0
            for b in range(65536, least - 1, -1):
                if above + hist[b] > limit:
                    least = b + 1
                    break
                above += hist[b]
        out = []
        for g, c in self.counts.items():
            if c < least or not lo <= len(g) <= hi:
                continue
            pmi = self._pmi(g, c)
            if pmi >= min_pmi:
                out.append((g, c, pmi))
        return out

    def stats(self, words: list[str]) -> list[tuple[int, float, float, float]]:
        wanted = {w for w in words if self._stat_word(w)}
        right = dict.fromkeys(wanted, 0.0)
        left = dict.fromkeys(wanted, 0.0)
        for g, c in self.counts.items():
            if len(g) < 3 or c == 0:
                continue
            if g[:-1] in right:
                right[g[:-1]] += c * math.log(c)
            if g[1:] in left:
                left[g[1:]] += c * math.log(c)
        out = []
        for w in words:
            c = self.counts.get(w, 0) if w in wanted else 0
            if not c:
                out.append((0, 0.0, 0.0, 0.0))
                continue
            out.append(
                (
                    c,
                    self._pmi(w, c),
                    max(0.0, math.log(c) - left[w] / c),
                    max(0.0, math.log(c) - right[w] / c),
                )
            )
        return out

    def _stat_word(self, w: object) -> bool:
        return isinstance(w, str) and 2 <= len(w) <= self.max_len and self._countable(w)
