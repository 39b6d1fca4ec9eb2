"""The jieba engine: jieba 0.42.1's segmentation over qieci's compiled core.

:class:`JiebaEngine` gives, for the same dictionary, exactly the words of
jieba's ``Tokenizer`` in each mode: "default" (the max-probability route over
the dictionary DAG, with the HMM for unknown words), "all" (jieba's
``cut_all``) and "search" (``cut_for_search``). Beyond jieba, user words
that contain characters jieba's block split cuts at (``Color OS``) are
matched whole (:mod:`qieci.engines.jieba.blocks`).

It offers two capabilities besides :class:`~qieci.engines.base.Engine`:
:class:`~qieci.engines.base.Dictionary` (frequencies, jieba's
``suggest_freq`` arithmetic, another main dictionary) and
:class:`~qieci.engines.base.Tagging` (jieba's ``posseg``, in
:mod:`qieci.engines.jieba.tagger`).

The dictionary loads on first use or by :meth:`JiebaEngine.load`; what is
loaded is one :class:`State`, swapped whole. ``add_word`` changes the Trie
in one step, so a concurrent cut sees the word or not, never half of it.
"""

from __future__ import annotations

import os
import threading
from os import PathLike
from types import ModuleType
from typing import Any, ClassVar

import qieci.engines.jieba._core as _core

from ..base import EngineBase, EngineSpec, Span, join_lines, last_safe_split
from .blocks import ProtectedWords, in_block, is_protected_word
from .dictionary import MAX_FREQ, load_data
from .state import State, load_state


class JiebaEngine(_core.EngineCore, EngineBase):
    """jieba's dictionary segmenter. ``dictionary``: a jieba-format text
    dictionary or a qieci binary one; None means the bundled (jieba
    0.42.1's)."""

    name: ClassVar[str] = "jieba"
    options: ClassVar[tuple[str, ...]] = ("dictionary",)

    def __init__(self, dictionary: str | PathLike[str] | None = None) -> None:
        self.dictionary: str | None = (
            None if dictionary is None else os.path.abspath(os.fspath(dictionary))
        )
        self._lock = threading.RLock()
        self._state = None  # the loaded State (a field of EngineCore)
        self._tagger: ModuleType | None = None  # the tagger module, once used

    def __repr__(self) -> str:
        return f"JiebaEngine(dictionary={self.dictionary!r})"

    def spec(self) -> EngineSpec:
        return EngineSpec(self.name, (("dictionary", self.dictionary),) if self.dictionary else ())

    # -- loading -----------------------------------------------------------

    def load(self) -> None:
        self.state()

    def loaded(self) -> bool:
        """Whether the dictionary has loaded."""
        return self._state is not None

    def state(self) -> State:
        """The loaded state (loading the dictionary on first use; ValueError
        when it is missing, unreadable or malformed)."""
        state = self._state
        if state is None:
            with self._lock:
                state = self._state
                if state is None:
                    state = self._state = load_state(load_data(self.dictionary))
        return state

    def set_dictionary(self, path: str) -> None:
        """Use another main dictionary, loaded on next use; user words added
        so far are dropped (as in jieba)."""
        with self._lock:
            self.dictionary = os.path.abspath(os.fspath(path))
            self._state = None

    # -- segmentation --------------------------------------------------------

    # lcut(text, mode, hmm) is EngineCore's (compiled): with no protected
    # user words it calls the kernel directly, else _lcut_pieces below

    def _lcut_pieces(self, state: State, text: str, mode: str, hmm: bool) -> list[str]:
        """``lcut`` around the protected user words (under the lock: the
        pieces are separate kernel calls, and an add_word between two of
        them would be in some pieces and not in others)."""
        with self._lock:
            state = self.state()
            if state.protected is None:  # (the last one went meanwhile)
                if mode == "all":
                    return _core.lcut_all(state.trie, text)
                return _core.lcut(state.trie, state.hmm, text, hmm, mode == "search")
            if mode == "search":
                return [w for w, _, _ in self._tokenize(state, text, hmm, True)]
            words: list[str] = []
            for s, e, protected in state.protected.split(text):
                if protected:
                    words.append(text[s:e])
                elif mode == "all":
                    words += _core.lcut_all(state.trie, text[s:e])
                else:
                    words += _core.lcut(state.trie, state.hmm, text[s:e], hmm, False)
            return words

    def tokenize(self, text: str, mode: str, hmm: bool) -> list[Span]:
        """Spans in "default" or "search" mode (jieba's ``tokenize``); "all"
        mode has overlapping words and gives them with their offsets."""
        if mode == "all":
            return _offsets_all(self.lcut(text, "all", hmm), text)
        state = self._state or self.state()
        if state.protected is None:
            return _core.tokenize(state.trie, state.hmm, text, hmm, mode == "search")
        with self._lock:  # the pieces see one dictionary
            return self._tokenize(self.state(), text, hmm, mode == "search")

    @staticmethod
    def _tokenize(state: State, text: str, hmm: bool, search: bool) -> list[Span]:
        if state.protected is None:
            return _core.tokenize(state.trie, state.hmm, text, hmm, search)
        out: list[Span] = []
        for s, e, protected in state.protected.split(text):
            if protected:
                out.append((text[s:e], s, e))
            else:
                out += _core.tokenize(state.trie, state.hmm, text[s:e], hmm, search, s)
        return out

    def cut_lines(self, text: str, delimiter: str, mode: str, hmm: bool, crlf_to_lf: bool) -> str:
        state = self._state or self.state()
        if state.protected is None and mode in ("default", "search"):
            return _core.cut_lines(
                state.trie, state.hmm, text, delimiter, hmm, mode == "search", crlf_to_lf
            )
        with self._lock:  # every line sees one dictionary
            return join_lines(lambda s: self.lcut(s, mode, hmm), text, delimiter, crlf_to_lf)

    def cut_lines_utf8(
        self, data: bytes, delimiter: bytes, mode: str, hmm: bool, crlf_to_lf: bool
    ) -> tuple[bytes, int, int] | None:
        """The kernel's byte path (default and search mode, no protected
        user words): UTF-8 in, UTF-8 out, no ``str`` in between."""
        state = self._state or self.state()
        if state.protected is not None or mode not in ("default", "search"):
            return None
        return _core.cut_lines_utf8(
            state.trie, state.hmm, data, delimiter, hmm, mode == "search", crlf_to_lf
        )

    def safe_split(self, text: str, limit: int, mode: str) -> int | None:
        """In "default" and "search" mode every character outside the block
        class is a word of its own (except ``\\r`` before ``\\n``), so a cut
        right after one gives the same words as the whole text. In "all"
        mode runs outside the class are kept whole, so a cut is safe only
        where such a run begins after a block. Protected user words may span
        any other cut, so no cut touches their characters."""
        state = self._state
        avoid = state.protected.chars() if state is not None and state.protected else frozenset()

        def is_safe(p: int) -> bool:
            if p >= len(text):
                return True
            left, right = text[p - 1], text[p]
            if left in avoid or right in avoid:
                return False
            if mode == "all":
                return in_block(left) and not in_block(right)
            return not in_block(left) and left != "\r"

        return last_safe_split(text, limit, is_safe)

    # -- user words and the dictionary -----------------------------------------

    def add_word(self, word: str, freq: int | None, tag: str | None) -> int:
        """Add ``word`` with ``freq`` (None: :meth:`suggest_freq`'s, so that
        it comes out whole; 0 deletes it: the HMM never emits it either)."""
        with self._lock:
            state = self.state()
            f = self.suggest_freq(word) if freq is None else freq
            if state.trie.total + f > MAX_FREQ:
                raise ValueError(
                    f"adding {word!r} with frequency {f} would take the dictionary's total "
                    "frequency past 2**63-1"
                )
            state.trie.add_word(word, f)  # one step for concurrent readers
            if is_protected_word(word):
                protected = state.protected or ProtectedWords()
                if f > 0:
                    protected.add(word)
                else:
                    protected.discard(word)
                state.protected = protected if protected else None
            return f

    def freq(self, word: str) -> int:
        return self.state().trie.get(word)

    def total(self) -> int:
        return self.state().trie.total

    def size(self) -> int:
        return len(self.state().trie)

    def entries(self) -> list[tuple[str, int, str | None]]:
        """``(word, frequency, tag)`` of every word and prefix of the
        dictionary (a bare prefix has frequency 0, a word without a tag the
        tag None), in the order they went in (a prefix before its words)."""
        from array import array

        with self._lock:  # one dictionary: no edit in between
            state = self.state()
            raw_parent, raw_chars, raw_freq, raw_tag = state.trie.to_arrays()
        parent, chars = array("I", raw_parent), array("I", raw_chars)
        freq, tag = array("q", raw_freq), array("H", raw_tag)
        names = state.tags
        words = [""]  # node 0: the root; a parent is made before its children
        out: list[tuple[str, int, str | None]] = []
        for i in range(len(chars)):
            node = i + 1
            word = words[node - parent[i]] + chr(chars[i])
            words.append(word)
            t = tag[i]
            out.append((word, freq[i], names[t] if 0 < t < len(names) and names[t] else None))
        return out

    def suggest_freq(self, segment: str | tuple[str, ...]) -> int:
        """jieba's arithmetic: the frequency that makes ``segment`` (a str)
        come out whole, or that splits a word into ``segment`` (a tuple)."""
        with self._lock:
            trie = self.state().trie
            ftotal = float(trie.total)
            freq: float = 1
            if isinstance(segment, str):
                for seg in self.lcut(segment, "default", False):
                    freq *= _get(trie, seg, 1) / ftotal
                return max(int(freq * trie.total) + 1, _get(trie, segment, 1))
            for seg in segment:
                freq *= _get(trie, seg, 1) / ftotal
            return min(int(freq * trie.total), _get(trie, "".join(segment), 0))

    # -- part-of-speech tags (the Tagging capability) ------------------------------

    def _load_tagger(self) -> ModuleType:
        # imported on first use: most users never tag, and the tagger's HMM
        # tables would cost every start-up
        from . import tagger

        self._tagger = tagger
        return tagger

    def pos_lcut(
        self, text: str, hmm: bool, user_tags: dict[str, str], model: Any = None
    ) -> list[Any]:
        tagger = self._tagger or self._load_tagger()
        state = self.state()
        if state.protected is None:
            return tagger.lcut(state, text, hmm, user_tags, model)
        with self._lock:  # the pieces see one dictionary
            return tagger.lcut(self.state(), text, hmm, user_tags, model)

    def pos_tokenize(
        self, text: str, mode: str, hmm: bool, user_tags: dict[str, str], model: Any = None
    ) -> list[tuple[str, str, int, int]]:
        tagger = self._tagger or self._load_tagger()
        state = self.state()
        if state.protected is None and mode == "default":
            return tagger.tokenize(state, text, hmm, user_tags, model, False)
        with self._lock:  # the pieces and the grams see one dictionary
            return tagger.tokenize(self.state(), text, hmm, user_tags, model, mode != "default")

    def word_tag(self, word: str) -> str | None:
        tagger = self._tagger or self._load_tagger()
        return tagger.dictionary_tag(self.state(), word)

    def tag_set(self, user_tags: dict[str, str], model: Any = None) -> frozenset[str]:
        """Every tag :meth:`pos_lcut` can give with ``user_tags`` and
        ``model`` (the dictionary's, the POS HMM's, ``m``/``eng``/``x``)."""
        tagger = self._tagger or self._load_tagger()
        return tagger.tag_set(self.state(), user_tags, model)


def _offsets_all(words: list[str], text: str) -> list[Span]:
    """Full-mode words with their offsets. Full mode emits words in order of
    their start, and one word at most once per start: each word is found at
    or after the previous start, and after its own previous occurrence."""
    out: list[Span] = []
    pos = 0
    seen: dict[str, int] = {}
    for w in words:
        at = text.index(w, max(pos, seen.get(w, -1) + 1))
        out.append((w, at, at + len(w)))
        pos = at
        seen[w] = at
    return out


def _get(trie: _core.Trie, word: str, default: int) -> int:
    f = trie.get(word)
    return default if f < 0 else f
