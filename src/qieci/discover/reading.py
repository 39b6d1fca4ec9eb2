"""Raw text in bounded pieces: blocks of whole lines of about
:data:`PIECE_BYTES`, a line longer than that cut at a character boundary,
so that a file with no line breaks at all is read in bounded memory too.

Errors name the file, the line and the byte offset, as ``qieci cut``'s do
(:mod:`qieci.io.lines`); ``errors="replace"`` decodes bad bytes as U+FFFD and
``"skip-line"`` drops the line they are on.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from ..io.lines import ERROR_POLICIES, LineStats, invalid_bytes, open_input, read_lines

PIECE_BYTES = 1 << 16


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
    """The text of ``stream`` in pieces of whole lines (line ends
    included) of about ``piece_bytes`` bytes; a longer line is cut at a
    character boundary. UTF-8 only: other encodings are read line by line
    (one piece per line, without its end)."""
    if errors not in ERROR_POLICIES:
        raise ValueError(f"errors must be one of {', '.join(ERROR_POLICIES)}")
    st = stats if stats is not None else LineStats()
    if codecs.lookup(encoding).name != "utf-8":
        for text, _ in read_lines(
            stream, name, encoding=encoding, errors=errors, stats=st, start_offset=base_offset
        ):
            yield text
        return
    offset = base_offset  # of buf's first byte
    lineno = 1  # of buf's first byte
    buf = b""
    first = base_offset == 0
    partial = False  # the last block ended inside a line
    while True:
        chunk = stream.read(piece_bytes)
        if chunk:
            buf += chunk
            cut = buf.rfind(b"\n") + 1
            if cut == 0:  # no line end: a long line, cut inside
                cut = utf8_cut(buf[:-1] if buf.endswith(b"\r") else buf)
                if cut == 0 or len(buf) < piece_bytes:
                    continue
        else:
            cut = len(buf)
            if cut == 0:
                st.lines += partial  # a last line cut into pieces, with no line end
                return
        block, buf = buf[:cut], buf[cut:]
        start = offset
        offset += len(block)
        st.bytes += len(block)
        if first:
            first = False
            if block.startswith(codecs.BOM_UTF8):
                block = block[3:]
                start += 3
        lines = block.count(b"\n")
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_lines(block, name, lineno, start, errors, st)
        lineno += lines
        partial = not block.endswith(b"\n")
        st.lines += lines + (partial and not chunk)
        st.chars += len(text) - text.count("\n")
        if text:
            yield text
        if not chunk:
            return


def read_files(
    names: Sequence[str],
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    stats: LineStats | None = None,
) -> Iterator[str]:
    """The pieces (:func:`read_pieces`) of the files ``names`` in order,
    ``"-"`` being stdin."""
    for name in names:
        stream = open_input(name)
        label = "<stdin>" if name == "-" else name
        try:
            yield from read_pieces(stream, label, encoding=encoding, errors=errors, stats=stats)
        finally:
            if name != "-":
                stream.close()


def _decode_lines(
    block: bytes, name: str, lineno: int, start: int, errors: str, st: LineStats
) -> str:
    """The slow path of a block that does not decode: line by line, as the
    ``errors`` policy says."""
    out = []
    pos = start
    for k, raw in enumerate(block.split(b"\n")):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            if errors == "strict":
                raise invalid_bytes(
                    name, lineno + k, "utf-8", pos + exc.start, raw, content_start=pos
                ) from None
            st.changed_lines += 1
            if errors == "skip-line":
                st.skipped_lines.append(lineno + k)
                out.append("")
            else:
                out.append(raw.decode("utf-8", "replace"))
        pos += len(raw) + 1
    return "\n".join(out)
