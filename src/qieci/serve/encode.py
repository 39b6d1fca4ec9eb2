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
import re
from collections.abc import Callable

#: The joiner: a private-use character, which JSON leaves as it is.
JOINER = "\ue000"
#: Between the texts of a batch: another one.
SEPARATOR = "\ue001"

_encode: Callable[[object], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":")
).encode
#: What JSON escapes in a string (with ensure_ascii=False): a text
#: without these is its own JSON string between quotes.
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\]')


def _string(text: str) -> str:
    """``text`` as a JSON string."""
    if _NEEDS_ESCAPE.search(text) is None:
        return '"' + text + '"'
    return _encode(text)


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
    return "[" + _string(joined).replace(JOINER, '","') + "]"


def words_array(words: list[str]) -> str:
    """``reference_array(words)``, faster for long lists."""
    if any(JOINER in w for w in words):
        return _encode(words)
    return joined_array(JOINER.join(words))


def results_array(joined: list[str]) -> str:
    """The ``[{"words": [...]}, ...]`` JSON of several texts' words, each
    joined by :data:`JOINER`: escaped in one call when every text has words
    and none holds :data:`SEPARATOR`."""
    if all(joined) and not any(SEPARATOR in j for j in joined):
        escaped = _string(SEPARATOR.join(joined))
        inner = escaped.replace(JOINER, '","').replace(SEPARATOR, '"]},{"words":["')
        return '[{"words":[' + inner + "]}]" if joined else "[]"
    return "[" + ",".join(['{"words":' + joined_array(j) + "}" for j in joined]) + "]"


def reference_results(words: list[list[str]]) -> str:
    return _encode([{"words": w} for w in words])


def can_join(text: str) -> bool:
    """Whether the words of ``text`` may come joined from ``cut_lines``:
    one line (``cut_lines`` keeps line ends out of the words) without the
    joiner."""
    return JOINER not in text and "\n" not in text and "\r" not in text
