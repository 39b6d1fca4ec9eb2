"""TF-IDF keywords, exactly as ``jieba.analyse.extract_tags`` 0.42.1.

A word's weight is its count in the text times ``idf(word) / total``, where
``total`` is the number of kept words and an unknown word gets the median
IDF. Words shorter than two characters (after stripping) and stop words are
dropped. Keywords come out by decreasing weight; equal weights keep the order
in which the words first occur.
"""

from __future__ import annotations

from collections import Counter
from os import PathLike
from typing import TYPE_CHECKING, Any

import qieci.analyse._keywords as _keywords

from .. import binfile
from .base import KeywordExtractor
from .idf import IDF_WHAT, IDFTable, load_idf

if TYPE_CHECKING:
    from ..tokenizer import Tokenizer


class TFIDF(KeywordExtractor):
    """A TF-IDF keyword extractor with its own IDF table and stop words.

    ``idf_path`` is a jieba-format text table or a qieci ``idf`` file;
    ``None`` means the bundled table (jieba's). ``tokenizer`` defaults to
    ``qieci.dt``; the POS tagger is the one over the same tokenizer.
    """

    def __init__(
        self, idf_path: str | PathLike[str] | None = None, tokenizer: Tokenizer | None = None
    ) -> None:
        super().__init__(tokenizer)
        self._idf_path: str | None = None
        self._use(load_idf(idf_path), idf_path)

    def _use(self, table: IDFTable, path: Any) -> None:
        self.idf_table = table
        # the table's dict, shared with every extractor of the same table and
        # never changed; idf_freq gives this extractor a copy of its own
        self._idf: dict[str, float] = table.words()
        self._own_idf: dict[str, float] | None = None
        self.median_idf: float = table.median
        self._idf_path = None if path is None else str(path)

    @property
    def idf_freq(self) -> dict[str, float]:
        """jieba's ``idf_freq``: this extractor's IDF dict, which it may
        change (copied from the shared table on first access)."""
        if self._own_idf is None:
            self._own_idf = self._idf = dict(self._idf)
        return self._own_idf

    @idf_freq.setter
    def idf_freq(self, idf: dict[str, float]) -> None:
        self._own_idf = self._idf = idf if isinstance(idf, dict) else dict(idf)

    def set_idf_path(self, idf_path: str | PathLike[str]) -> None:
        """Use the IDF table at ``idf_path`` (reloaded only when the path
        changes); ValueError when it is missing, not a regular file or
        malformed (the same messages as ``TFIDF(idf_path)`` and ``--idf``)."""
        import os

        path = os.path.abspath(os.fspath(idf_path))
        # checked even when the path is the current one, as jieba does
        binfile.open_regular(path, IDF_WHAT).close()
        if path != self._idf_path:
            self._use(load_idf(path), path)

    def extract_tags(
        self,
        sentence: Any,
        topK: int | None = 20,
        withWeight: bool = False,
        allowPOS: Any = (),
        withFlag: bool = False,
    ) -> list[Any]:
        """The ``topK`` keywords of ``sentence`` (all when ``topK`` is falsy).

        With ``allowPOS``, only words tagged with one of those tags count
        (tagged by :mod:`qieci.posseg`), and ``withFlag`` makes the keywords
        :class:`~qieci.posseg.pair` objects. ``withWeight`` gives
        ``(keyword, weight)`` tuples.
        """
        stop = self.stop_words
        if not allowPOS:
            counts = _keywords.count_keywords(self.tokenizer.lcut(sentence), stop)
            return self._rank(_keywords.weigh(counts, self._idf, self.median_idf), topK, withWeight)
        allow = frozenset(allowPOS)
        tagged = self.postokenizer.lcut(sentence)
        if not withFlag:
            counts = _keywords.count_keywords([p.word for p in tagged if p.flag in allow], stop)
            return self._rank(_keywords.weigh(counts, self._idf, self.median_idf), topK, withWeight)
        # pair keywords: equal when word and flag are; weighed by the word
        pair_counts = Counter(p for p in tagged if p.flag in allow)
        kept = {k: c for k, c in pair_counts.items() if _keywords.keeps(k.word, stop)}
        total = float(sum(kept.values()))
        idf, median = self._idf, self.median_idf
        return self._rank(
            {k: float(c) * (idf.get(k.word, median) / total) for k, c in kept.items()},
            topK,
            withWeight,
        )

    #: jieba's alias
    tfidf = extract_tags
