"""An engine that lives outside qieci, for the tests of the engine contract:
it cuts text into runs of one Unicode category class (Han, Latin letters,
digits, anything else), and is named by its ``"module:Class"`` path."""

from __future__ import annotations

from typing import ClassVar

from qieci.engines.base import EngineBase, EngineSpec, Span


def _kind(c: str) -> int:
    if "\u4e00" <= c <= "\u9fff":
        return 0
    if c.isascii() and c.isalpha():
        return 1
    if c.isdigit():
        return 2
    return 3


class RunsEngine(EngineBase):
    name: ClassVar[str] = "plugin_engine:RunsEngine"

    def tokenize(self, text: str, mode: str, hmm: bool) -> list[Span]:
        out: list[Span] = []
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or _kind(text[i]) != _kind(text[start]) or _kind(text[i]) == 3:
                out.append((text[start:i], start, i))
                start = i
        return out

    def add_word(self, word: str, freq: int | None, tag: str | None) -> int:
        raise ValueError("this engine takes no user words")

    def spec(self) -> EngineSpec:
        return EngineSpec(self.name)
