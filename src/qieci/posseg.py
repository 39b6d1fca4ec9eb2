"""Part-of-speech tagging: jieba's ``posseg`` API over a tokenizer's engine.

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

The tagging itself is a capability of the engine
(:class:`~qieci.engines.base.Tagging`; the jieba engine's is
:mod:`qieci.engines.jieba.tagger`), which reads the engine's own dictionary
(no copy), so a dictionary edit shows in the next call. A tokenizer whose
engine cannot tag raises :class:`~qieci.engines.base.Unsupported`.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import Any

from .engines.base import Tagging
from .engines.jieba._posseg import pair
from .engines.jieba.tagger import TaggerModel, default_model, hmm_from_tables
from .tokenizer import Tokenizer, strdecode

__all__ = [
    "pair",
    "POSTokenizer",
    "dt",
    "cut",
    "lcut",
    "initialize",
    "hmm_from_tables",
    "TaggerModel",
    "default_model",
    "enable_paddle",
    "setLogLevel",
]


class TagTable:
    """jieba's ``word_tag_tab`` as a view: word -> tag, where tags set here
    (or given to ``add_word``) override the dictionary's. Tags set here go
    into the tokenizer's ``user_word_tag_tab``, the one table of user tags:
    every tagger over the tokenizer sees them, they travel in its recipe
    (pickling, worker processes), and the latest tag of a word wins."""

    def __init__(self, owner: POSTokenizer) -> None:
        self._owner = owner

    def get(self, word: str, default: Any = None) -> Any:
        tag = self._owner._flag(word, None)
        return default if tag is None else tag

    def __getitem__(self, word: str) -> str:
        tag = self.get(word)
        if tag is None:
            raise KeyError(word)
        return str(tag)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def _snapshot(self) -> dict[str, str]:
        """Every word with a tag: the dictionary's, with the user tags over them."""
        tok = self._owner.tokenizer
        with tok._lock:
            table = {w: t for w, _, t in tok.dictionary_entries() if t is not None}
            table.update(tok.pos_tags())
        return table

    def __iter__(self) -> Iterator[str]:
        """The words with a tag (a snapshot; jieba's words, in another order)."""
        return iter(self._snapshot())

    def __len__(self) -> int:
        return len(self._snapshot())

    def items(self) -> ItemsView[str, str]:
        return self._snapshot().items()

    def keys(self) -> KeysView[str]:
        return self._snapshot().keys()

    def values(self) -> ValuesView[str]:
        return self._snapshot().values()

    def __setitem__(self, word: str, tag: str) -> None:
        self.update({word: tag})

    def update(self, other: Any = (), **kw: str) -> None:
        tags = dict(other, **kw)
        for word, tag in tags.items():
            if not isinstance(word, str) or not isinstance(tag, str):
                raise TypeError(f"a word tag maps a str to a str, not {word!r} to {tag!r}")
        tok = self._owner.tokenizer
        with tok._lock:  # add_word changes the table under this lock
            tok.user_word_tag_tab.update(tags)


class POSTokenizer:
    """A part-of-speech tagger over a :class:`~qieci.Tokenizer` (a new one
    with the bundled dictionary when none is given). ``model``: a POS HMM
    of the engine's (None: the bundled one, jieba's)."""

    def __init__(
        self, tokenizer: Tokenizer | None = None, model: TaggerModel | None = None
    ) -> None:
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer()
        self._model = model
        self.word_tag_tab = TagTable(self)

    @classmethod
    def of(cls, tokenizer: Tokenizer) -> POSTokenizer:
        """The tagger shared by ``tokenizer.tokenize(pos=True)`` and, for
        ``qieci.dt``, by the functions of this module."""
        tagger = tokenizer._pos_tokenizer
        if tagger is None:
            with tokenizer._lock:  # one shared tagger, however many threads ask
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

    def _tagger(self) -> Tagging:
        tagger: Tagging = self.tokenizer.capability(Tagging, "POS tagging")
        return tagger

    def user_tags(self) -> dict[str, str]:
        """The tags that win over the dictionary's: the tokenizer's
        ``user_word_tag_tab`` (jieba moves them into the first tagger that
        tags; here they stay with the tokenizer, so that every tagger over
        it sees them)."""
        return self.tokenizer.user_word_tag_tab

    def _flag(self, word: str, default: Any = "x") -> Any:
        """The tag of a dictionary-route word (jieba's word_tag_tab.get)."""
        tag = self.user_tags().get(word)
        if tag is not None:
            return tag
        tag = self._tagger().word_tag(word)
        return default if tag is None else tag

    # -- tagging ---------------------------------------------------------------

    def lcut(self, sentence: Any, HMM: bool = True) -> list[pair]:
        """The tagged words of ``sentence``: a list of :class:`pair`."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        return self._tagger().pos_lcut(text, HMM, self.user_tags(), self._model)

    def cut(self, sentence: Any, HMM: bool = True) -> Iterator[pair]:
        """Yield the tagged words of ``sentence`` (see :meth:`lcut`)."""
        yield from self.lcut(sentence, HMM)

    def tokenize(
        self, unicode_sentence: str, mode: str = "default", HMM: bool = True
    ) -> list[tuple[str, str, int, int]]:
        """``(word, flag, start, end)`` for every tagged word; in default mode
        the spans tile the input. ``mode="search"`` also gives, before each
        word longer than 2 (3), its 2-grams (3-grams) that are dictionary
        words, as ``Tokenizer.tokenize`` does, tagged like dictionary words."""
        if not isinstance(unicode_sentence, str):
            raise ValueError("qieci: the input parameter should be str")
        return self._tagger().pos_tokenize(
            str.__str__(unicode_sentence), mode, HMM, self.user_tags(), self._model
        )


# -- the default tagger and jieba's module functions ----------------------------


def _default() -> POSTokenizer:
    import qieci

    return POSTokenizer.of(qieci.dt)


#: The tagger over ``qieci.dt`` behind the module functions.
dt = _default()
initialize = dt.initialize
# (jieba.posseg has these of jieba's too)
from . import enable_paddle, setLogLevel  # noqa: E402


def cut(sentence: Any, HMM: bool = True, use_paddle: bool = False) -> Iterator[pair]:
    """Yield the tagged words of ``sentence`` with the default tagger
    (``use_paddle`` is accepted and ignored, as jieba does without paddle)."""
    yield from dt.lcut(sentence, HMM)


def lcut(sentence: Any, HMM: bool = True, use_paddle: bool = False) -> list[pair]:
    """The tagged words of ``sentence`` with the default tagger, as a list."""
    return dt.lcut(sentence, HMM)
