"""Dictionaries: jieba's text format, qieci's binary format, and the bundled one.

A dictionary is a prefix-closed word -> frequency map (see
:class:`qieci.engines.jieba._core.Trie`) plus the part-of-speech tag of each word. It loads
from

* qieci's binary dictionary file (``kind = "dict"`` in the container of
  :mod:`qieci.binfile`), the format of the bundled dictionary: its arrays
  (parents, characters, frequencies, tags) and, optionally, the lookup table
  the kernel builds from them (:meth:`Trie.to_table`), which a reader of the
  same table layout uses in place instead of building it again (the bundled
  file is memory-mapped: a start checks its checksums and the table's
  indices, and copies nothing);
* a text file in jieba's format: one ``word freq [tag]`` per line, separated
  by single spaces, UTF-8.

Compiled text dictionaries are cached in memory (keyed by path, size and
modification time) so that several tokenizers on one file parse it once;
nothing is ever written to disk.
"""

from __future__ import annotations

import functools
import mmap
import os
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from os import PathLike
from typing import TYPE_CHECKING

from ... import binfile
from ...binfile import array_view as _array
from ...binfile import le_bytes as _le
from ...binfile import native_array as _native
from ...textlines import convert_hint
from ._core import HMM, TABLE_LAYOUT, Trie

if TYPE_CHECKING:
    from typing import TypeAlias

    from ...binfile import NumArray

    #: A section's bytes, or a view of them in the file's memory.
    Bytes: TypeAlias = "bytes | memoryview"

DICT_KIND = "dict"
HMM_KIND = "hmm"
DEFAULT_DICT_RESOURCE = "jieba_dict.qc"
DEFAULT_HMM_RESOURCE = "jieba_hmm.qc"
# B, M, E, S: the order of the HMM's states in the data file and the kernel
HMM_STATES = "BMES"
#: Frequencies and their total are int64 in the kernel.
MAX_FREQ = 2**63 - 1
#: The most entries (words and prefixes) a binary dictionary may declare
#: (jieba's has 498,113), and the largest metadata section: limits that a
#: file's declared sizes must keep before anything is inflated.
MAX_ENTRIES = 1 << 26
META_LIMIT = 16 << 20
#: Payloads of an uncompressed file start at multiples of this, so that
#: its arrays can be used where they lie.
ALIGN = 64


@dataclass(frozen=True)
class Table:
    """The kernel's lookup table of a dictionary (little-endian), as
    :meth:`Trie.from_table` reads it."""

    slots: Bytes  # uint32, 4 per slot
    root: Bytes  # uint32, 2 per BMP character
    filter: Bytes  # uint64
    node_freq: Bytes  # int64 per node: the root (0), then DictData.freq
    node_tag: Bytes  # uint16 per node: the root (0), then DictData.tag
    classes: Bytes  # int64 per frequency class (see Trie): class 0 (0), then the rest
    #: the parts are views of a read-only memory map of the file (whose
    #: pages may be dropped once copied: they are read again if needed)
    mapped: bool = False


@dataclass(frozen=True)
class DictData:
    """An immutable, serialisable snapshot of a dictionary."""

    parent_delta: Bytes  # uint32 per entry i: (i + 1) - the number of its prefix
    chars: Bytes  # uint32 per entry: its last character
    freq: Bytes  # int64 per entry
    tag: Bytes  # uint16 per entry: index into ``tags`` (0 = no tag)
    total: int
    tags: tuple[str, ...]  # tags[0] == ""
    source: str = "<memory>"
    table: Table | None = None  # the prebuilt lookup table, if any

    def build(self) -> Trie:
        """A fresh mutable Trie holding this data (over the prebuilt table
        where there is one); ValueError if inconsistent."""
        try:
            if self.table is not None:
                tb = self.table
                return Trie.from_table(
                    _array("I", tb.slots),
                    _array("I", tb.root),
                    _array("Q", tb.filter),
                    _array("q", tb.node_freq),
                    _array("H", tb.node_tag),
                    _array("q", tb.classes),
                    self.total,
                    len(self.tags),
                    tb.mapped,
                )
            return Trie.from_arrays(
                _array("I", self.parent_delta),
                _array("I", self.chars),
                _array("q", self.freq),
                _array("H", self.tag),
                self.total,
                len(self.tags),
            )
        except ValueError as exc:
            raise ValueError(f"{self.source}: corrupt dictionary ({exc})") from None

    def with_table(self) -> DictData:
        """This data with its prebuilt lookup table (the one :meth:`build`
        makes from the arrays), to be stored with :meth:`to_bytes`."""
        slots, root, filt, classes = (
            _le(_native(code, raw))
            for code, raw in zip("IIQq", replace(self, table=None).build().to_table(), strict=True)
        )
        nodes = (bytes(8) + bytes(self.freq), bytes(2) + bytes(self.tag))
        return replace(self, table=Table(slots, root, filt, *nodes, classes))

    @classmethod
    def from_trie(cls, trie: Trie, tags: tuple[str, ...], source: str = "<memory>") -> DictData:
        delta, chars, freq, tag = (
            _le(_native(code, raw)) for code, raw in zip("IIqH", trie.to_arrays(), strict=True)
        )
        return cls(delta, chars, freq, tag, trie.total, tags, source)

    def entries(self) -> Iterator[tuple[str, int, str]]:
        """Yield ``(entry, frequency, tag)`` for every entry (words and bare
        prefixes, which have frequency 0), parents first."""
        delta = _array("I", self.parent_delta)
        chars = _array("I", self.chars)
        freq = _array("q", self.freq)
        tag = _array("H", self.tag)
        texts = [""]
        for i in range(len(delta)):
            word = texts[i + 1 - delta[i]] + chr(chars[i])
            texts.append(word)
            yield word, freq[i], self.tags[tag[i]]

    def to_bytes(self, compress: bool = True) -> bytes:
        """The binary file. ``compress=False`` stores the arrays as they are
        (aligned): a larger file that loads without inflating (the bundled
        dictionary, read at every start, is stored so, with its table)."""
        import json

        meta: dict[str, object] = {
            "total": self.total,
            "tags": list(self.tags),
            "entries": len(self.parent_delta) // 4,
        }
        sections: dict[str, Bytes] = {
            "parent_delta": self.parent_delta,
            "chars": self.chars,
        }
        if self.table is None:
            sections |= {"freq": self.freq, "tag": self.tag}
        else:
            tb = self.table
            meta |= {
                "table": TABLE_LAYOUT,
                "slots": len(tb.slots) // _SLOT_BYTES,
                "classes": len(tb.classes) // 8,
            }
            sections |= {
                "node_freq": tb.node_freq,
                "node_tag": tb.node_tag,
                "slots": tb.slots,
                "root": tb.root,
                "filter": tb.filter,
                "classes": tb.classes,
            }
        return binfile.pack(
            DICT_KIND,
            {"meta": json.dumps(meta).encode()} | {k: bytes(v) for k, v in sections.items()},
            compress=compress,
            align=1 if compress else ALIGN,
        )

    @classmethod
    def from_bytes(cls, data: bytes | mmap.mmap, source: str) -> DictData:
        """The dictionary in ``data`` (its arrays are views of it where they
        are stored uncompressed)."""
        stored = binfile.stored_views(data, kind=DICT_KIND, source=source)
        raw_meta = binfile.section(stored, "meta", source, META_LIMIT)
        meta = binfile.parse_json(raw_meta, source, "dictionary metadata")
        try:
            total = int(meta["total"])
            tags = tuple(str(t) for t in meta["tags"])
            n = int(meta["entries"])
            layout = meta.get("table")
            slots = int(meta["slots"]) if layout is not None else 0
            # (a table of an older layout has no classes: it is not used)
            classes = int(meta["classes"]) if layout == TABLE_LAYOUT else 0
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{source}: corrupt dictionary metadata ({exc})") from None
        if (
            not 0 <= n <= MAX_ENTRIES
            or not 0 <= total <= MAX_FREQ
            or len(tags) > 0xFFFF
            or not 0 <= slots * _SLOT_BYTES <= binfile.MAX_SECTION_BYTES
            or not 0 <= classes <= n + 1
        ):
            raise ValueError(
                f"{source}: corrupt dictionary metadata (entries, total, tags or slots out of range)"
            )
        # each array's size follows from the metadata: inflate no further
        if layout is None:
            widths = {"parent_delta": 4 * n, "chars": 4 * n, "freq": 8 * n, "tag": 2 * n}
        else:
            widths = {
                "parent_delta": 4 * n,
                "chars": 4 * n,
                "node_freq": 8 * (n + 1),
                "node_tag": 2 * (n + 1),
                "slots": _SLOT_BYTES * slots,
                "root": _ROOT_BYTES,
                "filter": _FILTER_BYTES,
            }
            if layout == TABLE_LAYOUT:
                widths["classes"] = 8 * classes
        binfile.require(stored, tuple(widths), source)
        arrays = {
            name: binfile.section(stored, name, source, size) for name, size in widths.items()
        }
        for name, size in widths.items():
            if len(arrays[name]) != size:
                raise ValueError(
                    f"{source}: corrupt dictionary (section {name!r} has the wrong size)"
                )
        table = None
        if layout is not None:
            freq, tag = arrays["node_freq"][8:], arrays["node_tag"][2:]
            if layout == TABLE_LAYOUT:  # (else built from the arrays, as without one)
                table = Table(
                    arrays["slots"],
                    arrays["root"],
                    arrays["filter"],
                    arrays["node_freq"],
                    arrays["node_tag"],
                    arrays["classes"],
                    isinstance(data, mmap.mmap) and isinstance(arrays["slots"], memoryview),
                )
        else:
            freq, tag = arrays["freq"], arrays["tag"]
        return cls(
            arrays["parent_delta"], arrays["chars"], freq, tag, total, tags or ("",), source, table
        )


#: Sizes of the table's parts: a slot (4 uint32), the root entries (2 uint32
#: per BMP character) and the filter (2**23 bits).
_SLOT_BYTES = 16
_ROOT_BYTES = 0x10000 * 8
_FILTER_BYTES = (1 << 23) // 8


def parse_text_dictionary(
    lines: Iterable[bytes | str], source: str
) -> tuple[Trie, tuple[str, ...]]:
    """Build a Trie from jieba-format lines (bytes or str).

    Semantics follow jieba's ``gen_pfdict``: a later duplicate overwrites the
    frequency, and every line adds its frequency to the total. A malformed
    line raises ValueError naming ``source`` and the line number.
    """
    trie = Trie(1 << 16)
    tags: dict[str, int] = {"": 0}
    total = 0
    for lineno, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            try:
                line = raw.strip().decode("utf-8")
            except UnicodeDecodeError as exc:
                lead = len(raw) - len(raw.lstrip())
                raise ValueError(
                    f"{source}:{lineno}: invalid UTF-8 at byte {lead + exc.start} of the line"
                    + convert_hint("a dictionary", raw if lineno == 1 else b"", bytes(raw))
                ) from None
        else:
            line = raw.strip()
        if lineno == 1:
            line = line.lstrip("\ufeff")
        parts = line.split(" ")
        try:
            if len(parts) < 2 or not parts[0] or not _is_int(parts[1]):
                raise ValueError(
                    "expected 'word freq [tag]', separated by single spaces: a main dictionary "
                    "gives every word a frequency; a user dictionary, whose frequencies may be "
                    "left out, is loaded with load_userdict (qieci cut -u)"
                )
            freq = int(parts[1])
            if freq < 0:
                raise ValueError("negative frequency")
            if freq > MAX_FREQ or total + freq > MAX_FREQ:
                raise ValueError("frequency out of range: the total must stay below 2**63")
        except ValueError as exc:
            raise ValueError(
                f"{source}:{lineno}: invalid dictionary entry {line!r} ({exc})"
            ) from None
        tag = parts[2] if len(parts) > 2 else ""
        tag_id = tags.setdefault(tag, len(tags))
        if tag_id > 0xFFFF:
            raise ValueError(f"{source}:{lineno}: too many distinct tags")
        trie.set(parts[0], freq, tag_id)
        total += freq
    trie.total = total
    return trie, tuple(tags)


@functools.lru_cache(maxsize=4)
def _compile_text(path: str, mtime_ns: int, size: int) -> DictData:
    # the stat fields are part of the cache key only
    with open(path, "rb") as f:
        trie, tags = parse_text_dictionary(f, path)
    return DictData.from_trie(trie, tags, path)


def load_data(path: str | PathLike[str] | None) -> DictData:
    """The dictionary at ``path`` (binary or jieba text), or the bundled one."""
    if path is None:
        return DictData.from_bytes(_bundled(), f"<qieci bundled {DEFAULT_DICT_RESOURCE}>")
    p = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(p)
        if not os.path.isfile(p):
            raise ValueError(f"{p}: dictionary is not a regular file")
        with open(p, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ValueError(f"{p}: cannot read dictionary: {exc.strerror or exc}") from None
    if binfile.is_container(head):
        loaded = DictData.from_bytes(binfile.read_regular(p, "dictionary"), p)
    else:
        loaded = _compile_text(p, st.st_mtime_ns, st.st_size)
    if loaded.total <= 0:  # nothing could be segmented with it
        raise ValueError(
            f"{p}: the dictionary is empty (no word with a positive frequency); "
            "give a 'word freq [tag]' file"
        )
    return loaded


def _bundled() -> bytes | mmap.mmap:
    """The bundled dictionary file: memory-mapped (read only) where it is a
    file, so that its table is used where it lies."""
    res = resources.files(__package__) / "data" / DEFAULT_DICT_RESOURCE
    if isinstance(res, os.PathLike):
        with open(res, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return res.read_bytes()


def bundled_words() -> list[str]:
    """The words of the bundled dictionary (frequency > 0), in its order."""
    return [w for w, f, _ in load_data(None).entries() if f > 0]


@functools.lru_cache(maxsize=1)
def default_hmm() -> HMM:
    """The bundled character HMM (immutable, so shared by all tokenizers)."""
    return hmm_from_bytes(default_hmm_bytes(), f"<qieci bundled {DEFAULT_HMM_RESOURCE}>")


def hmm_to_bytes(
    start: list[float], trans: list[float], chars: list[int], emit: list[float]
) -> bytes:
    """Serialise HMM tables (states in :data:`HMM_STATES` order)."""
    return binfile.pack(
        HMM_KIND,
        {
            "start": _le(array("d", start)),
            "trans": _le(array("d", trans)),
            "chars": _le(array("I", chars)),
            "emit": _le(array("d", emit)),
        },
    )


def hmm_tables(data: bytes, source: str) -> tuple[NumArray, NumArray, NumArray, NumArray]:
    """(start, trans, chars, emit) arrays of an HMM file."""
    # 4 start and 16 transition values; a character table of at most every
    # code point, and 4 emissions per character
    limits = {"start": 32, "trans": 128, "chars": 4 * 0x110000, "emit": 32 * 0x110000}
    sec = binfile.unpack(data, kind=HMM_KIND, source=source, limits=limits)
    binfile.require(sec, ("start", "trans", "chars", "emit"), source)
    return (
        _array("d", sec["start"]),
        _array("d", sec["trans"]),
        _array("I", sec["chars"]),
        _array("d", sec["emit"]),
    )


def default_hmm_bytes() -> bytes:
    return (resources.files(__package__) / "data" / DEFAULT_HMM_RESOURCE).read_bytes()


def hmm_from_bytes(data: bytes, source: str) -> HMM:
    start, trans, chars, emit = hmm_tables(data, source)
    try:
        return HMM(list(start), list(trans), chars, emit)
    except ValueError as exc:
        raise ValueError(f"{source}: corrupt HMM data ({exc})") from None


def _is_int(text: str) -> bool:
    """Whether ``text`` reads as ``int(text)`` reads it."""
    try:
        int(text)
    except ValueError:
        return False
    return True
