"""Part-of-speech tagging over the jieba engine's state (jieba's ``posseg``).

The functions here give what ``jieba.posseg`` 0.42.1 gives for the same
dictionary: the same words with the same tags. Like jieba's tagger, they

* split the text into blocks of ``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._]`` (no
  ``%`` and ``-``, unlike ``cut``), so they may segment differently from the
  engine's ``lcut``;
* tag a dictionary word with its tag (a user tag wins), any other word ``x``;
* tag runs of characters outside the dictionary with the joint B/M/E/S x tag
  HMM of jieba (Han characters) or as ``m`` (numbers), ``eng`` (Latin letters
  and digits) and ``x`` (everything else).

They read the engine's own Trie (no copy), so a dictionary edit shows in the
next call. Protected user words (:mod:`qieci.engines.jieba.blocks`) come out
whole. The kernel is :mod:`qieci.engines.jieba._posseg`; its pure-Python twin
is :mod:`qieci.engines.jieba.reference_posseg`.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import qieci.engines.jieba._core as _core
import qieci.engines.jieba._posseg as _posseg

from ._posseg import pair
from .posmodel import PosHMMTables, default_tables
from .state import State

_POSITIONS = {"B": 0, "M": 1, "E": 2, "S": 3}
#: the tags of runs outside the dictionary and the POS HMM: numbers, Latin
#: letters and digits, anything else (``_posseg.pyx``, ``reference_posseg``)
NON_DICTIONARY_TAGS = ("m", "eng", "x")
Tagged = tuple[str, str, int, int]


@dataclass(frozen=True)
class TaggerModel:
    """A compiled POS HMM and the names of its tags."""

    hmm: _posseg.PosHMM
    tags: tuple[str, ...]


def hmm_from_tables(tables: PosHMMTables) -> TaggerModel:
    """Compile HMM tables for the kernel (ValueError naming the source)."""
    tags = tables.tags
    tag_index = {t: i for i, t in enumerate(tags)}
    positions = array("B", [_POSITIONS[p] for p, _ in tables.states])
    tag_ids = array("H", [tag_index[t] for _, t in tables.states])
    try:
        hmm = _posseg.PosHMM(
            positions,
            tag_ids,
            tables.start,
            tables.trans_from,
            tables.trans_to,
            tables.trans_p,
            tables.emit_chars,
            tables.emit_ptr,
            tables.emit_state,
            tables.emit_p,
            tables.cs_chars,
            tables.cs_ptr,
            tables.cs_state,
        )
    except ValueError as exc:
        raise ValueError(f"{tables.source}: corrupt POS HMM ({exc})") from None
    return TaggerModel(hmm, tags)


@functools.lru_cache(maxsize=1)
def default_model() -> TaggerModel:
    """The bundled POS HMM (jieba 0.42.1's), compiled once (immutable)."""
    return hmm_from_tables(default_tables())


def dictionary_tag(state: State, word: str) -> str | None:
    """The dictionary's tag of ``word`` (None: not a word, or no tag)."""
    tid = state.trie.get_tag(word)
    if 0 < tid < len(state.tags) and state.tags[tid]:
        return state.tags[tid]
    return None


def tag_set(
    state: State, user_tags: Mapping[str, str], model: TaggerModel | None = None
) -> frozenset[str]:
    """Every tag the tagger can give over ``state``: the dictionary's, the
    POS HMM's (``model``, else the bundled one), the tags of runs outside
    both, and ``user_tags``'."""
    m = model or default_model()
    tags = {*state.tags, *m.tags, *NON_DICTIONARY_TAGS, *user_tags.values()}
    tags.discard("")
    return frozenset(tags)


def flag(state: State, word: str, user_tags: Mapping[str, str]) -> str:
    """The tag of a dictionary-route word (jieba's ``word_tag_tab.get``)."""
    tag = user_tags.get(word)
    if tag is not None:
        return tag
    return dictionary_tag(state, word) or "x"


def lcut(
    state: State, text: str, hmm: bool, user_tags: dict[str, str], model: TaggerModel | None
) -> list[pair]:
    """The tagged words of ``text``: a list of :class:`pair`."""
    m = model or default_model()
    user = user_tags
    if state.protected is None:
        return _posseg.lcut(state.trie, m.hmm, text, hmm, state.tags, user, m.tags)
    out: list[pair] = []
    for s, e, whole in state.protected.split(text):
        if whole:
            out.append(pair(text[s:e], flag(state, text[s:e], user)))
        else:
            out += _posseg.lcut(state.trie, m.hmm, text[s:e], hmm, state.tags, user, m.tags)
    return out


def tokenize(
    state: State,
    text: str,
    hmm: bool,
    user_tags: dict[str, str],
    model: TaggerModel | None,
    search: bool,
) -> list[Tagged]:
    """``(word, flag, start, end)`` for every tagged word; without
    ``search`` the spans tile the input. ``search`` also gives, before each
    word longer than 2 (3), its 2-grams (3-grams) that are dictionary words,
    as the engine's search mode does, tagged like dictionary words."""
    m = model or default_model()
    user = user_tags
    if state.protected is None and not search:
        return _posseg.tokenize(state.trie, m.hmm, text, hmm, state.tags, user, m.tags)
    toks: list[Tagged] = []
    pieces = ((0, len(text), False),) if state.protected is None else state.protected.split(text)
    for s, e, whole in pieces:
        if whole:
            toks.append((text[s:e], flag(state, text[s:e], user), s, e))
        else:
            toks += _posseg.tokenize(state.trie, m.hmm, text[s:e], hmm, state.tags, user, m.tags, s)
    if not search:
        return toks
    return list(_with_grams(state, toks, state.trie, user))


def _with_grams(
    state: State, toks: Iterable[Tagged], trie: _core.Trie, user: Mapping[str, str]
) -> Iterator[Tagged]:
    for word, tag, start, end in toks:
        for n in (2, 3):
            if len(word) > n:
                for i in range(len(word) - n + 1):
                    gram = word[i : i + n]
                    if trie.get(gram) > 0:
                        yield gram, flag(state, gram, user), start + i, start + i + n
        yield word, tag, start, end
