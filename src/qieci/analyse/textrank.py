"""TextRank keywords, exactly as ``jieba.analyse.textrank`` 0.42.1.

The tagged words that pass the filter (an allowed tag, at least two
characters after stripping, not a stop word) are the nodes of an undirected
graph; two of them are linked, with weight +1, each time the second occurs
within the 4 words that follow the first. Ten sweeps of weighted PageRank
(damping 0.85, in sorted node order, updating in place) rank the nodes, and
the ranks are scaled as jieba scales them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .base import KeywordExtractor

if TYPE_CHECKING:
    from ..tokenizer import Tokenizer

DAMPING = 0.85
WINDOW = 5  # a word and the 4 after it
SWEEPS = 10


def rank_graph(edges: dict[tuple[Any, Any], int]) -> dict[Any, float]:
    """Scaled TextRank scores of the nodes of ``edges`` ((a, b) -> weight,
    in insertion order; a self-pair is a loop counted twice)."""
    links: dict[Any, list[tuple[Any, int]]] = {}
    for (a, b), w in edges.items():
        links.setdefault(a, []).append((b, w))
        links.setdefault(b, []).append((a, w))
    start = 1.0 / (len(links) or 1.0)
    score = {node: start for node in links}
    out_weight = {node: sum((w for _, w in nbrs), 0.0) for node, nbrs in links.items()}
    order = sorted(links)
    for _ in range(SWEEPS):
        for node in order:
            s = 0.0
            for other, w in links[node]:
                s += w / out_weight[other] * score[other]
            score[node] = (1 - DAMPING) + DAMPING * s
    # jieba scales by (w - lo / 10) / (hi - lo / 10) with lo starting at the
    # largest float and hi at sys.float_info.min_exp
    lo: float = sys.float_info.max
    hi: float = sys.float_info.min_exp
    for v in score.values():
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return {node: (w - lo / 10.0) / (hi - lo / 10.0) for node, w in score.items()}


class TextRank(KeywordExtractor):
    """A TextRank keyword extractor over :mod:`qieci.posseg`'s tagging.

    As in jieba, ``tokenizer`` and ``postokenizer`` are one tagger (a
    :class:`~qieci.posseg.POSTokenizer`): setting either (to a tagger, or to
    a :class:`~qieci.Tokenizer`, which is tagged over) changes the tagging."""

    def __init__(self, tokenizer: Tokenizer | None = None) -> None:
        super().__init__(tokenizer)
        self.pos_filt: frozenset[str] = frozenset(("ns", "n", "vn", "v"))
        self.span = WINDOW

    @property
    def postokenizer(self) -> Any:
        return self._tagger

    @postokenizer.setter
    def postokenizer(self, value: Any) -> None:
        from ..posseg import POSTokenizer
        from ..tokenizer import Tokenizer

        if isinstance(value, Tokenizer):
            value = POSTokenizer.of(value)
        elif not isinstance(value, POSTokenizer):
            raise TypeError(
                f"TextRank tags with a qieci.posseg.POSTokenizer or a qieci.Tokenizer, "
                f"not {type(value).__name__}"
            )
        self._tagger = value

    tokenizer = postokenizer  # one tagger under both of jieba's names

    def pairfilter(self, wp: Any) -> bool:
        return (
            wp.flag in self.pos_filt
            and len(wp.word.strip()) >= 2
            and wp.word.lower() not in self.stop_words
        )

    def textrank(
        self,
        sentence: Any,
        topK: int | None = 20,
        withWeight: bool = False,
        allowPOS: Any = ("ns", "n", "vn", "v"),
        withFlag: bool = False,
    ) -> list[Any]:
        """The ``topK`` keywords of ``sentence`` (all when ``topK`` is
        falsy); ``allowPOS`` becomes this extractor's ``pos_filt``, as in
        jieba. ``withWeight`` gives ``(keyword, weight)`` tuples;
        ``withFlag`` (with ``allowPOS``) makes keywords ``pair`` objects."""
        self.pos_filt = frozenset(allowPOS)
        words = self.postokenizer.lcut(sentence)
        kept = [self.pairfilter(wp) for wp in words]
        as_pairs = bool(allowPOS and withFlag)
        edges: dict[tuple[Any, Any], int] = {}
        n = len(words)
        for i in range(n):
            if not kept[i]:
                continue
            a = words[i] if as_pairs else words[i].word
            for j in range(i + 1, min(i + self.span, n)):
                if kept[j]:
                    key = (a, words[j] if as_pairs else words[j].word)
                    edges[key] = edges.get(key, 0) + 1
        return self._rank(rank_graph(edges), topK, withWeight)

    extract_tags = textrank
