"""The words of a text as a JSON array, fast.

JSON escapes each character on its own, so the escaped form of words joined
by a character that needs no escape and occurs in none of them is the
escaped words joined by that character. :func:`words_array` escapes the
joined text in one call and turns each joiner into ``","``; with the
engine's ``cut_lines`` (which joins the words without a Python object per
word) the words need never be a list. :func:`reference_array` is its
plain twin (``json.dumps`` of the list), against which it is tested.
"""

from __future__ import annotations

import json
from collections.abc import Callable

#: The joiner: a private-use character, which JSON leaves as it is.
JOINER = "\ue000"

_encode: Callable[[object], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":")
).encode


def dumps(value: object) -> str:
    """Compact JSON, UTF-8 characters as they are."""
    return _encode(value)


def reference_array(words: list[str]) -> str:
    return _encode(words)


def joined_array(joined: str) -> str:
    """The JSON array of the words that ``joined`` holds, joined by
    :data:`JOINER` (a word is never empty: "" holds none)."""
    if not joined:
        return "[]"
    return "[" + _encode(joined).replace(JOINER, '","') + "]"


def words_array(words: list[str]) -> str:
    """``reference_array(words)``, faster for long lists."""
    if any(JOINER in w for w in words):
        return _encode(words)
    return joined_array(JOINER.join(words))


def can_join(text: str) -> bool:
    """Whether the words of ``text`` may come joined from ``cut_lines``:
    one line (``cut_lines`` keeps line ends out of the words) without the
    joiner."""
    return JOINER not in text and "\n" not in text and "\r" not in text
