"""The lines of a small UTF-8 data file held in memory (a word list, a
segmented gold file): each decoded on its own, so that bad bytes are
reported by file, line and byte offset in the file.

Corpora (any size, an error policy, other encodings) are read by
:mod:`qieci.io.lines` instead.
"""

from __future__ import annotations

from collections.abc import Iterator


def utf8_lines(data: bytes, name: str, hint: str = "") -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of ``data`` (split at ``\\n``;
    a final empty piece included, ``\\r`` kept). Bytes that are not UTF-8
    raise ValueError ``"NAME:LINE: invalid UTF-8 at byte offset N"``, then
    ``hint`` (what to do, e.g. ``": convert it"``)."""
    offset = 0
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{name}:{lineno}: invalid UTF-8 at byte offset {offset + exc.start}{hint}"
            ) from None
        offset += len(raw) + 1
        yield lineno, text
