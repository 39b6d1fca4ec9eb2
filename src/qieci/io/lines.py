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
import re
import shutil
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO

from ..binfile import current_umask, temp_beside

try:
    import fcntl
except ImportError:  # not POSIX: stale files cannot be told from live ones
    fcntl = None  # type: ignore[assignment]

ERROR_POLICIES = ("strict", "replace", "skip-line")


class InputError(ValueError):
    """A problem with an input file (missing, a directory, unreadable, not
    in its encoding), reported as ``file:line: message``; a ValueError, as
    every mistake in what the user gave is."""


class InputChanged(RuntimeError):
    """An input file changed while it was read (replaced, truncated or
    rewritten): the output would mix two files. A fault, not a mistake."""


#: What identifies a file's content for the length of a run: its device,
#: inode, size and modification time.
Identity = tuple[int, int, int, int]


def identity(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def check_unchanged(name: str, started: Identity, now: os.stat_result) -> None:
    """Raise :class:`InputChanged` unless ``now`` is still the file whose
    identity was ``started``."""
    if identity(now) != started:
        what = "replaced" if (now.st_dev, now.st_ino) != started[:2] else "modified"
        if what == "modified" and now.st_size < started[2]:
            what = "truncated"
        raise InputChanged(
            f"{name}: the input file was {what} during the run; its output would mix "
            "two versions: run again on a file that stays put (or on a copy)"
        )


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
    check_encoding(encoding)
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
                raise invalid_bytes(
                    name,
                    lineno,
                    encoding,
                    line_offset + exc.start,
                    content,
                    content_start=line_offset,
                ) from None
            st.changed_lines += 1
            if errors == "skip-line":
                st.skipped_lines.append(lineno)
                continue
            text = content.decode(encoding, "replace")
        except UnicodeError as exc:
            # a codec that refuses the line as a whole, not some of its bytes
            # (check_encoding refuses the known ones): no policy reads past it
            raise undecodable_line(name, lineno, encoding, line_offset, exc) from None
        st.lines += 1
        st.chars += len(text)
        yield text, term.decode("ascii")


def invalid_bytes(
    name: str, lineno: int, encoding: str, offset: int, content: bytes, *, content_start: int
) -> InputError:
    """The error of a line that does not decode: the file, the line and the
    byte offset in the file, then what to do (read it as GB18030 when its
    bytes are GBK Chinese, else replace such bytes or skip their lines).
    ``content_start`` is the offset in the file where ``content`` begins: a
    UTF-16 byte-order mark is named only at the file's start."""
    hint = encoding_hint(content, encoding, at_file_start=content_start == 0) or (
        "; to read on past such bytes, replace them (--errors replace, errors='replace') "
        "or skip their lines (--errors skip-line)"
    )
    return InputError(f"{name}:{lineno}: invalid {_label(encoding)} at byte offset {offset}{hint}")


def undecodable_line(
    name: str, lineno: int, encoding: str, offset: int, exc: UnicodeError
) -> InputError:
    """The error of a line that the codec ``encoding`` refuses as a whole
    (a ``UnicodeError`` that names no bytes, as ``idna`` raises): the file,
    the line and the byte offset in the file where the line begins, then
    what to do. ``--errors`` cannot read past it: it replaces or skips bytes."""
    reason = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else str(exc)
    return InputError(
        f"{name}:{lineno}: cannot decode the line at byte offset {offset} as "
        f"{_label(encoding)} ({reason}); no --errors policy reads past this: read the "
        "file with a character encoding such as utf-8 or gb18030 (--encoding)"
    )


#: Codecs that are registered as text encodings, and read ``a\n`` as
#: ``a\n``, but are no character encoding of a text file, by the name
#: ``codecs.lookup`` gives them; each with what it is instead.
NOT_FILE_ENCODINGS = {
    "idna": "it encodes internationalised domain names, one label at a time",
    "punycode": "it encodes internationalised domain names, one label at a time",
    "unicode-escape": "it reads Python's backslash escapes, which can hide line breaks",
    "raw-unicode-escape": "it reads Python's backslash escapes, which can hide line breaks",
    "undefined": "it refuses every text",
}


def check_encoding(encoding: str) -> None:
    """ValueError unless ``encoding`` is a known codec that is a character
    encoding of text files (not a bytes-to-bytes transform such as ``zlib``
    or ``base64``, nor one of :data:`NOT_FILE_ENCODINGS`) in which ASCII is
    ASCII: lines are found at the byte ``\n`` before decoding, so UTF-16 and
    UTF-32 cannot be read line by line."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        what = "a transform of bytes or of text (compression, base64 and the like)"
    else:
        what = NOT_FILE_ENCODINGS.get(info.name, "")
    if what:
        raise ValueError(
            f"encoding {encoding!r} is not a character encoding of text files: {what}; "
            "use a character encoding such as utf-8 or gb18030"
        )
    try:  # (decoding: utf-8-sig reads "a\n" as ASCII, a byte-order mark aside)
        ascii_ok = codecs.decode(b"a\n", info.name) == "a\n"
    except Exception:  # a codec's own failure, whatever its kind
        ascii_ok = False
    if not ascii_ok:
        raise ValueError(
            f"encoding {encoding!r} is not ASCII-compatible, so its lines cannot be found; "
            f"convert the file to UTF-8 first (iconv -f {info.name} -t utf-8 FILE)"
        )


def encoding_hint(raw: bytes, encoding: str, *, at_file_start: bool) -> str:
    """What to tell a user whose bytes failed to decode as UTF-8 but read as
    GB18030 (GBK's superset, the usual other encoding of Chinese text), or,
    when ``raw`` is the start of the file (``at_file_start``), begin with a
    UTF-16 byte-order mark."""
    if codecs.lookup(encoding).name != "utf-8":
        return ""
    if at_file_start and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return (
            "; the file begins with a UTF-16 byte-order mark: convert it to UTF-8 first "
            "(iconv -f utf-16 -t utf-8 FILE)"
        )
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        return ""
    return (
        "; the bytes read as GBK/GB18030 Chinese: try --encoding gb18030 "
        "(encoding='gb18030' in Python)"
    )


def _label(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "UTF-8" if name == "utf-8" else name


class AtomicOutput:
    """A binary file written to a temporary name beside ``path`` and renamed
    to ``path`` only by :meth:`commit`. :meth:`abort` (or leaving the
    ``with`` block by an exception) removes it: a failed run never leaves a
    partial file under the final name.

    When ``path`` is a symlink (or goes through one), the file written is
    the one it leads to, :attr:`target` (see :func:`output_target`): the
    temporary file is made beside it and renamed over it, and the link is
    kept. A path into ``/dev`` or ``/proc`` is refused
    (:func:`check_output_path`). A file that already exists keeps its
    permission bits; a new one gets those the umask allows.

    The temporary file is ``.NAME.XXXXXXXX.part`` (8 random characters),
    created exclusively and never through a symlink
    (:func:`qieci.binfile.temp_beside`), and locked (``flock``) while this
    run owns it. Temporary files of that pattern that no live run has
    locked (left by a run that was killed) are removed first
    (:func:`remove_stale`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        #: the file written: ``path`` with its symlinks followed
        self.target = _checked_target(path)
        remove_stale(os.path.dirname(self.target), [os.path.basename(self.target)])
        try:
            fd, self.tmp = temp_beside(self.target, PART_SUFFIX)
        except OSError as exc:
            raise InputError(f"{path}: cannot write there: {exc.strerror or exc}") from None
        hold_lock(fd)
        self.file = os.fdopen(fd, "wb", buffering=1 << 20)

    def commit(self) -> None:
        """Close the temporary file and rename it over :attr:`target`; if
        any step fails (closing flushes the last buffered megabyte, which is
        where a full disk shows on a short output), the temporary file is
        removed and the error raised. Nothing is renamed when ``path`` now
        leads elsewhere (a symlink made or changed during the run: a link is
        never replaced) or to something that is not a regular file."""
        try:
            self.file.flush()
            mode = _output_mode(self.path, self.target)
            if _checked_target(self.path) != self.target:
                raise InputError(
                    f"{self.path}: was changed during the run (a symlink made or changed); "
                    "nothing was written: run again"
                )
            # mkstemp makes the file private (0600): it gets the permissions
            # of the file it replaces, or those the umask allows
            os.chmod(self.file.fileno() if os.chmod in os.supports_fd else self.tmp, mode)
            self.file.close()
            os.replace(self.tmp, self.target)
        except BaseException:
            self.abort()
            raise

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


#: The suffixes of qieci's temporary files beside an output ``NAME``:
#: ``.NAME.XXXXXXXX.part`` (the output being written) and
#: ``.NAME.XXXXXXXX.spill`` (a folder of worker results).
PART_SUFFIX = ".part"
SPILL_SUFFIX = ".spill"
#: mkstemp's random part: 8 characters of this set.
_RANDOM = r"[a-z0-9_]{8}"


def hold_lock(fd: int) -> None:
    """Lock the temporary file or folder ``fd`` for as long as it is open
    (an exclusive ``flock``, released by the kernel however the process
    ends): what tells a later run that it is not stale."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a file system without locks: the file just looks stale


def remove_stale(directory: str, names: list[str]) -> list[str]:
    """Remove the temporary files and spill folders that earlier runs left
    beside the outputs ``names`` of ``directory`` (killed before they could
    clean up): only entries named by qieci's pattern for one of those
    outputs, owned by this user, of the right type (never a symlink), and
    not locked by a live run. Returns the paths removed."""
    if fcntl is None or not names:
        return []
    outputs = "|".join(re.escape(f".{n}.") for n in names)
    suffixes = f"{re.escape(PART_SUFFIX)}|{re.escape(SPILL_SUFFIX)}"
    pattern = re.compile(f"(?:{outputs}){_RANDOM}(?:{suffixes})")
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for entry in entries:
        if not pattern.fullmatch(entry):
            continue
        path = os.path.join(directory, entry)
        kind = _stale_kind(path)
        if kind is None:
            continue
        try:
            if kind == "dir":
                shutil.rmtree(path)
            else:
                os.unlink(path)
            removed.append(path)
        except OSError:
            pass
    return removed


def _stale_kind(path: str) -> str | None:
    """ "file" or "dir" when ``path`` is a regular file or a folder of this
    user that no process holds locked; None otherwise."""
    assert fcntl is not None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # a symlink (ELOOP), gone, or not ours to read
        return None
    try:
        st = os.fstat(fd)
        if st.st_uid != os.geteuid():
            return None
        if stat.S_ISREG(st.st_mode):
            kind = "file"
        elif stat.S_ISDIR(st.st_mode):
            kind = "dir"
        else:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a live run holds it
            return None
        return kind
    finally:
        os.close(fd)


def check_not_an_input(output: str, inputs: Sequence[str]) -> None:
    """InputError when the file ``output`` is one of ``inputs`` (by identity:
    a link or another spelling of the path counts), which writing it would
    replace before it is read."""
    try:
        out = os.stat(output)
    except OSError:
        return  # not there yet: no input can be it
    for name in inputs:
        if name == "-":
            continue
        try:
            st = os.stat(name)
        except OSError:
            continue
        if os.path.samestat(st, out):
            raise InputError(
                f"{output}: is also the input {name}; writing it would replace the text "
                "before it is read: write to another file"
            )


def check_output_path(path: str, inputs: Sequence[str] = ()) -> str:
    """The folder an output file ``path`` goes to (the folder of the file a
    symlink at ``path`` leads to: :func:`output_target`), checked before any
    work: InputError when ``path`` names a folder, is not a regular file (a
    device, a pipe), leads into ``/dev`` or ``/proc``, when its folder does
    not exist, is not a folder or cannot be written in, or when ``path`` is
    one of the ``inputs`` (the files the run reads: its text and its data
    files)."""
    return os.path.dirname(_checked_target(path, inputs))


def _checked_target(path: str, inputs: Sequence[str] = ()) -> str:
    """:func:`check_output_path`'s checks; the file that writing ``path``
    replaces."""
    check_not_an_input(path, inputs)
    if not path:
        raise InputError("the output path is empty: give the name of the file to write")
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise InputError(f"{path}: names a folder; give the name of the file to write")
    if os.path.exists(path) and not os.path.isfile(path):
        raise InputError(
            f"{path}: is not a regular file (a device or a pipe?); -o writes files: use the "
            f"shell (> {path}) to write elsewhere"
        )
    target = output_target(path)
    directory = os.path.dirname(target) or "."
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise InputError(
                f"{path}: {directory} is a file, not a folder: remove it, or write the output "
                "elsewhere"
            )
        raise InputError(
            f"{path}: the output folder {directory} does not exist; create it first "
            f"(mkdir -p {directory})"
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        # a read-only file system or folder: said now, not after the work
        raise InputError(
            f"{path}: cannot write in the folder {directory} (read-only, or not yours): "
            "write the output elsewhere"
        )
    return target


def check_output_dir(path: str) -> None:
    """InputError, before any work, when the output folder ``path`` (of
    ``-o DIR/``) cannot be one: a file stands there or on the way to it, or
    the folder that would hold it cannot be written in. A folder that does
    not exist yet is fine (it is made)."""
    here = os.path.abspath(path)
    while not os.path.exists(here):
        up = os.path.dirname(here)
        if up == here:
            break
        here = up
    if not os.path.isdir(here):
        where = "" if here == os.path.abspath(path) else f" (on the way to {path})"
        raise InputError(
            f"{path}: {here} is a file, not a folder{where}: remove it, or write the outputs "
            "into another folder"
        )
    if here != os.path.abspath(path) and not os.access(here, os.W_OK | os.X_OK):
        raise InputError(
            f"{path}: cannot make the folder in {here} (read-only, or not yours): write the "
            "outputs elsewhere"
        )


#: The trees no output file is written in: devices, and the files of the
#: running processes, whose ``fd/N`` links name a descriptor of the process
#: that opens them (``/dev/stdout`` leads to ``/proc/self/fd/1``), not a
#: file of their own.
SPECIAL_TREES = ("/dev", "/proc")
#: Folders inside them that hold ordinary files (a tmpfs of shared memory).
FILE_TREES = ("/dev/shm",)
#: Symlinks followed at most on one path, as Linux does (a loop ends here).
_MAX_LINKS = 40


def output_target(path: str) -> str:
    """The file that writing ``path`` replaces: its absolute path with every
    symlink followed, component by component as the system does (the last
    name need not exist). InputError when it goes into :data:`SPECIAL_TREES`
    (by name or through a symlink), through a loop of symlinks, or through a
    symlink that another user made in a shared folder (sticky and
    world-writable, as ``/tmp``), which the system would not follow either
    (``fs.protected_symlinks``)."""
    if os.sep != "/":  # not POSIX: no /dev or /proc to keep out of
        return os.path.realpath(path)
    pending = path.split("/")[::-1]  # a stack: the next name last
    resolved = "/" if path.startswith("/") else os.getcwd()
    links = 0
    while pending:
        name = pending.pop()
        if name in ("", "."):
            continue
        if name == "..":
            resolved = os.path.dirname(resolved)
            continue
        here = os.path.join(resolved, name)
        tree = next((t for t in SPECIAL_TREES if _within(here, t)), None)
        # (/dev on the way to /dev/shm, and what is in /dev/shm, are fine)
        if any(_within(here, t) or _within(t, here) for t in FILE_TREES):
            tree = None
        if tree is not None:
            where = os.path.normpath("/".join([here, *reversed(pending)]))
            how = f"leads through a symlink into {tree} ({where})" if links else f"is in {tree}"
            raise InputError(
                f"{path}: {how}, where devices and the descriptors of processes live, not "
                f"files; -o writes files: use the shell (> {path}) to write there"
            )
        try:
            link = os.readlink(here)
        except OSError:  # not a symlink (or not there yet): a name of the result
            resolved = here
            continue
        links += 1
        if links > _MAX_LINKS:
            raise InputError(
                f"{path}: too many levels of symlinks (a loop?); give the path of the file itself"
            )
        _check_followable(path, resolved, here)
        pending.extend(link.split("/")[::-1])
        if link.startswith("/"):
            resolved = "/"
    return resolved


def _within(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree + "/")


def _check_followable(path: str, folder: str, link: str) -> None:
    """InputError when the symlink ``link`` is in a shared ``folder`` (sticky
    and world-writable) and neither this user's nor the folder owner's: one
    planted for whoever writes there (the rule of ``fs.protected_symlinks``)."""
    try:
        st_folder, st_link = os.stat(folder), os.lstat(link)
    except OSError:
        return
    shared = st_folder.st_mode & stat.S_ISVTX and st_folder.st_mode & stat.S_IWOTH
    if shared and st_link.st_uid not in (os.geteuid(), st_folder.st_uid):
        what = (
            "is a symlink" if link == os.path.abspath(path) else f"goes through the symlink {link}"
        )
        raise InputError(
            f"{path}: {what} that another user made in the shared folder {folder} (sticky "
            "and world-writable), so it is not followed: remove it or write the output elsewhere"
        )


def _output_mode(path: str, target: str) -> int:
    """The permission bits of the output file ``target``: those of the file
    it replaces (as ``sed -i`` keeps them; without the set-user and
    set-group ID bits, which writing a file drops), else those the umask
    allows (0644 under umask 022). InputError when ``target`` is no longer
    a regular file (made a device or a pipe during the run)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return 0o666 & ~current_umask()
    if not stat.S_ISREG(st.st_mode):
        # made a device or a pipe during the run: never renamed over
        raise InputError(f"{path}: is no longer a regular file; nothing was written")
    return stat.S_IMODE(st.st_mode) & ~(stat.S_ISUID | stat.S_ISGID)


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
