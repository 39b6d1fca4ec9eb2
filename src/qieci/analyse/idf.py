"""IDF tables and stop-word lists: file formats and the bundled defaults.

An IDF table maps words to inverse document frequencies; a word it lacks gets
the table's *median* value (``sorted(values)[len // 2]``, as jieba computes
it). It loads from

* a text file in jieba's format: one ``word idf`` per line, separated by one
  space, UTF-8 (a later line for the same word wins);
* a qieci container (:mod:`qieci.binfile`) of kind ``"idf"``: the sections
  ``words`` (UTF-8 words joined by ``\\n``), ``values`` (the distinct IDF
  values, float64 little-endian) and ``index`` (uint16 per word: which
  value). The bundled table is jieba 0.42.1's, stored this way.

Every IDF must be a finite number (``nan`` or ``inf`` would make the
median, and so every unknown word's weight, ``nan`` or ``inf``): a table
holding one is refused with a ValueError naming the file (and the line of a
text table). Negative values are accepted, as jieba accepts them.

A stop-word file is UTF-8 text with one word per line. The bundled default
stop words (jieba 0.42.1's) are a container of kind ``"stopword"`` with one
section ``words`` (UTF-8, joined by ``\n``).
"""

from __future__ import annotations

import functools
import math
import os
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from types import MappingProxyType
from typing import Any

from .. import binfile
from ..binfile import array_view as _array
from ..binfile import le_bytes as _le
from ..textlines import utf8_text

IDF_KIND = "idf"
STOP_KIND = "stopword"
IDF_WHAT = "IDF table"  # what the messages about an IDF file call it
FINITE_HINT = (
    "an IDF must be a finite number (nan and inf would make every keyword's weight nan or inf)"
)
DEFAULT_IDF_RESOURCE = "jieba_idf.qc"
DEFAULT_STOP_RESOURCE = "jieba_stopwords.qc"


@dataclass(frozen=True)
class IDFTable:
    """An immutable IDF table: ``idf`` is a read-only view of a private copy
    of the mapping it was made from (one table is shared by every
    extractor that loads it, as the bundled one is)."""

    idf: Mapping[str, float]
    median: float
    source: str = "<memory>"

    def __post_init__(self) -> None:
        words = dict(self.idf)
        object.__setattr__(self, "idf", MappingProxyType(words))
        object.__setattr__(self, "_words", words)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, float], float, str]]:
        # (a mapping proxy does not pickle: the table pickles as its dict)
        return (IDFTable, (self.words(), self.median, self.source))

    def words(self) -> dict[str, float]:
        """The table's own dict, for the kernels that need a ``dict``: never
        to be changed."""
        words: dict[str, float] = self.__dict__["_words"]
        return words

    @classmethod
    def from_mapping(cls, idf: Mapping[str, float], source: str = "<memory>") -> IDFTable:
        values = sorted(idf.values())
        median = values[len(values) // 2] if values else 0.0
        return cls(idf, median, source)

    def to_bytes(self) -> bytes:
        """The table as a compact ``idf`` container."""
        distinct = sorted(set(self.idf.values()))
        if len(distinct) > 0xFFFF:
            raise ValueError("too many distinct IDF values for the binary format")
        where = {v: i for i, v in enumerate(distinct)}
        words = sorted(self.idf)  # sorted: compresses better; order is irrelevant
        if any("\n" in w for w in words):
            raise ValueError("a word contains a newline")
        sections = {
            "words": "\n".join(words).encode("utf-8"),
            "values": _le(array("d", distinct)),
            "index": _le(array("H", [where[self.idf[w]] for w in words])),
        }
        return binfile.pack(IDF_KIND, sections)

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> IDFTable:
        stored = binfile.stored_sections(data, kind=IDF_KIND, source=source)
        binfile.require(stored, ("words", "values", "index"), source)
        raw_words = binfile.section(stored, "words", source)
        try:
            words = raw_words.decode("utf-8").split("\n") if raw_words else []
        except UnicodeDecodeError as exc:
            raise ValueError(f"{source}: corrupt IDF table (invalid UTF-8: {exc})") from None
        del raw_words
        # at most 65,536 distinct values (uint16 indexes), one index per word
        raw_values = binfile.section(stored, "values", source, 8 * 0x10000)
        raw_index = binfile.section(stored, "index", source, 2 * len(words))
        if len(raw_values) % 8 or len(raw_index) % 2:
            raise ValueError(f"{source}: corrupt IDF table (partial array item)")
        values = _array("d", raw_values)
        index = _array("H", raw_index)
        for v in values:
            if not math.isfinite(v):
                raise ValueError(
                    f"{source}: the IDF table holds the value {v!r}: {FINITE_HINT}; "
                    "rebuild it from finite values"
                )
        if len(index) != len(words) or (index and max(index) >= len(values)):
            raise ValueError(f"{source}: corrupt IDF table (index does not match words)")
        table = dict(zip(words, map(values.__getitem__, index), strict=True))
        return cls.from_mapping(table, source)


def parse_idf_text(text: str, source: str) -> IDFTable:
    """An IDF table from jieba-format text; ValueError names the bad line
    (not ``word idf``, or an IDF that is not a finite number)."""
    idf: dict[str, float] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.strip().split(" ")
        try:
            if len(parts) != 2:
                raise ValueError("expected 'word idf'")
            value = float(parts[1])
        except ValueError as exc:
            raise ValueError(f"{source}:{lineno}: invalid IDF entry {line!r} ({exc})") from None
        if not math.isfinite(value):
            raise ValueError(
                f"{source}:{lineno}: the IDF of {parts[0]!r} is {parts[1]!r}: {FINITE_HINT}; "
                "give a number such as 11.7, or remove the line"
            )
        idf[parts[0]] = value
    return IDFTable.from_mapping(idf, source)


def load_idf(path: str | PathLike[str] | None) -> IDFTable:
    """The IDF table at ``path`` (jieba text or qieci binary), or the bundled
    one. A table of no entries is refused: every word's weight would be 0
    (jieba fails on one with an IndexError)."""
    if path is None:
        return default_idf()
    p = os.path.abspath(os.fspath(path))
    raw = binfile.read_regular(p, IDF_WHAT)
    if binfile.is_container(raw[:8]):
        table = IDFTable.from_bytes(raw, p)
    else:
        table = parse_idf_text(utf8_text(raw, p, "an IDF table (word, space, IDF per line)"), p)
    if not table.idf:
        raise ValueError(
            f"{p}: the IDF table has no entries (every keyword would weigh 0): give a table "
            "of 'word idf' lines, or none for the bundled one"
        )
    return table


@functools.lru_cache(maxsize=1)
def default_idf() -> IDFTable:
    """The bundled IDF table (jieba 0.42.1's), loaded once."""
    data = (resources.files(__package__) / "data" / DEFAULT_IDF_RESOURCE).read_bytes()
    return IDFTable.from_bytes(data, f"<qieci bundled {DEFAULT_IDF_RESOURCE}>")


def read_stop_words(path: str | PathLike[str]) -> list[str]:
    """The lines of a UTF-8 stop-word file (ValueError if unreadable)."""
    p = os.path.abspath(os.fspath(path))
    if not os.path.exists(p):
        raise ValueError(f"{p}: stop-word file does not exist")
    return utf8_text(binfile.read_regular(p, "stop-word file"), p, "a stop-word file").splitlines()


def stop_words_to_bytes(words: list[str] | tuple[str, ...]) -> bytes:
    """A ``stopword`` container holding ``words``."""
    if any("\n" in w for w in words):
        raise ValueError("a stop word contains a newline")
    return binfile.pack(STOP_KIND, {"words": "\n".join(words).encode("utf-8")})


@functools.lru_cache(maxsize=1)
def default_stop_words() -> frozenset[str]:
    """The bundled default stop words (jieba 0.42.1's)."""
    source = f"<qieci bundled {DEFAULT_STOP_RESOURCE}>"
    data = (resources.files(__package__) / "data" / DEFAULT_STOP_RESOURCE).read_bytes()
    sec = binfile.unpack(data, kind=STOP_KIND, source=source)
    binfile.require(sec, ("words",), source)
    try:
        return frozenset(sec["words"].decode("utf-8").split("\n"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: invalid UTF-8 ({exc})") from None
