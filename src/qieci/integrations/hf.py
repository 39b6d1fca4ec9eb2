"""qieci as a Hugging Face ``tokenizers`` pre-tokenizer.

:func:`pre_tokenizer` gives a ``tokenizers.pre_tokenizers.PreTokenizer`` that
splits text into qieci's words, with their offsets, before a subword model
(BPE, WordPiece, Unigram) sees it::

    from tokenizers import Tokenizer
    from qieci.integrations.hf import pre_tokenizer
    tok = Tokenizer(...)
    tok.pre_tokenizer = pre_tokenizer()

Whitespace between words is dropped, as ``tokenizers``' own ``Whitespace``
and ``BertPreTokenizer`` drop it (a vocabulary has no entry for a space);
``pre_tokenizer(keep_whitespace=True)`` keeps qieci's whitespace words as
pieces, and qieci cuts whitespace one character per word: each whitespace
character is a piece of its own (two spaces are two one-space pieces; the
jieba engine keeps ``"\\r\\n"`` as one piece, as jieba does).

A custom pre-tokenizer is Python code, so ``tokenizers`` cannot save it in
``tokenizer.json``: set it again after ``Tokenizer.from_file``.
"""

from __future__ import annotations

from typing import Any

from tokenizers import NormalizedString, PreTokenizedString
from tokenizers.pre_tokenizers import PreTokenizer

from ..tokenizer import Tokenizer


class QieciSplit:
    """The ``pre_tokenize`` protocol of ``tokenizers`` over a qieci tokenizer."""

    def __init__(self, tokenizer: Tokenizer, keep_whitespace: bool = False) -> None:
        _check_tokenizer(tokenizer, "QieciSplit")
        self.tokenizer = tokenizer
        self.keep_whitespace = keep_whitespace

    def split(self, index: int, normalized: NormalizedString) -> list[NormalizedString]:
        text = str(normalized)
        pieces = []
        for word, s, e in self.tokenizer.tokenize(text):
            if not self.keep_whitespace and word.isspace():
                continue
            piece = normalized[s:e]
            if piece is not None:  # None only for an empty range: there is none
                pieces.append(piece)
        return pieces

    def pre_tokenize(self, pretok: PreTokenizedString) -> None:
        pretok.split(self.split)


def _check_tokenizer(tokenizer: object, caller: str) -> None:
    """TypeError unless ``tokenizer`` is a qieci :class:`Tokenizer`."""
    if isinstance(tokenizer, Tokenizer):
        return
    hint = ""
    if isinstance(tokenizer, str):
        hint = f"; for a standard, pass qieci.Tokenizer(standard={tokenizer!r})"
    raise TypeError(
        f"{caller}() takes a qieci.Tokenizer (or None for the default tokenizer, "
        f"qieci.dt), not {type(tokenizer).__name__} {tokenizer!r}{hint}"
    )


def pre_tokenizer(tokenizer: Tokenizer | None = None, *, keep_whitespace: bool = False) -> Any:
    """A pre-tokenizer that cuts with ``tokenizer``, a :class:`qieci.Tokenizer`
    (None: ``qieci.dt``; anything else is a TypeError); words of only
    whitespace are dropped unless ``keep_whitespace``."""
    if tokenizer is None:
        import qieci

        tokenizer = qieci.dt
    else:
        _check_tokenizer(tokenizer, "pre_tokenizer")
    return PreTokenizer.custom(QieciSplit(tokenizer, keep_whitespace))


__all__ = ["QieciSplit", "pre_tokenizer"]
