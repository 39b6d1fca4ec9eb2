"""The two user-word matchers find the same words: leftmost, then longest."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qieci.engines.learned.userwords import MANY, RegexMatcher, SetMatcher, matcher

ALPHABET = "北京大学生活中文ab"
words_st = st.sets(st.text(ALPHABET, min_size=1, max_size=5), min_size=1, max_size=30)


def by_definition(words: set[str], text: str) -> list[tuple[int, int]]:
    """Leftmost position first, then the longest word there; go on after it."""
    out, i = [], 0
    while i < len(text):
        hits = [w for w in words if text.startswith(w, i)]
        if hits:
            size = max(map(len, hits))
            out.append((i, i + size))
            i += size
        else:
            i += 1
    return out


@given(words=words_st, text=st.text(ALPHABET, max_size=60))
def test_both_matchers_follow_the_definition(words, text):
    want = by_definition(words, text)
    assert list(RegexMatcher(words).spans(text)) == want
    assert list(SetMatcher(words).spans(text)) == want


def test_many_words_get_the_set_matcher():
    few = matcher([f"词{i}" for i in range(10)])
    many = matcher([f"词{i}" for i in range(MANY + 1)])
    assert isinstance(few, RegexMatcher) and isinstance(many, SetMatcher)
    assert matcher([]) is None
