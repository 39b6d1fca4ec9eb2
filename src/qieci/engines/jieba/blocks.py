"""Text to blocks: the character classes of jieba, and protected user words.

jieba cuts text in two stages. The text is first split into *blocks*: runs of
characters of :data:`BLOCK_CHARS` go to the dictionary engine, everything else
is emitted character by character (``\\r\\n`` stays one token). The compiled
kernel implements this split itself; the character classes here are its
specification (the pure-Python reference engine compiles them into jieba's
regular expressions).

Beyond jieba: a user word that contains a character outside
:data:`BLOCK_CHARS` (``Color OS``, ``*ST舜船``, ``R&D 中心``) could never be
found by the dictionary engine, because the block split breaks it apart.
:class:`ProtectedWords` finds such words first and hands the text between them
to the engine. With no such words, nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

#: The Han range of jieba's patterns (U+4E00..U+9FD5, both included).
HAN_FIRST, HAN_LAST = 0x4E00, 0x9FD5
#: Characters scored by the HMM (``re_han`` in jieba.finalseg).
HAN_CHARS = f"{chr(HAN_FIRST)}-{chr(HAN_LAST)}"
#: Characters of jieba's dictionary blocks (``re_han_default`` in jieba):
#: the Han range and these ASCII characters.
BLOCK_CHARS = HAN_CHARS + "a-zA-Z0-9+#&._%\\-"

#: The ASCII characters of the block class (the rest of it is the Han
#: range). Written out, not taken from a compiled pattern: a pattern with
#: the Han range takes milliseconds to compile, at every start.
ASCII_BLOCK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")


def is_protected_word(word: str) -> bool:
    """True when ``word`` has a character the block split would cut at."""
    return not all(in_block(ch) for ch in word)


class ProtectedWords:
    """A set of user words matched before the block split.

    Matching is leftmost, then longest. A match is rejected when it would
    split a run of ASCII letters and digits (``Color OS`` does not match
    inside ``MyColor OSX``).
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._words: set[str] = set(words)
        self._pattern: re.Pattern[str] | None = None
        self._compile()

    def __bool__(self) -> bool:
        return bool(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def chars(self) -> frozenset[str]:
        return frozenset("".join(self._words))

    def copy(self) -> ProtectedWords:
        return ProtectedWords(self._words)

    def add(self, word: str) -> None:
        if word not in self._words:
            self._words.add(word)
            self._compile()

    def discard(self, word: str) -> None:
        if word in self._words:
            self._words.discard(word)
            self._compile()

    def _compile(self) -> None:
        if not self._words:
            self._pattern = None
            return
        alts = "|".join(_edge_guarded(w) for w in sorted(self._words, key=lambda w: (-len(w), w)))
        self._pattern = re.compile(alts)

    def split(self, text: str) -> Iterator[tuple[int, int, bool]]:
        """Yield ``(start, end, protected)`` spans that tile ``text``."""
        pattern = self._pattern
        pos = 0
        if pattern is not None:
            for m in pattern.finditer(text):
                s, e = m.span()
                if s > pos:
                    yield pos, s, False
                yield s, e, True
                pos = e
        if pos < len(text) or not text:
            yield pos, len(text), False


def _edge_guarded(word: str) -> str:
    """The escaped word, refusing to start or end inside an ASCII alnum run."""
    head = "(?<![A-Za-z0-9])" if _alnum(word[0]) else ""
    tail = "(?![A-Za-z0-9])" if _alnum(word[-1]) else ""
    return head + re.escape(word) + tail


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def in_block(ch: str) -> bool:
    """True when the character ``ch`` belongs to the block class."""
    return ch in ASCII_BLOCK or HAN_FIRST <= ord(ch) <= HAN_LAST
