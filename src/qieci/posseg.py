"""Part-of-speech tagging: jieba's ``posseg`` API over qieci's compiled tagger.

``qieci.posseg.lcut(s)`` returns what ``jieba.posseg.lcut(s)`` 0.42.1 returns:
the same words with the same tags. Like jieba's, the tagger

* splits the text into blocks of ``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._]`` (no
  ``%`` and ``-``, unlike ``cut``), so it may segment differently from
  :func:`qieci.lcut`;
* tags a dictionary word with its dictionary tag (a user tag given to
  ``add_word`` or in a user dictionary wins), any other word ``x``;
* tags runs of characters outside the dictionary with the joint B/M/E/S x
  tag HMM of jieba (Han characters) or as ``m`` (numbers), ``eng`` (Latin
  letters and digits) and ``x`` (everything else).

Beyond jieba: :meth:`POSTokenizer.tokenize` gives offsets; user words that
the :class:`~qieci.Tokenizer` protects (words with spaces and the like) come
out whole, as they do from ``cut``; the tags follow the tokenizer's current
dictionary (jieba keeps those of the dictionary it was built with).

A :class:`POSTokenizer` reads its tokenizer's dictionary itself (the same
compiled Trie that ``cut`` reads; no copy is made), so a dictionary edit
shows in the next call. Thread safety is the tokenizer's: one kernel call
sees the dictionary before or after an edit, never half of one, and a call
that takes several steps (around protected words, or adding the grams of
``mode="search"``) holds the tokenizer's lock, which edits take too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import _core, _posseg
from ._posseg import pair
from .posmodel import PosHMMTables, default_tables
from .tokenizer import Tokenizer, _State, strdecode

__all__ = ["pair", "POSTokenizer", "dt", "cut", "lcut", "initialize", "hmm_from_tables"]

_POSITIONS = {"B": 0, "M": 1, "E": 2, "S": 3}


@dataclass(frozen=True)
class TaggerModel:
    """A compiled POS HMM and the names of its tags."""

    hmm: _posseg.PosHMM
    tags: tuple[str, ...]


def hmm_from_tables(tables: PosHMMTables) -> TaggerModel:
    """Compile HMM tables for the kernel (ValueError naming the source)."""
    from array import array

    tags = tables.tags
    tag_index = {t: i for i, t in enumerate(tags)}
    positions = array("B", [_POSITIONS[p] for p, _ in tables.states])
    tag_ids = array("H", [tag_index[t] for _, t in tables.states])
    try:
        hmm = _posseg.PosHMM(positions, tag_ids, tables.start, tables.trans_from,
                             tables.trans_to, tables.trans_p, tables.emit_chars,
                             tables.emit_ptr, tables.emit_state, tables.emit_p,
                             tables.cs_chars, tables.cs_ptr, tables.cs_state)
    except ValueError as exc:
        raise ValueError(f"{tables.source}: corrupt POS HMM ({exc})") from None
    return TaggerModel(hmm, tags)


@functools.lru_cache(maxsize=1)
def default_model() -> TaggerModel:
    """The bundled POS HMM (jieba 0.42.1's), compiled once."""
    return hmm_from_tables(default_tables())


class TagTable:
    """jieba's ``word_tag_tab`` as a view: word -> tag, where tags set here
    (or given to ``add_word``) override the dictionary's."""

    def __init__(self, owner: POSTokenizer) -> None:
        self._owner = owner
        self.overrides: dict[str, str] = {}

    def get(self, word: str, default: Any = None) -> Any:
        tag = self._owner._flag(word, None)
        return default if tag is None else tag

    def __getitem__(self, word: str) -> str:
        tag = self.get(word)
        if tag is None:
            raise KeyError(word)
        return tag

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __setitem__(self, word: str, tag: str) -> None:
        self.overrides[word] = tag

    def update(self, other: Any = (), **kw: str) -> None:
        self.overrides.update(other, **kw)


class POSTokenizer:
    """A part-of-speech tagger over a :class:`~qieci.Tokenizer` (a new one
    with the bundled dictionary when none is given)."""

    def __init__(self, tokenizer: Tokenizer | None = None,
                 model: TaggerModel | None = None) -> None:
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer()
        self._model = model
        self.word_tag_tab = TagTable(self)

    @classmethod
    def of(cls, tokenizer: Tokenizer) -> POSTokenizer:
        """The tagger shared by ``tokenizer.tokenize(pos=True)`` and, for
        ``qieci.dt``, by the functions of this module."""
        tagger = tokenizer._pos_tokenizer
        if tagger is None:
            tagger = tokenizer._pos_tokenizer = cls(tokenizer)
        return tagger

    def __repr__(self) -> str:
        return f"<qieci.POSTokenizer tokenizer={self.tokenizer!r}>"

    def __getattr__(self, name: str) -> Any:
        if name in ("cut_for_search", "lcut_for_search"):
            raise NotImplementedError(name)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.tokenizer, name)

    def initialize(self, dictionary: Any = None) -> None:
        self.tokenizer.initialize(dictionary)

    # -- state ---------------------------------------------------------------

    def _model_ready(self) -> TaggerModel:
        model = self._model
        if model is None:
            model = self._model = default_model()
        return model

    def _state(self) -> _State:
        """The tokenizer's loaded state (its Trie, tags, protected words)."""
        tok = self.tokenizer
        return tok._state or tok._ready()

    def _user_tags(self) -> dict[str, str]:
        """jieba's makesure_userdict_loaded: take over the tokenizer's user
        tags (they then live in ``word_tag_tab``)."""
        pending = self.tokenizer.user_word_tag_tab
        overrides = self.word_tag_tab.overrides
        if pending:
            with self.tokenizer._lock:  # add_word adds tags under this lock
                overrides.update(pending)
                pending.clear()
        return overrides

    def _flag(self, word: str, default: Any = "x") -> Any:
        """The tag of a dictionary-route word (jieba's word_tag_tab.get)."""
        tag = self._user_tags().get(word)
        if tag is not None:
            return tag
        state = self._state()
        tid = state.trie.get_tag(word)
        if 0 < tid < len(state.tags) and state.tags[tid]:
            return state.tags[tid]
        return default

    # -- tagging ---------------------------------------------------------------

    def lcut(self, sentence: Any, HMM: bool = True) -> list[pair]:
        """The tagged words of ``sentence``: a list of :class:`pair`."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        user = self._user_tags()
        model = self._model_ready()
        state = self._state()
        if state.protected is None:
            return _posseg.lcut(state.trie, model.hmm, text, HMM, state.tags, user, model.tags)
        out: list[pair] = []
        with self.tokenizer._lock:  # the pieces see one dictionary
            state = self._state()
            for s, e, whole in _pieces(state, text):
                if whole:
                    out.append(pair(text[s:e], self._flag(text[s:e])))
                else:
                    out += _posseg.lcut(state.trie, model.hmm, text[s:e], HMM, state.tags,
                                        user, model.tags)
        return out

    def cut(self, sentence: Any, HMM: bool = True) -> Iterator[pair]:
        """Yield the tagged words of ``sentence`` (see :meth:`lcut`)."""
        yield from self.lcut(sentence, HMM)

    def tokenize(self, unicode_sentence: str, mode: str = "default",
                 HMM: bool = True) -> list[tuple[str, str, int, int]]:
        """``(word, flag, start, end)`` for every tagged word; in default mode
        the spans tile the input. ``mode="search"`` also gives, before each
        word longer than 2 (3), its 2-grams (3-grams) that are dictionary
        words, as ``Tokenizer.tokenize`` does, tagged like dictionary words."""
        if not isinstance(unicode_sentence, str):
            raise ValueError("qieci: the input parameter should be str")
        text = unicode_sentence
        user = self._user_tags()
        model = self._model_ready()
        state = self._state()
        if state.protected is None and mode == "default":
            return _posseg.tokenize(state.trie, model.hmm, text, HMM, state.tags, user,
                                    model.tags)
        toks: list[tuple[str, str, int, int]] = []
        with self.tokenizer._lock:  # the pieces and the grams see one dictionary
            state = self._state()
            for s, e, whole in _pieces(state, text):
                if whole:
                    toks.append((text[s:e], self._flag(text[s:e]), s, e))
                else:
                    toks += _posseg.tokenize(state.trie, model.hmm, text[s:e], HMM,
                                             state.tags, user, model.tags, s)
            if mode == "default":
                return toks
            return list(self._with_grams(toks, state.trie))

    def _with_grams(self, toks: Iterable[tuple[str, str, int, int]],
                    trie: _core.Trie) -> Iterator[tuple[str, str, int, int]]:
        for word, flag, start, end in toks:
            for n in (2, 3):
                if len(word) > n:
                    for i in range(len(word) - n + 1):
                        gram = word[i:i + n]
                        if trie.get(gram) > 0:
                            yield gram, self._flag(gram), start + i, start + i + n
            yield word, flag, start, end


def _pieces(state: _State, text: str) -> Iterable[tuple[int, int, bool]]:
    """``(start, end, whole)`` spans tiling ``text``: the protected words
    (``whole``) and the text between them; one span without any."""
    if state.protected is None:
        return ((0, len(text), False),)
    return state.protected.split(text)


# -- the default tagger and jieba's module functions ----------------------------

def _default() -> POSTokenizer:
    import qieci

    return POSTokenizer.of(qieci.dt)


#: The tagger over ``qieci.dt`` behind the module functions.
dt = _default()
initialize = dt.initialize


def cut(sentence: Any, HMM: bool = True, use_paddle: bool = False) -> Iterator[pair]:
    """Yield the tagged words of ``sentence`` with the default tagger
    (``use_paddle`` is accepted and ignored, as jieba does without paddle)."""
    yield from dt.lcut(sentence, HMM)


def lcut(sentence: Any, HMM: bool = True, use_paddle: bool = False) -> list[pair]:
    """The tagged words of ``sentence`` with the default tagger, as a list."""
    return dt.lcut(sentence, HMM)
