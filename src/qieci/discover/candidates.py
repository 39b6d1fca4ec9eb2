"""Which strings may be new words: the lexicon they must be missing from,
and the shape a candidate must have.

A candidate is 2 to ``max_len`` Han characters (the counter never builds a
gram across punctuation, a space, a digit or a Latin letter), is not a word
of the lexicon, and does not start or end with a character that edges only
junk: a particle or a pronoun that attaches to whatever is next to it
(``的``, ``了``, ``吗``, ``我``...).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..textlines import utf8_lines
from ..tokenizer import PathArg, Tokenizer
from ._discover import char_id

#: Characters no new word starts with (the particle/aspect marker of
#: the previous word, a sentence-final particle).
NOT_FIRST = frozenset("的了着过吗呢吧啊呀嘛哦哈么之地得")
#: Characters no new word ends with (structural particles, prepositions,
#: conjunctions and pronouns, which attach to the next word).
NOT_LAST = frozenset("的和与及或在把被从向对将给让我你他她它这那哪啊呀嘛哦哈吗呢吧")


def is_candidate_shape(word: str, min_len: int, max_len: int) -> bool:
    """Han characters only, ``min_len``..``max_len`` long, no junk edge."""
    return (
        max(2, min_len) <= len(word) <= max_len
        and all(char_id(c) for c in word)
        and word[0] not in NOT_FIRST
        and word[-1] not in NOT_LAST
    )


class Lexicon:
    """The words that are not new: jieba's dictionary (or another in its
    format, ``dictionary``) unless ``jieba=False``, plus the words of
    ``extra`` files (one word per line, optionally followed by a frequency
    and a tag, as in a jieba user dictionary; the first field is the word)
    and ``words``."""

    def __init__(
        self,
        extra: Sequence[PathArg] = (),
        *,
        words: Iterable[str] = (),
        jieba: bool = True,
        dictionary: PathArg | None = None,
    ) -> None:
        self._tok: Tokenizer | None = None
        if jieba:
            self._tok = Tokenizer(dictionary)
            self._tok.initialize()
        self.words: set[str] = set(words)
        for path in extra:
            self.words.update(read_word_list(path))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word in self.words:
            return True
        return self._tok is not None and bool(self._tok.get_FREQ(word))


def read_word_list(path: PathArg) -> list[str]:
    """The first field of every non-empty line of a UTF-8 word list."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise ValueError(f"{name}: no such lexicon file") from None
    except IsADirectoryError:
        raise ValueError(f"{name}: is a directory, not a lexicon file") from None
    except OSError as exc:
        raise ValueError(f"{name}: cannot read the lexicon: {exc.strerror or exc}") from None
    out = []
    for _, line in utf8_lines(data, name, "a word list"):
        fields = line.lstrip("\ufeff").split()
        if fields:
            out.append(fields[0])
    return out
