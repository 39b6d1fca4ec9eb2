"""What every keyword extractor shares: its taggers and its stop words."""

from __future__ import annotations

from operator import itemgetter
from os import PathLike
from typing import TYPE_CHECKING, Any

from .idf import default_stop_words, read_stop_words

if TYPE_CHECKING:
    from ..posseg import POSTokenizer
    from ..tokenizer import Tokenizer


class KeywordExtractor:
    """Base of :class:`~qieci.analyse.TFIDF` and :class:`~qieci.analyse.TextRank`.

    ``stop_words`` starts as jieba's default English stop words; a word is
    dropped when its lower-case form is in it.
    """

    def __init__(self, tokenizer: Tokenizer | None = None) -> None:
        import qieci

        from ..posseg import POSTokenizer

        tok = tokenizer if tokenizer is not None else qieci.dt
        self.tokenizer: Any = tok
        self.postokenizer: POSTokenizer = POSTokenizer.of(tok)
        self.stop_words: set[str] = set(default_stop_words())

    def set_stop_words(self, stop_words_path: str | PathLike[str]) -> None:
        """Add the words of a stop-word file (one per line, UTF-8) to
        ``stop_words``; ValueError when the file cannot be read."""
        self.stop_words.update(read_stop_words(stop_words_path))

    def extract_tags(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _rank(weights: dict[Any, float], topK: int | None, withWeight: bool) -> list[Any]:
        """By decreasing weight; ties keep their order (a stable sort, as
        jieba's sorted() does); the first ``topK`` (all for 0/None)."""
        if withWeight:
            tags: list[Any] = sorted(weights.items(), key=itemgetter(1), reverse=True)
        else:
            tags = sorted(weights, key=weights.__getitem__, reverse=True)
        return tags[:topK] if topK else tags
