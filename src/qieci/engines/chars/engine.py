"""The chars engine: every character is a word of its own.

Character-level input is what many neural models of Chinese take (BERT's
Chinese vocabulary, character CNNs), and it is the baseline every
segmenter is scored against. It is also the smallest complete engine: it
implements only ``tokenize``, ``add_word`` and ``spec`` of
:class:`~qieci.engines.base.Engine`, and gets the whole Tokenizer API, the
command line and the worker pools from :class:`~qieci.engines.base.EngineBase`.

* All modes ("default", "all", "search") give the same words, and ``hmm``
  is ignored.
* User words come out whole: at each position the longest user word that
  starts there is one word (leftmost, then longest). ``freq`` 0 removes one.
* ``\\r\\n`` is two words, like any two characters.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from ..base import EngineBase, EngineSpec, Span, last_safe_split


class CharsEngine(EngineBase):
    """One character per word, except user words (see the module)."""

    name: ClassVar[str] = "chars"
    options: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # first character -> user words starting with it, longest first;
        # replaced whole on each change, so readers need no lock
        self._by_first: dict[str, tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return "CharsEngine()"

    def spec(self) -> EngineSpec:
        return EngineSpec(self.name)

    def tokenize(self, text: str, mode: str, hmm: bool) -> list[Span]:
        by_first = self._by_first
        if not by_first:
            return [(c, i, i + 1) for i, c in enumerate(text)]
        out: list[Span] = []
        i, n = 0, len(text)
        while i < n:
            end = i + 1
            for word in by_first.get(text[i], ()):
                if text.startswith(word, i):
                    end = i + len(word)
                    break
            out.append((text[i:end], i, end))
            i = end
        return out

    def lcut(self, text: str, mode: str, hmm: bool) -> list[str]:
        if not self._by_first:
            return list(text)
        return [w for w, _, _ in self.tokenize(text, mode, hmm)]

    def add_word(self, word: str, freq: int | None, tag: str | None) -> int:
        f = 1 if freq is None else freq
        with self._lock:
            table = dict(self._by_first)
            words = set(table.get(word[0], ()))
            if f > 0:
                words.add(word)
            else:
                words.discard(word)
            if words:
                table[word[0]] = tuple(sorted(words, key=lambda w: (-len(w), w)))
            else:
                table.pop(word[0], None)
            self._by_first = table
        return f

    def safe_split(self, text: str, limit: int, mode: str) -> int | None:
        """Any cut is safe, except next to a character of a user word."""
        table = self._by_first
        if not table:
            return min(limit, len(text)) or None
        avoid = frozenset("".join(w for words in table.values() for w in words))

        def is_safe(p: int) -> bool:
            return p >= len(text) or (text[p - 1] not in avoid and text[p] not in avoid)

        return last_safe_split(text, limit, is_safe)
