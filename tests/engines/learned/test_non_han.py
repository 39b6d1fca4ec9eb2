"""Issue 10, bar 4: in every standard of the bundled model, at most 1% of
the hand-written sentences of ``data/non_han.txt`` have a word boundary
inside one of their marked non-Han tokens (numbers, dates, times, versions,
URLs, e-mail and IP addresses, Latin words, model numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qieci
from qieci.engines.base import join_lines
from strategies import mixed_text

CASES = Path(__file__).with_name("data") / "non_han.txt"
MARK = re.compile(r"⟦(.*?)⟧")


def cases() -> list[tuple[str, list[tuple[int, int]]]]:
    """(text, token spans) of every sentence of the case file."""
    out = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spans, text, pos = [], "", 0
        for m in MARK.finditer(line):
            text += line[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(1))))
            text += m.group(1)
            pos = m.end()
        text += line[pos:]
        assert "⟦" not in text and "⟧" not in text, line
        out.append((text, spans))
    return out


def test_the_suite_is_big_enough():
    assert len(cases()) >= 150


STANDARDS = qieci.Tokenizer(engine="learned").standards()


@pytest.mark.parametrize("standard", STANDARDS)
def test_no_boundary_inside_a_token(standard):
    tok = qieci.Tokenizer(engine="learned", standard=standard)
    broken = []
    all_cases = cases()
    for text, spans in all_cases:
        words = tok.lcut(text)
        assert "".join(words) == text
        bounds, pos = set(), 0
        for w in words:
            pos += len(w)
            bounds.add(pos)
        cut = [text[s:e] for s, e in spans if any(p in bounds for p in range(s + 1, e))]
        if cut:
            broken.append((" ".join(words), cut))
    assert len(broken) <= len(all_cases) // 100, broken


def test_without_atoms_the_model_alone_cuts_tokens():
    """The suite can fail: the model without the atom constraints cuts
    inside many of the tokens in the default standard of the old model
    (cnc)."""
    from qieci.engines.learned.engine import LearnedEngine

    tok = qieci.Tokenizer(engine=LearnedEngine(standard="cnc", atoms=False))
    n = 0
    for text, spans in cases():
        bounds, pos = set(), 0
        for w in tok.lcut(text):
            pos += len(w)
            bounds.add(pos)
        n += any(p in bounds for s, e in spans for p in range(s + 1, e))
    assert n > len(cases()) // 10


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            mixed_text,
            st.sampled_from(["增长4.3%", "访问www.example.com。", "\r", "\n", "\r\n", "北京大学"]),
        ),
        max_size=12,
    ).map("".join),
    st.sampled_from([" ", "/", " | "]),
    st.booleans(),
)
def test_file_path_equals_line_by_line(text, delimiter, crlf):
    """The learned engine's cut_lines (the atoms of all lines found at once,
    every line cut by the kernel with its atoms' mask) gives what cutting
    each line with its constraints gives."""
    tok = qieci.Tokenizer(engine="learned")
    eng = tok.engine
    expect = join_lines(lambda s: eng.lcut(s, "default", True), text, delimiter, crlf)
    assert eng.cut_lines(text, delimiter, "default", True, crlf) == expect
