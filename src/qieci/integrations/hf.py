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
``pre_tokenizer(keep_whitespace=True)`` keeps each run of it as a piece.

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


def pre_tokenizer(tokenizer: Tokenizer | None = None, *, keep_whitespace: bool = False) -> Any:
    """A pre-tokenizer that cuts with ``tokenizer`` (None: ``qieci.dt``);
    words of only whitespace are dropped unless ``keep_whitespace``."""
    if tokenizer is None:
        import qieci

        tokenizer = qieci.dt
    return PreTokenizer.custom(QieciSplit(tokenizer, keep_whitespace))


__all__ = ["QieciSplit", "pre_tokenizer"]
