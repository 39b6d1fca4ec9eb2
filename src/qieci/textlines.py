"""The UTF-8 text of small data files held in memory (a word list, a
segmented gold file, an IDF table, stop words): bad bytes are reported by
file, line and byte offset in the file, with what to do
(:func:`convert_hint`, which the readers of other data files use too).

Corpora (any size, an error policy, other encodings) are read by
:mod:`qieci.io.lines` instead.
"""

from __future__ import annotations

from collections.abc import Iterator


def convert_hint(what: str, head: bytes = b"") -> str:
    """What to tell a user whose ``what`` (e.g. ``"a user dictionary"``) is
    not UTF-8: the end of an invalid-UTF-8 message. ``head``: the first
    bytes of the file, when the error is on its first line (a UTF-16
    byte-order mark there is named, with the command that converts it)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return (
            f": {what} is UTF-8 text, and this file begins with a UTF-16 byte-order mark "
            "(convert it: iconv -f UTF-16 -t UTF-8)"
        )
    return f": {what} is UTF-8 text (convert it, e.g. with iconv -f GB18030 -t UTF-8)"


def utf8_lines(data: bytes, name: str, what: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of ``data`` (split at ``\\n``;
    a final empty piece included, ``\\r`` kept). Bytes that are not UTF-8
    raise ValueError ``"NAME:LINE: invalid UTF-8 at byte offset N"`` (N
    counted from the start of ``data``), then :func:`convert_hint` of
    ``what``."""
    offset = 0
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{name}:{lineno}: invalid UTF-8 at byte offset {offset + exc.start}"
                + convert_hint(what, raw if lineno == 1 else b"")
            ) from None
        offset += len(raw) + 1
        yield lineno, text


def utf8_text(data: bytes, name: str, what: str) -> str:
    """``data`` decoded as UTF-8; ValueError as :func:`utf8_lines` raises."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{name}:{lineno}: invalid UTF-8 at byte offset {exc.start}"
            + convert_hint(what, data if lineno == 1 else b"")
        ) from None
