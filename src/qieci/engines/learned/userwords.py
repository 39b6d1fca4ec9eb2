"""Finding user words in a text: leftmost, then longest, never overlapping.

Two matchers with the same results: a regular expression of the words
(longest first) for a few words, scanned in C; and, for many words (a
domain dictionary of 10k-100k), a set of the words probed at each position
that starts one, longest length first, which costs no compile and stays
fast however many words there are. :func:`matcher` picks one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

#: Above this many words the set matcher is used.
MANY = 2000


class RegexMatcher:
    def __init__(self, words: Iterable[str]) -> None:
        ordered = sorted(words, key=lambda w: (-len(w), w))
        self._re = re.compile("|".join(map(re.escape, ordered)))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        for m in self._re.finditer(text):
            yield m.span()


class SetMatcher:
    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        self._lengths = sorted({len(w) for w in self._words}, reverse=True)
        self._first = frozenset(w[0] for w in self._words)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        words, lengths, first = self._words, self._lengths, self._first
        i, n = 0, len(text)
        while i < n:
            if text[i] in first:
                for size in lengths:
                    if i + size <= n and text[i : i + size] in words:
                        yield i, i + size
                        i += size
                        break
                else:
                    i += 1
            else:
                i += 1


def matcher(words: Iterable[str]) -> RegexMatcher | SetMatcher | None:
    """A matcher of ``words`` (None when there are none)."""
    unique = set(words)
    if not unique:
        return None
    return SetMatcher(unique) if len(unique) > MANY else RegexMatcher(unique)
