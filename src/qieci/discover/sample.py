"""A uniform sample of pieces of text within a character budget.

The learned model reads a sample of the corpus (its whole text when that is
small): every piece (a block of lines, see :mod:`.reading`) is kept while
the sample fits ``max_chars``; when it overflows, the sampling rate halves
and the kept pieces that the lower rate would not have kept are dropped.
Which pieces a rate keeps depends only on their position (a hash of their
number), so the sample is deterministic and spread evenly over the corpus.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


def _mix(n: int) -> int:
    """A 64-bit hash of a line number (splitmix64's finaliser)."""
    z = (n * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class LineSample:
    """Lines kept at rate ``2**-level`` (``level`` grows as needed so that
    at most ``max_chars`` characters are kept)."""

    def __init__(self, max_chars: int, seed: int = 0) -> None:
        self.max_chars = max_chars
        self.seed = seed
        self.level = 0
        self.chars = 0
        self.seen = 0
        self._lines: list[tuple[int, str]] = []

    def _keeps(self, n: int, level: int) -> bool:
        return level == 0 or _mix(n ^ (self.seed << 40)) & ((1 << level) - 1) == 0

    def add(self, text: str) -> None:
        n = self.seen
        self.seen += 1
        if self.max_chars <= 0 or not text or not self._keeps(n, self.level):
            return
        if len(text) > self.max_chars:
            text = text[: self.max_chars]
        self._lines.append((n, text))
        self.chars += len(text)
        while self.chars > self.max_chars:
            self.level += 1
            self._lines = [(i, t) for i, t in self._lines if self._keeps(i, self.level)]
            self.chars = sum(len(t) for _, t in self._lines)

    @property
    def lines(self) -> list[str]:
        return [t for _, t in self._lines]
