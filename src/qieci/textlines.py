"""The UTF-8 text of small data files held in memory (a word list, a
segmented gold file, an IDF table, stop words): bad bytes are reported by
file, line and byte offset in the file, with what to do
(:func:`convert_hint`, which the readers of other data files use too).

Corpora (any size, an error policy, other encodings) are read by
:mod:`qieci.io.lines` instead.
"""

from __future__ import annotations

from collections.abc import Iterator


def convert_hint(what: str, head: bytes = b"", line: bytes | None = None) -> str:
    """What to tell a user whose ``what`` (e.g. ``"a user dictionary"``) is
    not UTF-8: the end of an invalid-UTF-8 message. ``head``: the first
    bytes of the file, when the error is on its first line (a UTF-16
    byte-order mark there is named, with the command that converts it).
    ``line``: the bytes of the bad line; GB18030 is named only when they
    read as GB18030 Chinese (or when the line is not given)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return (
            f": {what} is UTF-8 text, and this file begins with a UTF-16 byte-order mark "
            "(convert it: iconv -f UTF-16 -t UTF-8)"
        )
    if line is None or _reads_as_gb18030(line):
        return f": {what} is UTF-8 text (convert it, e.g. with iconv -f GB18030 -t UTF-8)"
    return (
        f": {what} is UTF-8 text (convert it from its encoding: iconv -f ENCODING -t UTF-8; "
        "file -i FILE may tell which; or remove the bad bytes)"
    )


def _reads_as_gb18030(raw: bytes) -> bool:
    """Whether ``raw`` decodes as GB18030 and holds a Han character."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= c <= "\u9fff" for c in text)


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
                + convert_hint(what, raw if lineno == 1 else b"", raw)
            ) from None
        offset += len(raw) + 1
        yield lineno, text


def utf8_text(data: bytes, name: str, what: str) -> str:
    """``data`` decoded as UTF-8; ValueError as :func:`utf8_lines` raises."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        line = data[start : len(data) if end < 0 else end]
        raise ValueError(
            f"{name}:{lineno}: invalid UTF-8 at byte offset {exc.start}"
            + convert_hint(what, data if lineno == 1 else b"", line)
        ) from None
