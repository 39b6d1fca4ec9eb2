"""The qieci binary container: a versioned, checksummed file of named sections.

Every data file qieci ships or writes (dictionaries, HMM tables, models) uses
this container. It holds plain arrays and UTF-8 JSON only, so loading a file
can never run code (no pickle, no marshal).

Layout (all integers little-endian)::

    offset  size  field
    0       8     magic  b"QIECI\\x1a\\n\\x00"
    8       4     container version (currently 1)
    12      8     kind, ASCII, NUL-padded (e.g. b"dict", b"hmm")
    20      4     number of sections N
    24      4     CRC-32 of the section table
    28      40*N  section table, one entry per section:
                    16  name, ASCII, NUL-padded
                    8   offset of the payload from the start of the file
                    8   stored (possibly compressed) length
                    4   CRC-32 of the stored bytes
                    4   flags (bit 0: zlib-compressed)
    ...           payloads

A reader checks the magic, the version, the table checksum, that every
payload lies inside the file, and each payload's checksum before it is used.
Any failure raises :class:`ValueError` naming the file.

Inflating is bounded (a zlib "bomb" of a few MB can hold gigabytes of
zeros). A section is decompressed incrementally and refused at the first
byte past its limit: the size its kind's metadata declares (the reader
passes it), and never more than :data:`MAX_RATIO` times its stored size
plus :data:`RATIO_SLACK` (real sections compress 1 to 27 times; zeros
compress about 1,000 times), nor :data:`MAX_SECTION_BYTES`.
"""

from __future__ import annotations

import os
import stat
import struct
import sys
import tempfile
import zlib
from array import array
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

from qieci import _cpu

if TYPE_CHECKING:
    import mmap
    from typing import Literal, TypeAlias

    #: A native-order numeric array: an ``array``, or a zero-copy
    #: ``memoryview`` cast of little-endian bytes (see :func:`array_view`).
    NumArray: TypeAlias = "array[Any] | memoryview[Any]"
    #: The ``array`` / ``memoryview.cast`` type codes of numeric sections.
    TypeCode: TypeAlias = Literal["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "f", "d"]

MAGIC = b"QIECI\x1a\n\x00"
VERSION = 1
_HEADER = struct.Struct("<8sI8sII")
_ENTRY = struct.Struct("<16sQQII")
_FLAG_ZLIB = 1
#: A stored section: bytes (stored_sections) or a view (stored_views).
_Payload = TypeVar("_Payload", bytes, memoryview)

#: A compressed section inflates to at most MAX_RATIO times its stored
#: size plus RATIO_SLACK (the bundled files' sections: 1 to 27 times).
MAX_RATIO = 32
RATIO_SLACK = 1 << 20
#: No section of any kind inflates past this.
MAX_SECTION_BYTES = 1 << 30
#: zlib's own bound: no stream inflates more than about 1,032 times.
ZLIB_MAX_RATIO = 1100
_INFLATE_STEP = 1 << 22


def pack(
    kind: str, sections: Mapping[str, bytes], *, compress: bool = True, align: int = 1
) -> bytes:
    """Serialise ``sections`` (name -> payload) into one container. With
    ``align``, every payload starts at a multiple of that many bytes (zeros
    in between), so that a reader may use a stored section in place as an
    array of any width up to ``align``."""
    names = list(sections)
    table_size = _HEADER.size + _ENTRY.size * len(names)
    entries = []
    payloads = []
    offset = table_size
    for name in names:
        raw = bytes(sections[name])
        stored = zlib.compress(raw, 9) if compress else raw
        flags = _FLAG_ZLIB if compress else 0
        pad = -offset % align
        payloads.append(bytes(pad))
        offset += pad
        entries.append(_ENTRY.pack(_ascii(name, 16), offset, len(stored), checksum(stored), flags))
        payloads.append(stored)
        offset += len(stored)
    table = b"".join(entries)
    header = _HEADER.pack(MAGIC, VERSION, _ascii(kind, 8), len(names), checksum(table))
    return header + table + b"".join(payloads)


def unpack(
    data: bytes,
    *,
    kind: str,
    source: str,
    limits: Mapping[str, int] | None = None,
) -> dict[str, bytes]:
    """Parse a container, verify it, and return its decompressed sections.

    ``source`` names the file in error messages; ``kind`` is the expected
    kind; ``limits`` caps the decompressed size of the sections it names
    (see :func:`inflate`; every section is capped by its stored size too).
    """
    stored = stored_sections(data, kind=kind, source=source)
    return {name: section(stored, name, source, (limits or {}).get(name)) for name in stored}


def stored_sections(data: bytes, *, kind: str, source: str) -> dict[str, tuple[bytes, bool]]:
    """The verified sections of a container, not yet decompressed: name ->
    (stored bytes, compressed?). Read them with :func:`section`, which
    takes a limit that may depend on sections read before (metadata)."""
    return {
        name: (bytes(stored), compressed)
        for name, (stored, compressed) in stored_views(data, kind=kind, source=source).items()
    }


def stored_views(
    data: bytes | memoryview | mmap.mmap, *, kind: str, source: str
) -> dict[str, tuple[memoryview, bool]]:
    """:func:`stored_sections` without copying: each section is a read-only
    view of ``data`` (which may be a memory map of the file), checked
    against its checksum."""
    view = memoryview(data).toreadonly()
    count = _header(view[: _HEADER.size], kind=kind, source=source)
    table_end = _HEADER.size + _ENTRY.size * count
    if table_end > len(view):
        raise ValueError(f"{source}: truncated qieci file (section table cut off)")
    sections: dict[str, tuple[memoryview, bool]] = {}
    for name, offset, length, crc, compressed in _entries(
        bytes(view[:table_end]), len(view), source
    ):
        stored = view[offset : offset + length]
        if checksum(stored) != crc:
            raise ValueError(f"{source}: corrupt qieci file (section {name!r} checksum mismatch)")
        sections[name] = (stored, compressed)
    return sections


def read_section(f: IO[bytes], *, kind: str, name: str, source: str) -> tuple[bytes, bool]:
    """Section ``name`` of the container open in ``f`` (a seekable binary
    file), still compressed, and whether it is: only the header, the
    section table and that section are read, and each is verified (magic,
    version, kind, the table's checksum, the section's bounds and
    checksum); the other sections are neither read nor checked. For a
    cheap look at a large file's metadata; ValueError naming ``source``
    (also when the file cannot be read: an I/O error, a file of /proc)."""
    try:
        return _read_section(f, kind=kind, name=name, source=source)
    except OSError as exc:
        raise ValueError(f"{source}: cannot read: {exc.strerror or exc}") from None


def _read_section(f: IO[bytes], *, kind: str, name: str, source: str) -> tuple[bytes, bool]:
    size = f.seek(0, os.SEEK_END)
    f.seek(0)
    count = _header(f.read(_HEADER.size), kind=kind, source=source)
    table_end = _HEADER.size + _ENTRY.size * count
    if table_end > size:
        raise ValueError(f"{source}: truncated qieci file (section table cut off)")
    f.seek(0)
    for found, offset, length, crc, compressed in _entries(f.read(table_end), size, source):
        if found == name:
            f.seek(offset)
            stored = f.read(length)
            if len(stored) != length:
                raise ValueError(f"{source}: truncated qieci file (section {name!r} cut off)")
            if checksum(stored) != crc:
                raise ValueError(
                    f"{source}: corrupt qieci file (section {name!r} checksum mismatch)"
                )
            return stored, compressed
    raise ValueError(f"{source}: qieci file lacks section(s) {name}")


def _header(head: bytes | memoryview, *, kind: str, source: str) -> int:
    """The number of sections that the header ``head`` (the file's first
    bytes) declares, after its magic, version and kind are checked."""
    if len(head) < _HEADER.size or bytes(head[:8]) != MAGIC:
        raise ValueError(f"{source}: not a qieci data file (bad magic bytes)")
    _, version, raw_kind, count, _ = _HEADER.unpack_from(head, 0)
    if version != VERSION:
        raise ValueError(
            f"{source}: unsupported qieci file version {version} (this build reads {VERSION})"
        )
    found_kind = raw_kind.rstrip(b"\0").decode("ascii", "replace")
    if found_kind != kind:
        raise ValueError(f"{source}: is a qieci {found_kind!r} file, expected {kind!r}")
    if count > 4096:
        raise ValueError(f"{source}: truncated qieci file (section table cut off)")
    return int(count)


def _entries(start: bytes, size: int, source: str) -> list[tuple[str, int, int, int, bool]]:
    """``(name, offset, length, crc, compressed)`` of every section in the
    table that ``start`` (the file's header and table) holds, after the
    table's checksum; each section must lie inside the file of ``size``
    bytes, past the table."""
    *_, count, table_crc = _HEADER.unpack_from(start, 0)
    table_end = _HEADER.size + _ENTRY.size * count
    table = start[_HEADER.size : table_end]
    if checksum(table) != table_crc:
        raise ValueError(f"{source}: corrupt qieci file (section table checksum mismatch)")
    out = []
    for i in range(count):
        raw_name, offset, length, crc, flags = _ENTRY.unpack_from(table, i * _ENTRY.size)
        name = raw_name.rstrip(b"\0").decode("ascii", "replace")
        if offset < table_end or offset + length > size:
            raise ValueError(f"{source}: truncated qieci file (section {name!r} cut off)")
        out.append((name, offset, length, crc, bool(flags & _FLAG_ZLIB)))
    return out


def section(
    stored: Mapping[str, tuple[_Payload, bool]], name: str, source: str, limit: int | None = None
) -> _Payload | bytes:
    """Section ``name`` of :func:`stored_sections` (or :func:`stored_views`:
    a stored section is then a view), decompressed within ``limit`` bytes
    (and the stored-size bound of :func:`inflate`)."""
    if name not in stored:
        raise ValueError(f"{source}: qieci file lacks section(s) {name}")
    payload, compressed = stored[name]
    if not compressed:
        return payload
    return inflate(payload, source=source, section=name, limit=limit)


def _isal() -> Any:
    """ISA-L's inflater (imported when first needed: the jieba engine's
    data files are stored uncompressed): the same zlib streams, which zlib
    still writes (so files stay byte-identical), inflated about twice as
    fast; the learned model loads 0.15 s sooner. Every call into it is
    followed by :func:`qieci._cpu.clear_upper_state` (ISA-L leaves the
    AVX-512 registers' upper halves in use, which slowed all the code after
    it by 35-40%)."""
    from isal import isal_zlib

    return isal_zlib


class _Inflater:
    """ISA-L's ``decompressobj`` with zlib's interface (``decompress``,
    ``flush``, ``unconsumed_tail``, ``eof``), clearing the vector
    registers' upper state after each call."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def decompress(self, data: bytes | memoryview, max_length: int = 0) -> bytes:
        try:
            return bytes(self._inner.decompress(data, max_length))
        finally:
            _cpu.clear_upper_state()

    def flush(self, *args: int) -> bytes:
        try:
            return bytes(self._inner.flush(*args))
        finally:
            _cpu.clear_upper_state()

    @property
    def unconsumed_tail(self) -> bytes:
        return bytes(self._inner.unconsumed_tail)

    @property
    def eof(self) -> bool:
        return bool(self._inner.eof)


#: Streams of fewer stored bytes are inflated by zlib itself (ISA-L's gain
#: there is less than its import).
ISAL_FROM_BYTES = 1 << 20


def checksum(data: bytes | memoryview) -> int:
    """The CRC-32 of ``data`` (zlib's ``crc32``, the value every file
    stores): ISA-L's for 1 MiB or more, which computes the same value
    several times faster (the bundled dictionary's 27 MB in about 1.6 ms
    against zlib's 10 ms, checked at every start), zlib's below."""
    if len(data) < ISAL_FROM_BYTES:
        return zlib.crc32(data)
    try:
        return int(_isal().crc32(data))
    finally:
        _cpu.clear_upper_state()


def decompressobj(stored_bytes: int) -> Any:
    """An incremental inflater of one zlib stream of ``stored_bytes`` (zlib's
    interface: ``decompress(data, max_length)``, ``unconsumed_tail``,
    ``eof``, ``flush()``): ISA-L's for a large stream, zlib's for a small
    one; on a corrupt stream it raises one of :func:`inflate_errors`."""
    if stored_bytes < ISAL_FROM_BYTES:
        return zlib.decompressobj()
    return _Inflater(_isal().decompressobj())


def inflate_errors() -> tuple[type[Exception], ...]:
    """What a corrupt zlib stream raises while it is inflated (ISA-L's error
    only once ISA-L is loaded: nothing else can have raised it)."""
    isal_zlib = sys.modules.get("isal.isal_zlib")
    if isal_zlib is None:
        return (zlib.error,)
    return (zlib.error, cast("type[Exception]", isal_zlib.error))  # (its stub: an instance)


def inflate(
    stored: bytes | memoryview,
    *,
    source: str,
    section: str,
    limit: int | None = None,
    sparse: bool = False,
    what: str = "qieci file",
) -> bytes:
    """Decompress the zlib stream ``stored`` incrementally, and raise
    ValueError naming ``source`` and ``section`` at the first byte past
    ``limit`` (the size the metadata declares) or past
    :data:`MAX_RATIO` x its stored size + :data:`RATIO_SLACK` (unless
    ``sparse``: a table that may be mostly zeros, whose ``limit`` is exact)
    or :data:`MAX_SECTION_BYTES`. Memory stays within about twice the cap,
    whatever the stream holds. ``what`` names the kind of file in messages."""
    cap = MAX_SECTION_BYTES if limit is None else min(limit, MAX_SECTION_BYTES)
    if not sparse:
        cap = min(cap, MAX_RATIO * len(stored) + RATIO_SLACK)
    d = decompressobj(len(stored))
    parts: list[bytes] = []
    size = 0
    data = stored
    try:
        while not d.eof:
            chunk = d.decompress(data, min(_INFLATE_STEP, cap + 1 - size))
            data = d.unconsumed_tail
            if not chunk and not data and not d.eof:
                raise ValueError(
                    f"{source}: truncated {what} section {section!r} (its zlib stream is cut off)"
                )
            size += len(chunk)
            if size > cap:
                raise ValueError(
                    f"{source}: corrupt {what} section {section!r} (it inflates past "
                    f"{cap:,} bytes: {_why(limit, cap)})"
                )
            parts.append(chunk)
    except inflate_errors() as exc:
        raise ValueError(f"{source}: corrupt {what} section {section!r} ({exc})") from None
    return b"".join(parts)


def _why(limit: int | None, cap: int) -> str:
    if limit is not None and cap == limit:
        return "the size its metadata declares"
    if cap == MAX_SECTION_BYTES:
        return "the largest section qieci reads"
    return f"more than {MAX_RATIO} times its stored size, as no real data file does"


def plausible(declared: int, stored: int) -> bool:
    """Whether ``stored`` bytes of zlib can hold ``declared`` bytes (zlib
    never inflates more than about 1,032 times): checked before a reader
    allocates what metadata declares."""
    return declared <= ZLIB_MAX_RATIO * stored + RATIO_SLACK


def read_regular(path: str | PathLike[str], what: str) -> bytes:
    """The bytes of the regular file at ``path``; ValueError naming it and
    ``what`` it should be when it is missing, unreadable, or not a regular
    file (a FIFO would block forever, a device never end)."""
    with open_regular(path, what) as f:
        try:
            return f.read()
        except OSError as exc:
            raise ValueError(
                f"{os.fspath(path)}: cannot read {what}: {exc.strerror or exc}"
            ) from None


def open_regular(path: str | PathLike[str], what: str) -> BinaryIO:
    """The regular file at ``path``, open for reading in binary; the same
    ValueErrors as :func:`read_regular` when it is missing, unreadable, a
    folder, a FIFO or a device (opened without blocking, so a FIFO never
    hangs the check)."""
    p = os.fspath(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ValueError(f"{p}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ValueError(f"{p}: is a directory ({what} expected)")
        if not stat.S_ISREG(mode):
            raise ValueError(f"{p}: {what} is not a regular file (a FIFO or a device?)")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def temp_beside(path: str, suffix: str) -> tuple[int, str]:
    """A new private file in ``path``'s folder, named ``.NAME.XXXXXXXX`` +
    ``suffix`` (8 random characters): created exclusively (``O_EXCL``, and
    ``O_NOFOLLOW``: a planted file or symlink of that name is never used),
    opened for writing. Returns its descriptor and its path."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    return tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=suffix, dir=directory)


def current_umask() -> int:
    """The process's umask, read without changing it where the system says
    (Linux: ``/proc/self/status``); elsewhere by setting it and setting it
    back, which another thread creating a file at that instant could see."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file of
    :func:`temp_beside`, renamed over ``path`` once complete: ``path`` is
    never partly written, and a symlink at ``path`` is replaced, never
    followed, and the data is flushed to disk before the rename. A regular
    file replaced keeps its permission bits (less the set-user and
    set-group ID bits); a new file gets those the umask allows. A failure
    leaves nothing behind and raises OSError."""
    p = os.fspath(path)
    try:
        st = os.lstat(p)
        keep = stat.S_ISREG(st.st_mode)
    except OSError:
        keep = False
    mode = stat.S_IMODE(st.st_mode) & ~(stat.S_ISUID | stat.S_ISGID) if keep else None
    fd, tmp = temp_beside(p, ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            # on disk before the rename, so that a crash of the machine
            # leaves the old file or the new one, never an empty one
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~current_umask() if mode is None else mode)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read(path: str | PathLike[str], *, kind: str) -> dict[str, bytes]:
    """Read and verify the container at ``path``."""
    data = read_regular(path, "qieci data file")
    return unpack(data, kind=kind, source=str(Path(path)))


def is_container(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts with the magic."""
    return head[:8] == MAGIC


def require(sections: Mapping[str, object], names: tuple[str, ...], source: str) -> None:
    """Raise ValueError unless every name in ``names`` is a section."""
    missing = [n for n in names if n not in sections]
    if missing:
        raise ValueError(f"{source}: qieci file lacks section(s) {', '.join(missing)}")


def parse_json(raw: bytes | bytearray | memoryview | str, source: str, what: str) -> Any:
    """The UTF-8 JSON document ``raw`` of a data file (a section's metadata,
    a recipe): anything it is not (not UTF-8, not JSON, nested deeper than
    the parser goes) is a ValueError ``"{source}: corrupt {what} (why)"``,
    never a RecursionError or a UnicodeDecodeError."""
    import json  # not at import time: most runs read no JSON

    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8")
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{source}: corrupt {what} (JSON nested too deeply)") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValueError(f"{source}: corrupt {what} ({exc})") from None


def _ascii(text: str, width: int) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > width:
        raise ValueError(f"name {text!r} longer than {width} bytes")
    return raw.ljust(width, b"\0")


def native_array(code: str, raw: bytes) -> array:
    """A native ``array`` of ``code`` holding the native-order bytes ``raw``."""
    a = array(code)
    a.frombytes(raw)
    return a


def array_view(code: TypeCode, raw: bytes | memoryview) -> NumArray:
    """A native array view of little-endian bytes (zero-copy where the
    machine is little-endian)."""
    if sys.byteorder == "little":
        return memoryview(raw).cast(code)
    a = array(code)
    a.frombytes(raw)
    a.byteswap()
    return a


def le_bytes(a: NumArray) -> bytes:
    """Little-endian bytes of a native array (the order of every section)."""
    if sys.byteorder == "big":
        # array_view makes memoryviews on little-endian machines only
        assert isinstance(a, array)
        a = array(a.typecode, a)
        a.byteswap()
    return a.tobytes()
