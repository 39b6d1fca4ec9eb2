"""Reading corpora line by line, and writing output files safely.

Input is read as bytes and split at ``\\n`` only, so a line's terminator
(``\\n``, ``\\r\\n``, or nothing on the last line) is kept apart from its text
and written back unchanged. A UTF-8 byte-order mark at the start of a file is
dropped. Decoding errors are reported with the file, the line and the byte
offset, or handled as the ``errors`` policy says.
"""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO

ERROR_POLICIES = ("strict", "replace", "skip-line")


class InputError(Exception):
    """A problem with an input file, reported as ``file:line: message``."""


@dataclass
class LineStats:
    lines: int = 0
    chars: int = 0
    bytes: int = 0
    changed_lines: int = 0  # lines replaced or skipped under errors=replace/skip-line
    skipped_lines: list[int] = field(default_factory=list)


def split_terminator(raw: bytes) -> tuple[bytes, bytes]:
    """Split a raw line into its content and its terminator."""
    if raw.endswith(b"\r\n"):
        return raw[:-2], b"\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], b"\n"
    return raw, b""


def read_lines(
    stream: BinaryIO,
    name: str,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    stats: LineStats | None = None,
    start_offset: int = 0,
) -> Iterator[tuple[str, str]]:
    """Yield ``(text, terminator)`` for every line of ``stream``.

    ``errors`` is ``"strict"`` (raise :class:`InputError` naming the file,
    line and byte offset), ``"replace"`` (undecodable bytes become U+FFFD) or
    ``"skip-line"`` (lines that do not decode are left out). ``stats`` counts
    lines, characters, bytes and changed lines.
    """
    if errors not in ERROR_POLICIES:
        raise ValueError(f"errors must be one of {', '.join(ERROR_POLICIES)}")
    codecs.lookup(encoding)  # LookupError for an unknown encoding
    utf8 = codecs.lookup(encoding).name == "utf-8"
    offset = start_offset
    st = stats if stats is not None else LineStats()
    for lineno, raw in enumerate(stream, 1):
        line_offset = offset
        offset += len(raw)
        st.bytes += len(raw)
        content, term = split_terminator(raw)
        if lineno == 1 and start_offset == 0 and utf8 and content.startswith(codecs.BOM_UTF8):
            content = content[3:]
            line_offset += 3
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError as exc:
            if errors == "strict":
                raise InputError(
                    f"{name}:{lineno}: invalid {_label(encoding)} at byte offset "
                    f"{line_offset + exc.start}{encoding_hint(content, encoding)}"
                ) from None
            st.changed_lines += 1
            if errors == "skip-line":
                st.skipped_lines.append(lineno)
                continue
            text = content.decode(encoding, "replace")
        st.lines += 1
        st.chars += len(text)
        yield text, term.decode("ascii")


def encoding_hint(raw: bytes, encoding: str) -> str:
    """What to tell a user whose bytes failed to decode as UTF-8 but read as
    GB18030 (GBK's superset, the usual other encoding of Chinese text)."""
    if codecs.lookup(encoding).name != "utf-8":
        return ""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        return ""
    return "; the bytes read as GBK/GB18030 Chinese: try --encoding gb18030"


def _label(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "UTF-8" if name == "utf-8" else name


class AtomicOutput:
    """A binary file written to a temporary name beside ``path`` and renamed
    to ``path`` only by :meth:`commit`. :meth:`abort` (or leaving the
    ``with`` block by an exception) removes it: a failed run never leaves a
    partial file under the final name."""

    def __init__(self, path: str) -> None:
        self.path = path
        directory = check_output_path(path)
        try:
            fd, self.tmp = tempfile.mkstemp(
                prefix=f".{os.path.basename(path)}.", suffix=".part", dir=directory
            )
        except OSError as exc:
            raise InputError(f"{path}: cannot write there: {exc.strerror or exc}") from None
        self.file = os.fdopen(fd, "wb", buffering=1 << 20)

    def commit(self) -> None:
        self.file.close()
        # mkstemp makes the file private (0600); the output is a normal file,
        # readable as the umask allows (0644 under umask 022)
        os.chmod(self.tmp, 0o666 & ~current_umask())
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Remove the temporary file; never raises over the error that made
        the caller abort (closing may fail again, as on a full disk)."""
        try:
            self.file.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def current_umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output_path(path: str) -> str:
    """The folder an output file ``path`` goes to, checked before any work:
    InputError when it does not exist or is not a folder."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(directory):
        what = "is not a folder" if os.path.exists(directory) else "does not exist"
        raise InputError(
            f"{path}: the output folder {directory} {what}; create it first (mkdir -p {directory})"
        )
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory (end it with '/' to write one file per input)")
    if os.path.exists(path) and not os.path.isfile(path):
        raise InputError(
            f"{path}: is not a regular file (a device or a pipe?); -o writes files: use the "
            f"shell (> {path}) to write elsewhere"
        )
    return directory


@contextmanager
def open_output(path: str | None) -> Iterator[BinaryIO]:
    """A binary sink: stdout when ``path`` is None, else an
    :class:`AtomicOutput` that appears under ``path`` only if the ``with``
    block succeeds."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with AtomicOutput(path) as out:
        yield out.file


def open_input(path: str) -> BinaryIO:
    """Open an input file for reading, or stdin for ``-``, with clear errors."""
    if path == "-":
        return sys.stdin.buffer
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory")
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from None
