"""Pure-Python reference of the keyword kernel (:mod:`qieci.analyse._keywords`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable


def keeps(word: str, stop_words: Collection[str]) -> bool:
    return len(word.strip()) >= 2 and word.lower() not in stop_words


def count_keywords(words: Iterable[str], stop_words: Collection[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in words:
        if keeps(w, stop_words):
            counts[w] = counts.get(w, 0) + 1
    return counts


def weigh(counts: dict[str, int], idf: dict[str, float], median: float) -> dict[str, float]:
    total = sum(counts.values())
    return {w: float(c) * (idf.get(w, median) / float(total)) for w, c in counts.items()}
