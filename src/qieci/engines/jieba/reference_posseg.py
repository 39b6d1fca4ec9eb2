"""Pure-Python reference of the compiled POS tagger (:mod:`qieci.engines.jieba._posseg`).

Slow and plain on purpose: dicts and regular expressions stating each step of
jieba.posseg's algorithm, so that the tests can check the kernel against it
on generated input (and both against jieba). Not used at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .posmodel import PosHMMTables
from .reference import MIN_FLOAT, ReferenceEngine

State = tuple[str, str]

# posseg's block class has no '%' and no '-', unlike cut's
RE_PBLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._]+)")
RE_HAN = re.compile("([\u4e00-\u9fd5]+)")
RE_DETAIL = re.compile(r"([.0-9]+|[a-zA-Z0-9]+)")
RE_NUM_START = re.compile(r"[.0-9]")
RE_ENG_START = re.compile("[a-zA-Z0-9]")
NEG_INF = float("-inf")


@dataclass
class ReferencePosHMM:
    """The joint HMM as dicts keyed by (position, tag) states."""

    start: dict[State, float]
    trans: dict[State, dict[State, float]]
    emit: dict[State, dict[str, float]]
    char_states: dict[str, tuple[State, ...]]

    @classmethod
    def from_tables(cls, t: PosHMMTables) -> ReferencePosHMM:
        st = t.states
        trans: dict[State, dict[State, float]] = {s: {} for s in st}
        for a, b, p in zip(t.trans_from, t.trans_to, t.trans_p, strict=True):
            trans[st[a]][st[b]] = p
        emit: dict[State, dict[str, float]] = {s: {} for s in st}
        for i, c in enumerate(t.emit_chars):
            for k in range(t.emit_ptr[i], t.emit_ptr[i + 1]):
                emit[st[t.emit_state[k]]][chr(c)] = t.emit_p[k]
        cs = {
            chr(c): tuple(st[t.cs_state[k]] for k in range(t.cs_ptr[i], t.cs_ptr[i + 1]))
            for i, c in enumerate(t.cs_chars)
        }
        return cls(dict(zip(st, t.start, strict=True)), trans, emit, cs)

    def decode(self, run: str) -> list[State]:
        """The most likely state of every character of a Han run. Ties go
        to the larger state; a state nothing can reach scores -inf."""
        every = list(self.trans)
        first = self.char_states.get(run[0], every)
        score = {y: self.start[y] + self.emit[y].get(run[0], MIN_FLOAT) for y in first}
        back: list[dict[State, State]] = []
        for ch in run[1:]:
            live = [y for y in score if self.trans[y]]
            reachable = {y for x in live for y in self.trans[x]}
            options = (set(self.char_states.get(ch, every)) & reachable) or reachable or set(every)
            new: dict[State, float] = {}
            came: dict[State, State] = {}
            for y in options:
                e = self.emit[y].get(ch, MIN_FLOAT)
                if not live:  # nothing goes on: restart after the best state
                    came[y] = max((v, x) for x, v in score.items())[1]
                    new[y] = self.start[y] + e
                    continue
                new[y], came[y] = max(
                    (score[x] + self.trans[x].get(y, NEG_INF) + e, x) for x in live
                )
            score = new
            back.append(came)
        state = max((v, y) for y, v in score.items())[1]
        path = [state]
        for came in reversed(back):
            state = came[state]
            path.append(state)
        return path[::-1]


@dataclass
class ReferenceTagger:
    """jieba.posseg over a reference dictionary (``engine``) and HMM."""

    engine: ReferenceEngine
    word_tags: dict[str, str]
    hmm: ReferencePosHMM
    protected: list[str] = field(default_factory=list)

    def tag(self, word: str) -> str:
        return self.word_tags.get(word, "x")

    def hmm_run(self, run: str) -> list[tuple[str, str]]:
        path = self.hmm.decode(run)
        out = []
        begin = done = 0
        for i, (position, tag) in enumerate(path):
            if position == "B":
                begin = i
            elif position in "ES":
                out.append((run[begin if position == "E" else i : i + 1], tag))
                done = i + 1
        if done < len(run):
            out.append((run[done:], path[done][1]))
        return out

    def unknown(self, text: str) -> list[tuple[str, str]]:
        """An out-of-dictionary stretch: HMM for Han runs, m/eng/x for the rest."""
        out: list[tuple[str, str]] = []
        for piece in RE_HAN.split(text):
            if not piece:
                continue
            if RE_HAN.fullmatch(piece):
                out += self.hmm_run(piece)
                continue
            for x in RE_DETAIL.split(piece):
                if x:
                    kind = "m" if RE_NUM_START.match(x) else "eng" if RE_ENG_START.match(x) else "x"
                    out.append((x, kind))
        return out

    def block(self, s: str, use_hmm: bool) -> list[tuple[str, str]]:
        ends = self.engine.route(s)
        out: list[tuple[str, str]] = []
        singles = ""

        def flush() -> None:
            if not singles:
                return
            if not use_hmm:
                out.append((singles, "eng"))
            elif len(singles) == 1:
                out.append((singles, self.tag(singles)))
            elif not self.engine.freq.get(singles):
                out.extend(self.unknown(singles))
            else:
                out.extend((c, self.tag(c)) for c in singles)

        x = 0
        while x < len(s):
            word = s[x : ends[x] + 1]
            if len(word) == 1 and (use_hmm or RE_ENG_START.fullmatch(word)):
                singles += word
            else:
                flush()
                singles = ""
                out.append((word, self.tag(word)))
            x += len(word)
        flush()
        return out

    def lcut(self, text: str, use_hmm: bool = True) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for blk in RE_PBLOCK.split(text):
            if RE_PBLOCK.fullmatch(blk):
                out += self.block(blk, use_hmm)
            else:
                out += [(x, "x") for x in re.findall("\r\n|.", blk, re.S)]
        return out
