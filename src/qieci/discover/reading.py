"""Raw text in bounded pieces: the lines of a stream, a line longer than
:data:`PIECE_BYTES` in pieces cut at a character boundary, so that a file
with no line breaks at all is read in bounded memory too.

Errors name the file, the line and the byte offset, as ``qieci cut``'s do
(:mod:`qieci.io.lines`); ``errors="replace"`` decodes bad bytes as U+FFFD and
``"skip-line"`` drops the line they are on.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from ..io.lines import ERROR_POLICIES, InputError, LineStats, encoding_hint, read_lines

PIECE_BYTES = 1 << 20


def utf8_cut(data: bytes) -> int:
    """The length of the longest prefix of ``data`` that does not end inside
    a UTF-8 sequence."""
    i = len(data) - 1
    while i >= 0 and len(data) - i < 4 and data[i] & 0xC0 == 0x80:
        i -= 1
    if i < 0 or data[i] < 0xC0:
        return len(data)
    need = 2 if data[i] < 0xE0 else 3 if data[i] < 0xF0 else 4
    return i if len(data) - i < need else len(data)


def read_pieces(
    stream: BinaryIO,
    name: str,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    base_offset: int = 0,
    stats: LineStats | None = None,
    piece_bytes: int = PIECE_BYTES,
) -> Iterator[str]:
    """The text of every line of ``stream`` without its terminator, long
    lines in pieces of at most ``piece_bytes`` bytes (UTF-8 only: other
    encodings are read whole line by whole line)."""
    if errors not in ERROR_POLICIES:
        raise ValueError(f"errors must be one of {', '.join(ERROR_POLICIES)}")
    st = stats if stats is not None else LineStats()
    if codecs.lookup(encoding).name != "utf-8":
        for text, _ in read_lines(
            stream, name, encoding=encoding, errors=errors, stats=st, start_offset=base_offset
        ):
            yield text
        return
    offset = base_offset
    lineno = 1
    carry = b""
    skipping = False
    first = base_offset == 0
    while True:
        chunk = stream.readline(max(1, piece_bytes - len(carry)))
        if not chunk and not carry:
            return
        data = carry + chunk
        ends = data.endswith(b"\n")
        cut = len(data) if ends or not chunk else utf8_cut(data)
        if not ends and chunk and data.endswith(b"\r"):
            cut = min(cut, len(data) - 1)  # perhaps the start of \r\n
        if cut == 0:  # a piece too short for one character: read more
            carry = data
            continue
        data, carry = data[:cut], data[cut:]
        start = offset
        offset += len(data)
        st.bytes += len(data)
        content = data[:-1] if ends else data
        if content.endswith(b"\r") and ends:
            content = content[:-1]
        if first:
            first = False
            if content.startswith(codecs.BOM_UTF8):
                content = content[3:]
                start += 3
        if not skipping:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError as exc:
                if errors == "strict":
                    raise InputError(
                        f"{name}:{lineno}: invalid UTF-8 at byte offset {start + exc.start}"
                        f"{encoding_hint(content, encoding)}"
                    ) from None
                st.changed_lines += 1
                if errors == "skip-line":
                    st.skipped_lines.append(lineno)
                    skipping = True
                else:
                    text = content.decode("utf-8", "replace")
            if not skipping:
                st.chars += len(text)
                yield text
        if ends or not chunk:
            st.lines += 1
            lineno += 1
            skipping = False
        if not chunk and not carry:
            return
