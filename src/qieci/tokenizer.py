"""The :class:`Tokenizer`: jieba's API over qieci's compiled engine.

Every method returns exactly what the same method of ``jieba.Tokenizer``
0.42.1 returns for the same dictionary, with two deliberate differences:

* user words containing characters that jieba's block split cuts at (spaces,
  ``*``, ``/`` ...) are matched whole (see :mod:`qieci.blocks`);
* invalid input raises a clear error instead of jieba's late failures: a
  negative frequency, an unreadable dictionary, a non-text sentence.

Tokenizers are independent: each owns its dictionary. A tokenizer is safe to
share between threads; dictionary edits are serialised by a lock, and every
cut sees the dictionary either before or after an edit, never half of one.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from typing import IO, Any, Union

from . import _core
from .blocks import ProtectedWords, is_protected_word
from .dictionary import DictData, default_hmm, load_data

PathArg = Union[str, "PathLike[str]"]
# jieba's user dictionary line: word, optional " freq", optional " tag"
_RE_USERDICT = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$")


def strdecode(sentence: Any) -> str:
    """Text as jieba takes it: ``str`` as is, bytes decoded as UTF-8, or as
    GBK (dropping undecodable bytes) when it is not UTF-8."""
    if isinstance(sentence, str):
        return sentence
    if isinstance(sentence, (bytes, bytearray, memoryview)):
        raw = bytes(sentence)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("gbk", "ignore")
    raise TypeError(f"expected str or bytes, not {type(sentence).__name__}")


class _State:
    """What a tokenizer has loaded: swapped whole on (re)initialisation."""

    __slots__ = ("tags", "trie", "hmm", "protected", "edits")

    def __init__(self, data: DictData) -> None:
        self.tags = data.tags
        # every add_word (and so del_word / suggest_freq(tune=True) /
        # load_userdict) since loading, with its resolved frequency: the
        # recipe from which worker processes rebuild this tokenizer
        self.edits: list[tuple[str, int, str | None]] = []
        self.trie: _core.Trie = data.build()
        self.hmm: _core.HMM = default_hmm()
        # None while there are no protected words: the fast path
        self.protected: ProtectedWords | None = None


class FreqView:
    """Read-only mapping view of the dictionary, like jieba's ``FREQ`` dict
    (words and their prefixes; a prefix that is not a word maps to 0)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tok = tokenizer

    def get(self, word: str, default: Any = None) -> Any:
        if self._tok.engine != "jieba":
            raise ValueError("FREQ (the dictionary) needs the jieba engine (engine='jieba')")
        f = self._tok._ready().trie.get(word) if isinstance(word, str) else -1
        return default if f < 0 else f

    def __getitem__(self, word: str) -> int:
        f = self.get(word)
        if f is None:
            raise KeyError(word)
        return f

    def __contains__(self, word: object) -> bool:
        return self.get(word) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        self.get("")  # the engine check
        return len(self._tok._ready().trie)


class Tokenizer:
    """A jieba-compatible segmenter with its own dictionary.

    ``dictionary`` is a path to a jieba-format text dictionary or a qieci
    binary dictionary; ``None`` means the bundled one (jieba 0.42.1's). It is
    loaded on first use, or by :meth:`initialize`.
    """

    def __new__(cls, dictionary: PathArg | None = None, *, engine: str = "jieba",
                standard: str | None = None, model: PathArg | None = None) -> Tokenizer:
        # engine="learned" gives qieci.engines.learned.LearnedTokenizer (a
        # subclass): the jieba engine's methods below stay as they are
        if engine == "learned" and cls is Tokenizer:
            from .engines.learned import LearnedTokenizer

            return super().__new__(LearnedTokenizer)
        if engine not in ("jieba", "learned"):
            raise ValueError(f"unknown engine {engine!r} (expected 'jieba' or 'learned')")
        return super().__new__(cls)

    def __init__(self, dictionary: PathArg | None = None, *, engine: str = "jieba",
                 standard: str | None = None, model: PathArg | None = None) -> None:
        if engine == "jieba" and (standard is not None or model is not None):
            raise ValueError("standard= and model= need engine='learned'")
        self.engine = "jieba"
        self.dictionary: str | None = (
            None if dictionary is None else os.path.abspath(os.fspath(dictionary))
        )
        self._lock = threading.RLock()
        self._state: _State | None = None
        self.user_word_tag_tab: dict[str, str] = {}
        self.FREQ = FreqView(self)
        # the qieci.posseg.POSTokenizer of tokenize(pos=True), made on demand
        self._pos_tokenizer: Any = None

    def __repr__(self) -> str:
        return f"<qieci.Tokenizer dictionary={self.dictionary!r}>"

    # -- loading -----------------------------------------------------------

    def initialize(self, dictionary: PathArg | None = None) -> None:
        """Load the dictionary now (otherwise it loads on first use).

        With ``dictionary``, switch to that file first. Raises ValueError
        when the file is missing, unreadable or malformed.
        """
        with self._lock:
            if dictionary is not None:
                path = os.path.abspath(os.fspath(dictionary))
                if path == self.dictionary and self._state is not None:
                    return
                self.dictionary = path
                self._state = None
            if self._state is None:
                self._state = _State(load_data(self.dictionary))

    def check_initialized(self) -> None:
        self._ready()

    def _ready(self) -> _State:
        state = self._state
        if state is None:
            self.initialize()
            state = self._state
            assert state is not None
        return state

    def set_dictionary(self, dictionary_path: PathArg) -> None:
        """Use another main dictionary (loaded on next use); edits made so
        far are dropped, as in jieba."""
        path = os.path.abspath(os.fspath(dictionary_path))
        if not os.path.isfile(path):
            raise ValueError(f"{path}: dictionary file does not exist")
        with self._lock:
            self.dictionary = path
            self._state = None

    # -- segmentation --------------------------------------------------------

    def lcut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,
             use_paddle: bool = False) -> list[str]:
        """The words of ``sentence`` as a list (see :meth:`cut`)."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        state = self._state or self._ready()
        if state.protected is None:
            if cut_all:
                return _core.lcut_all(state.trie, text)
            return _core.lcut(state.trie, state.hmm, text, HMM, False)
        words: list[str] = []
        for s, e, protected in state.protected.split(text):
            if protected:
                words.append(text[s:e])
            elif cut_all:
                words += _core.lcut_all(state.trie, text[s:e])
            else:
                words += _core.lcut(state.trie, state.hmm, text[s:e], HMM, False)
        return words

    def cut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,
            use_paddle: bool = False) -> Iterator[str]:
        """Yield the words of ``sentence``.

        ``cut_all`` gives jieba's full mode (every dictionary word, possibly
        overlapping); ``HMM`` enables the HMM for unknown words. Default mode
        is lossless: ``''.join(cut(s)) == s``. ``use_paddle`` is accepted for
        compatibility and ignored (jieba ignores it too without paddle).
        """
        yield from self.lcut(sentence, cut_all, HMM)

    def lcut_for_search(self, sentence: Any, HMM: bool = True) -> list[str]:
        """Words plus the in-dictionary 2- and 3-grams of longer words."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        state = self._state or self._ready()
        if state.protected is None:
            return _core.lcut(state.trie, state.hmm, text, HMM, True)
        return [w for w, _, _ in self._tokenize(state, text, HMM, True)]

    def cut_for_search(self, sentence: Any, HMM: bool = True) -> Iterator[str]:
        yield from self.lcut_for_search(sentence, HMM)

    def tokenize(self, unicode_sentence: str, mode: str = "default",
                 HMM: bool = True, pos: bool = False) -> Iterator[Any]:
        """Yield ``(word, start, end)``; ``mode`` is ``"default"`` or
        ``"search"`` (any other value means search, as in jieba).

        With ``pos=True``, yield ``(word, flag, start, end)`` for the words
        and tags of :mod:`qieci.posseg` (whose segmentation may differ from
        ``cut``'s, as jieba's does).
        """
        if not isinstance(unicode_sentence, str):
            raise ValueError("qieci: the input parameter should be str")
        if pos:
            from .posseg import POSTokenizer

            yield from POSTokenizer.of(self).tokenize(unicode_sentence, mode, HMM)
            return
        state = self._state or self._ready()
        yield from self._tokenize(state, unicode_sentence, HMM, mode != "default")

    def _tokenize(self, state: _State, text: str, hmm: bool,
                  search: bool) -> list[tuple[str, int, int]]:
        if state.protected is None:
            return _core.tokenize(state.trie, state.hmm, text, hmm, search)
        out: list[tuple[str, int, int]] = []
        for s, e, protected in state.protected.split(text):
            if protected:
                out.append((text[s:e], s, e))
            else:
                out += _core.tokenize(state.trie, state.hmm, text[s:e], hmm, search, s)
        return out

    # -- dictionary ------------------------------------------------------------

    def spec(self) -> TokenizerSpec:
        """A small picklable recipe that rebuilds this tokenizer (its
        dictionary file and its edits so far): what worker processes get,
        once each, instead of a pickled tokenizer."""
        with self._lock:
            # not loaded yet means not edited yet: no need to load here
            edits = tuple(self._state.edits) if self._state is not None else ()
            return TokenizerSpec(self.dictionary, edits, dict(self.user_word_tag_tab))

    def cut_many(self, texts: Iterable[str], jobs: int | None = 1, *, cut_all: bool = False,
                 HMM: bool = True, search: bool = False) -> Iterator[list[str]]:
        """``lcut`` (or ``lcut_for_search``) of every text, in order.

        With ``jobs`` > 1 (``None``: all cores), the work is spread over that
        many worker processes, each of which rebuilds this tokenizer once from
        :meth:`spec`. Results are identical to ``jobs=1``. Input is consumed
        lazily, with a bounded number of batches in flight.
        """
        from .parallel import cut_many

        mode = "search" if search else ("all" if cut_all else "default")
        return cut_many(self, texts, jobs=jobs, mode=mode, hmm=HMM)

    def cutter(self, mode: str = "default", hmm: bool = True, pos_sep: str = "/"):
        """The list-returning cut function for ``mode``: "default", "all",
        "search", or "pos" (``word + pos_sep + tag`` tokens of
        :mod:`qieci.posseg`)."""
        if mode == "pos":
            from .posseg import POSTokenizer

            tagger = POSTokenizer.of(self)
            return lambda s: [p.word + pos_sep + p.flag for p in tagger.lcut(s, hmm)]
        if mode == "search":
            return lambda s: self.lcut_for_search(s, hmm)
        if mode == "all":
            return lambda s: self.lcut(s, True, hmm)
        if mode == "default":
            return lambda s: self.lcut(s, False, hmm)
        raise ValueError(f"unknown mode {mode!r}")

    def cut_lines(self, text: str, delimiter: str = " ", mode: str = "default",
                  HMM: bool = True, crlf_to_lf: bool = False, pos_sep: str = "/") -> str:
        """Segment every ``\n``-terminated line of ``text`` and return the
        lines with their words joined by ``delimiter`` and their line ends
        kept (``\r\n`` written as ``\n`` with ``crlf_to_lf``): the corpus
        format, produced without a Python object per word."""
        state = self._state or self._ready()
        if state.protected is None and mode in ("default", "search"):
            return _core.cut_lines(state.trie, state.hmm, text, delimiter, HMM,
                                   mode == "search", crlf_to_lf)
        return join_lines(self.cutter(mode, HMM, pos_sep), text, delimiter, crlf_to_lf)

    def protected_chars(self) -> frozenset[str]:
        """Characters of the protected user words (see :mod:`qieci.blocks`):
        text must not be split apart next to them."""
        state = self._state  # not loaded: not edited, so no protected words
        if state is None or state.protected is None:
            return frozenset()
        return state.protected.chars()

    def get_FREQ(self, word: str, default: Any = None) -> Any:
        return self.FREQ.get(word, default)

    @property
    def total(self) -> int:
        """Sum of all frequencies added, as jieba's ``total``."""
        return self._ready().trie.total

    def add_word(self, word: Any, freq: Any = None, tag: str | None = None) -> None:
        """Add ``word`` (or change its frequency). Without ``freq``, use
        :meth:`suggest_freq` so that the word is cut out whole."""
        word = strdecode(word)
        if not word:
            raise ValueError("cannot add an empty word")
        with self._lock:
            state = self._ready()
            f = int(freq) if freq is not None else self.suggest_freq(word, False)
            if f < 0:
                raise ValueError(f"negative frequency {f} for word {word!r}")
            if tag:  # before the word: a reader that sees the word sees its tag
                self.user_word_tag_tab[word] = tag
            state.trie.add_word(word, f)  # one step for concurrent readers
            state.edits.append((word, f, tag or None))
            if is_protected_word(word):
                protected = state.protected or ProtectedWords()
                if f > 0:
                    protected.add(word)
                else:
                    protected.discard(word)
                state.protected = protected if protected else None

    def del_word(self, word: Any) -> None:
        """Delete ``word``: it keeps frequency 0 and the HMM never emits it."""
        self.add_word(word, 0)

    def suggest_freq(self, segment: Any, tune: bool = False) -> int:
        """The frequency that makes ``segment`` (a str) come out whole, or
        that splits a word into ``segment`` (a tuple of str); with ``tune``,
        also set it. Same arithmetic as jieba."""
        with self._lock:
            state = self._ready()
            trie = state.trie
            ftotal = float(trie.total)
            freq: float = 1
            if isinstance(segment, str):
                word = segment
                for seg in self.lcut(word, HMM=False):
                    freq *= _get(trie, seg, 1) / ftotal
                result = max(int(freq * trie.total) + 1, _get(trie, word, 1))
            else:
                parts = tuple(strdecode(s) for s in segment)
                word = "".join(parts)
                for seg in parts:
                    freq *= _get(trie, seg, 1) / ftotal
                result = min(int(freq * trie.total), _get(trie, word, 0))
            if tune:
                self.add_word(word, result)
            return result

    def load_userdict(self, f: PathArg | IO[bytes] | IO[str]) -> None:
        """Add the words of a user dictionary: one ``word [freq] [tag]`` per
        line, UTF-8. A word may contain spaces (``Color OS 10 nz``)."""
        self._ready()
        if isinstance(f, (str, PathLike)):
            name = os.fspath(f)
            try:
                fh: Any = open(name, "rb")
            except OSError as exc:
                raise ValueError(f"{name}: cannot read user dictionary: {exc.strerror}") from None
            with fh:
                self._load_userdict_lines(fh, name)
        else:
            self._load_userdict_lines(f, getattr(f, "name", repr(f)))

    def _load_userdict_lines(self, lines: Iterable[Any], name: str) -> None:
        for lineno, raw in enumerate(lines, 1):
            line = raw.strip()
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8").lstrip("\ufeff")
                except UnicodeDecodeError as exc:
                    raise ValueError(
                        f"{name}:{lineno}: invalid UTF-8 at byte offset {exc.start}"
                    ) from None
            if not line:
                continue
            m = _RE_USERDICT.match(line)
            assert m is not None  # the pattern matches any non-empty line
            word, freq, tag = m.groups()
            self.add_word(word, freq.strip() if freq else None, tag.strip() if tag else None)


@dataclass(frozen=True)
class TokenizerSpec:
    """How to rebuild a Tokenizer: its dictionary file and the edits made to
    it. Picklable and small (no dictionary data)."""

    dictionary: str | None = None
    edits: tuple[tuple[str, int, str | None], ...] = ()
    user_tags: dict[str, str] | None = None
    engine: str = "jieba"
    standard: str | None = None  # learned engine: the standard and model file
    model: str | None = None

    def build(self) -> Tokenizer:
        if self.engine == "jieba":
            tok = Tokenizer(self.dictionary)
        else:
            tok = Tokenizer(engine=self.engine, standard=self.standard, model=self.model)
        for word, freq, tag in self.edits:
            tok.add_word(word, freq, tag)
        if self.user_tags:
            tok.user_word_tag_tab.update(self.user_tags)
        return tok


def join_lines(cut: Any, text: str, delimiter: str, crlf_to_lf: bool = False) -> str:
    """Reference for :meth:`Tokenizer.cut_lines` over any cut function."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        term = "" if last else "\n"
        if not last and line.endswith("\r"):
            line, term = line[:-1], ("\n" if crlf_to_lf else "\r\n")
        out.append(delimiter.join(cut(line)) + term)
    return "".join(out)


def _get(trie: _core.Trie, word: str, default: int) -> int:
    f = trie.get(word)
    return default if f < 0 else f
