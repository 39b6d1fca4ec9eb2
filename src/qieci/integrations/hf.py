"""qieci as a Hugging Face ``tokenizers`` pre-tokenizer.

:func:`pre_tokenizer` gives a ``tokenizers.pre_tokenizers.PreTokenizer`` that
splits text into qieci's words, with their offsets, before a subword model
(BPE, WordPiece, Unigram) sees it::

    from tokenizers import Tokenizer
    from qieci.integrations.hf import pre_tokenizer
    tok = Tokenizer(...)
    tok.pre_tokenizer = pre_tokenizer()

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

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def split(self, index: int, normalized: NormalizedString) -> list[NormalizedString]:
        text = str(normalized)
        pieces = []
        for _, s, e in self.tokenizer.tokenize(text):
            piece = normalized[s:e]
            if piece is not None:  # None only for an empty range: there is none
                pieces.append(piece)
        return pieces

    def pre_tokenize(self, pretok: PreTokenizedString) -> None:
        pretok.split(self.split)


def pre_tokenizer(tokenizer: Tokenizer | None = None) -> Any:
    """A pre-tokenizer that cuts with ``tokenizer`` (None: ``qieci.dt``)."""
    if tokenizer is None:
        import qieci

        tokenizer = qieci.dt
    return PreTokenizer.custom(QieciSplit(tokenizer))


__all__ = ["QieciSplit", "pre_tokenizer"]
