"""Keyword extraction: jieba's ``analyse`` API (TF-IDF and TextRank).

``qieci.analyse.extract_tags(s)`` and ``qieci.analyse.textrank(s)`` give the
keywords that ``jieba.analyse`` 0.42.1 gives, in the same order and with the
same weights, using jieba's IDF table and stop words (bundled, converted).

The module functions use one default :class:`TFIDF` and one default
:class:`TextRank`, made on first use (``default_tfidf`` and
``default_textrank`` name them, as in jieba).
"""

from __future__ import annotations

import functools
from os import PathLike
from typing import Any

from .base import KeywordExtractor
from .textrank import TextRank
from .tfidf import TFIDF

__all__ = [
    "KeywordExtractor",
    "TFIDF",
    "TextRank",
    "extract_tags",
    "tfidf",
    "textrank",
    "set_idf_path",
    "set_stop_words",
    "default_tfidf",
    "default_textrank",
]


@functools.lru_cache(maxsize=1)
def _default_tfidf() -> TFIDF:
    return TFIDF()


@functools.lru_cache(maxsize=1)
def _default_textrank() -> TextRank:
    return TextRank()


def __getattr__(name: str) -> Any:
    if name == "default_tfidf":
        return _default_tfidf()
    if name == "default_textrank":
        return _default_textrank()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extract_tags(
    sentence: Any,
    topK: int | None = 20,
    withWeight: bool = False,
    allowPOS: Any = (),
    withFlag: bool = False,
) -> list[Any]:
    """TF-IDF keywords of ``sentence`` (see :meth:`TFIDF.extract_tags`)."""
    return _default_tfidf().extract_tags(sentence, topK, withWeight, allowPOS, withFlag)


tfidf = extract_tags


def textrank(
    sentence: Any,
    topK: int | None = 20,
    withWeight: bool = False,
    allowPOS: Any = ("ns", "n", "vn", "v"),
    withFlag: bool = False,
) -> list[Any]:
    """TextRank keywords of ``sentence`` (see :meth:`TextRank.textrank`)."""
    return _default_textrank().textrank(sentence, topK, withWeight, allowPOS, withFlag)


def set_idf_path(idf_path: str | PathLike[str]) -> None:
    """Use another IDF table for :func:`extract_tags`."""
    _default_tfidf().set_idf_path(idf_path)


def set_stop_words(stop_words_path: str | PathLike[str]) -> None:
    """Add the words of a stop-word file to both default extractors."""
    _default_tfidf().set_stop_words(stop_words_path)
    _default_textrank().set_stop_words(stop_words_path)
