"""The learned engine: a trained B/M/E/S character tagger behind jieba's API.

:class:`LearnedTokenizer` is what ``qieci.Tokenizer(engine="learned", ...)``
returns. It loads a model (:mod:`qieci.model`; the bundled one by default),
picks one segmentation standard, and decodes with the compiled kernel of
:mod:`qieci._learned`.

* ``cut``/``lcut`` give the model's words (lossless: joined they are the
  input). ``cut_all`` has no meaning for a tagger and gives the same words.
* search mode (``cut_for_search``, ``tokenize(mode="search")``) adds, before
  each word longer than two characters, its 2-grams and (for words longer
  than three) its 3-grams that are in the model's lexicon (jieba's
  dictionary), as jieba's search mode does.
* user words (``add_word``, ``load_userdict``) are honoured by constrained
  decoding: each leftmost-longest occurrence of a user word in the text is
  forced to be one word (B M... E tags, and boundaries on both sides). A
  word that contains whitespace (always a word of its own) cannot be forced;
  when constraints cannot all hold, the sentence is decoded without them.
  ``del_word`` removes a user word (it does not forbid model words).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from .._learned import Decoder, Lexicon, trim_heap
from ..model import fold_weights, parse_meta, parse_text, parse_trans, parse_vocab, read_sections
from ..tokenizer import Tokenizer, TokenizerSpec, join_lines, strdecode

#: The standard used when none is given: the one closest to jieba's word
#: granularity: with jieba's words of all dev text as the reference, cnc's
#: words score the highest F1 (bench/granularity.py, docs/learned.md).
DEFAULT_STANDARD = "cnc"


class _Loaded:
    """A model bound to one standard: its decoder and lexicon (the weight
    table folded for that standard; nothing else of the model is kept but
    the compressed vocabulary)."""

    __slots__ = ("standard", "standards", "decoder", "lexicon", "_vocab", "source")

    def __init__(self, model_path: str | None, standard: str | None) -> None:
        sec, source = read_sections(model_path)
        meta = parse_meta(sec, source)
        std = standard or (DEFAULT_STANDARD if DEFAULT_STANDARD in meta.standards
                           else meta.standards[0])
        index = meta.standard_index(std, source)
        trans = parse_trans(sec, meta, source)
        lexicon = Lexicon(text=parse_text(sec, "lexicon", source))
        own = parse_vocab(sec, source, "stdlex").get(std)
        std_lexicon = Lexicon(text=own) if own else None
        del sec["lexicon"], sec["stdlex"], own
        trim_heap()  # the word texts are gone: lower the peak before the table
        self.decoder = Decoder(None, [int(trans[i] + trans[index * 20 + i]) for i in range(20)],
                               lexicon, meta.bits, index, std_lexicon)
        fold_weights(sec, meta, index, source, self.decoder.fold_in)
        del sec["weights"]
        trim_heap()
        self.lexicon = lexicon
        self.standard = std
        self.standards = tuple(meta.standards)
        self._vocab = {"vocab": sec["vocab"]}  # compressed until asked for
        self.source = source

    def vocab(self) -> list[str]:
        """The training words of this standard."""
        text = parse_vocab(self._vocab, self.source).get(self.standard, "")
        return text.split("\n") if text else []


class LearnedTokenizer(Tokenizer):
    """The learned engine behind the Tokenizer API: what
    ``Tokenizer(engine="learned", standard=..., model=...)`` returns (a
    subclass, so the jieba engine's methods stay untouched).

    ``model``: a model file (None: the bundled model); ``standard``: one of
    the model's standards (None: :data:`DEFAULT_STANDARD`, or the model's
    first standard when it lacks that one). The model loads on first use or
    by :meth:`initialize`; an unknown standard or a bad file raises
    ValueError then.
    """

    def __init__(self, dictionary: Any = None, *, engine: str = "learned",
                 standard: str | None = None, model: Any = None) -> None:
        if dictionary is not None:
            raise ValueError("the learned engine takes no dictionary (use model=PATH)")
        super().__init__(None)
        self.engine = "learned"
        self.standard = standard
        self.model = resolve_model_path(model)
        self._loaded: _Loaded | None = None
        self._user_words: dict[str, int] = {}
        self._user_re: re.Pattern[str] | None = None
        self._user_edits: list[tuple[str, int, str | None]] = []

    def initialize(self, dictionary: Any = None) -> None:
        """Load the model now (otherwise it loads on first use)."""
        with self._lock:
            if self._loaded is None:
                self._loaded = _Loaded(self.model, self.standard)
                self.standard = self._loaded.standard

    def check_initialized(self) -> None:
        self._engine()

    def _ready(self) -> Any:
        # the jieba engine's loading hook (used by inherited helpers such as
        # load_userdict): load the model, never jieba's dictionary
        self._engine()
        return None

    @property
    def total(self) -> int:
        raise ValueError("total (dictionary frequency sum) needs the jieba engine")

    def _engine(self) -> _Loaded:
        loaded = self._loaded
        if loaded is None:
            self.initialize()
            loaded = self._loaded
            assert loaded is not None
        return loaded

    def standards(self) -> tuple[str, ...]:
        """The standards of the loaded model."""
        return self._engine().standards

    def training_vocab(self) -> list[str]:
        """The training words of the current standard (the OOV reference)."""
        return self._engine().vocab()

    def __repr__(self) -> str:
        return f"<qieci.Tokenizer engine='learned' standard={self.standard!r} model={self.model!r}>"

    # -- segmentation --------------------------------------------------------

    def _forced(self, text: str) -> bytes | None:
        rx = self._user_re
        if rx is None:
            return None
        mask = None
        for m in rx.finditer(text):
            s, e = m.span()
            if mask is None:
                mask = bytearray(b"\x0f" * len(text))
            if e - s == 1:
                mask[s] = 8
            else:
                mask[s] = 1
                for k in range(s + 1, e - 1):
                    mask[k] = 2
                mask[e - 1] = 4
            if s > 0:
                mask[s - 1] &= 12
            if e < len(text):
                mask[e] &= 9
        return None if mask is None else bytes(mask)

    def lcut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,
             use_paddle: bool = False) -> list[str]:
        """The model's words of ``sentence`` (``cut_all``/``HMM`` ignored)."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        dec = (self._loaded or self._engine()).decoder
        if self._user_re is None:
            return dec.lcut(text)
        return dec.lcut(text, self._forced(text))

    def cut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,
            use_paddle: bool = False) -> Iterator[str]:
        yield from self.lcut(sentence, cut_all, HMM)

    def _search_words(self, word: str, start: int) -> list[tuple[str, int, int]]:
        lex = self._engine().lexicon
        out = []
        n = len(word)
        if n > 2:
            for i in range(n - 1):
                g = word[i:i + 2]
                if g in lex:
                    out.append((g, start + i, start + i + 2))
        if n > 3:
            for i in range(n - 2):
                g = word[i:i + 3]
                if g in lex:
                    out.append((g, start + i, start + i + 3))
        out.append((word, start, start + n))
        return out

    def _tokens(self, text: str, search: bool) -> list[tuple[str, int, int]]:
        out: list[tuple[str, int, int]] = []
        pos = 0
        for w in self.lcut(text):
            if search:
                out += self._search_words(w, pos)
            else:
                out.append((w, pos, pos + len(w)))
            pos += len(w)
        return out

    def lcut_for_search(self, sentence: Any, HMM: bool = True) -> list[str]:
        """Words plus the in-lexicon 2- and 3-grams of longer words."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        return [w for w, _, _ in self._tokens(text, True)]

    def cut_for_search(self, sentence: Any, HMM: bool = True) -> Iterator[str]:
        yield from self.lcut_for_search(sentence, HMM)

    def tokenize(self, unicode_sentence: str, mode: str = "default",
                 HMM: bool = True, pos: bool = False) -> Iterator[Any]:
        """Yield ``(word, start, end)``; search mode adds sub-words."""
        if not isinstance(unicode_sentence, str):
            raise ValueError("qieci: the input parameter should be str")
        if pos:
            raise ValueError("tokenize(pos=True) needs the jieba engine")
        yield from self._tokens(unicode_sentence, mode != "default")

    def cutter(self, mode: str = "default", hmm: bool = True, pos_sep: str = "/"):
        """The list-returning cut function for ``mode`` ("default", "all" =
        default, "search"); "pos" needs the jieba engine."""
        if mode == "pos":
            raise ValueError("POS tagging (--pos) needs the jieba engine")
        if mode == "search":
            return self.lcut_for_search
        if mode in ("default", "all"):
            return self.lcut
        raise ValueError(f"unknown mode {mode!r}")

    def cut_lines(self, text: str, delimiter: str = " ", mode: str = "default",
                  HMM: bool = True, crlf_to_lf: bool = False, pos_sep: str = "/") -> str:
        """As :meth:`qieci.Tokenizer.cut_lines`, with this engine."""
        if mode in ("default", "all") and self._user_re is None:
            return self._engine().decoder.cut_lines(text, delimiter, crlf_to_lf)
        return join_lines(self.cutter(mode, HMM, pos_sep), text, delimiter, crlf_to_lf)

    def protected_chars(self) -> frozenset[str]:
        """Characters of user words: long lines are not split next to them."""
        return frozenset("".join(self._user_words))

    # -- user words ------------------------------------------------------------

    def add_word(self, word: Any, freq: Any = None, tag: str | None = None) -> None:
        """Make ``word`` a user word (forced whole); ``freq`` 0 removes it."""
        word = strdecode(word)
        if not word:
            raise ValueError("cannot add an empty word")
        f = 1 if freq is None else int(freq)
        if f < 0:
            raise ValueError(f"negative frequency {f} for word {word!r}")
        with self._lock:
            if f == 0:
                self._user_words.pop(word, None)
            else:
                self._user_words[word] = f
            self._user_edits.append((word, f, tag or None))
            if tag:
                self.user_word_tag_tab[word] = tag  # type: ignore[attr-defined]
            self._compile_user()

    def del_word(self, word: Any) -> None:
        self.add_word(word, 0)

    def suggest_freq(self, segment: Any, tune: bool = False) -> int:
        """Frequencies mean nothing to the model: with ``tune``, a str
        becomes a user word; returns 1."""
        if tune and isinstance(segment, str):
            self.add_word(segment)
        return 1

    def _compile_user(self) -> None:
        words = sorted(self._user_words, key=lambda w: (-len(w), w))
        self._user_re = re.compile("|".join(map(re.escape, words))) if words else None

    def spec(self):
        """The recipe for worker processes (model, standard, user edits)."""
        with self._lock:
            self._engine()
            return TokenizerSpec(None, tuple(self._user_edits),
                                 dict(self.user_word_tag_tab),  # type: ignore[attr-defined]
                                 engine="learned", standard=self.standard,
                                 model=self.model)

    def _dictionary_only(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("this method needs the jieba engine (engine='jieba')")

    set_dictionary = _dictionary_only
    get_FREQ = _dictionary_only


def resolve_model_path(model: Any) -> str | None:
    """An absolute model path, or None for the bundled model."""
    return None if model is None else os.path.abspath(os.fspath(model))



__all__ = ["DEFAULT_STANDARD", "LearnedTokenizer", "resolve_model_path"]
