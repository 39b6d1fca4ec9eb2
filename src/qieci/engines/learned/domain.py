"""A domain: what the learned engine knows of a user's raw text.

``qieci adapt RAW... -o DOMAIN`` (:func:`qieci.discover.adapt`) reads raw
text of a domain, with no annotation, and writes two kinds of knowledge,
which ``Tokenizer(engine="learned", domain=PATH)`` and ``qieci cut
--domain PATH`` use while decoding:

* **the domain's words** (:attr:`DomainStats.words`): the new words that
  discovery finds in the text (for every standard), and for each standard
  the words the model itself cuts at least twice there. They join the
  standard's own lexicon, whose features the model was trained to read
  from held-out folds (the words of a standard seen in *other* training
  sentences), so a domain word is evidence the model knows how to weigh,
  not a forced cut. Every model trained with standard lexicons reads them.
* **branching entropy** (:attr:`DomainStats.keys`, ``values``): for each
  Han gram of 2 to 4 characters seen at least ``min_count`` times, how
  varied the characters before and after it are. A gram that many
  different characters follow tends to end a word. Only a model trained
  with ``--domain-folds`` reads these (as features computed on its
  training corpora's own raw text, in held-out folds).

The file is a :mod:`qieci.binfile` container of kind ``"domain"`` (checked
on load, never pickle). Sections:

``meta``
    UTF-8 JSON: ``format`` (:data:`FORMAT_VERSION`; files of format 1, which
    have no words, are read too), ``hash`` (the gram hash, :data:`HASH`),
    ``min_count``, ``chars`` (characters read), ``grams`` (entries),
    ``full`` (whether the counter reached its cap and stopped taking new
    grams).
``table``
    ``grams`` entries, sorted by key, strictly ascending: 8 bytes key
    (uint64, little-endian; the FNV-1a hash of the width-normalised
    gram's code points, mixed with its length, as the kernel computes it),
    then, after all keys, one byte per entry: the right entropy bucket
    (bits 0-2) and the left one (bits 3-5), half nats each, never 0.
``words`` (format 2)
    UTF-8 JSON object: :data:`EVERY_STANDARD` (``"*"``) or a standard's name
    -> a list of words (each 1 to :data:`MAX_WORD` characters, without
    whitespace or control characters).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np

from ... import binfile
from ._learned import MAX_WORD, Domain, DomainCounter

DOMAIN_KIND = "domain"
FORMAT_VERSION = 2
#: The formats this build reads (1: statistics only, no words).
READABLE_FORMATS = (1, 2)
HASH = "fnv1a64-norm-mix-len"
#: The key of :attr:`DomainStats.words` whose words join every standard.
EVERY_STANDARD = "*"
#: The counter's default cap on distinct grams (32 bytes each: 256 MiB).
MAX_GRAMS = 1 << 23
#: The most words a domain file may hold, over all its lists.
MAX_WORDS = 1 << 22
#: The longest name of a standard a domain file holds.
MAX_STANDARD_NAME = 64
#: The names of standards a domain can hold (and training gives).
STANDARD_NAME_RULE = (
    f"a standard's name is 1 to {MAX_STANDARD_NAME} characters, without spaces or control "
    f"characters, and not {EVERY_STANDARD!r} (a domain's words for every standard)"
)


@dataclass(eq=False)
class DomainStats:
    """A domain in memory: the sorted gram keys and their entropy values,
    and the domain's words (:data:`EVERY_STANDARD` or a standard -> words).

    Two domains are equal when their files would be byte-identical; a
    domain pickles as its file's bytes and is checked again when unpickled.
    """

    keys: np.ndarray  # uint64
    values: np.ndarray  # uint8
    min_count: int
    chars: int
    full: bool = False
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self) -> Domain:
        """The decoding table of the statistics."""
        return Domain(self.keys, self.values)

    def words_for(self, standard: str) -> list[str]:
        """The words that join ``standard``'s lexicon: the domain's words for
        every standard, then those found under ``standard`` itself."""
        return [*self.words.get(EVERY_STANDARD, ()), *self.words.get(standard, ())]

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT_VERSION,
            "hash": HASH,
            "min_count": self.min_count,
            "chars": self.chars,
            "grams": int(self.keys.size),
            "full": self.full,
        }
        table = self.keys.astype("<u8").tobytes() + self.values.astype(np.uint8).tobytes()
        words = {k: list(v) for k, v in sorted(self.words.items())}
        sections = {
            "meta": json.dumps(meta).encode(),
            "table": table,
            "words": json.dumps(words, ensure_ascii=False).encode("utf-8"),
        }
        return binfile.pack(DOMAIN_KIND, sections)

    def digest(self) -> str:
        """The SHA-256 of the file's bytes (what equality compares)."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DomainStats):
            return NotImplemented
        return self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())

    def __repr__(self) -> str:
        n = sum(map(len, self.words.values()))
        return f"<DomainStats: {self.keys.size} grams, {n} words, from {self.chars} chars>"

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (from_bytes, (self.to_bytes(),))

    def save(self, path: str | PathLike[str]) -> None:
        """Write to ``path`` atomically (:func:`qieci.binfile.write_atomic`)."""
        binfile.write_atomic(path, self.to_bytes())


def count(texts: Iterable[str], min_count: int = 2, max_grams: int = MAX_GRAMS) -> DomainStats:
    """The statistics of ``texts`` (strings of one or more lines)."""
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    counter = DomainCounter(max_grams)
    for text in texts:
        counter.add(text)
    keys, values = counter.table(min_count)
    return DomainStats(keys, values, min_count, int(counter.chars), bool(counter.full))


def with_words(stats: DomainStats, words: Mapping[str, Sequence[str]]) -> DomainStats:
    """``stats`` with ``words`` (checked as a file's are: :func:`check_words`)."""
    checked = check_words({k: list(v) for k, v in words.items()}, "<words>")
    return DomainStats(stats.keys, stats.values, stats.min_count, stats.chars, stats.full, checked)


def check_words(obj: object, source: str) -> dict[str, tuple[str, ...]]:
    """The ``words`` section's object, checked: a mapping of names to lists
    of words; ValueError naming ``source`` otherwise."""
    if not isinstance(obj, dict):
        raise ValueError(f"{source}: domain words must be a JSON object of word lists")
    out: dict[str, tuple[str, ...]] = {}
    total = 0
    for name, words in obj.items():
        # (lenient: files of models trained before training checked names)
        if not isinstance(name, str) or not name or len(name) > MAX_STANDARD_NAME:
            raise ValueError(f"{source}: domain words: bad standard name {name!r}")
        if not isinstance(words, list):
            raise ValueError(f"{source}: domain words of {name!r} must be a list")
        total += len(words)
        if total > MAX_WORDS:
            raise ValueError(f"{source}: more than {MAX_WORDS} domain words")
        for w in words:
            if not _is_word(w):
                raise ValueError(
                    f"{source}: domain words of {name!r}: {w!r} is not a word "
                    f"(1 to {MAX_WORD} characters, no space or control character)"
                )
        out[name] = tuple(dict.fromkeys(words))
    return out


def check_standard_name(name: object) -> None:
    """ValueError, naming ``name`` and :data:`STANDARD_NAME_RULE`, unless a
    domain can hold the words of a standard of that name apart from every
    standard's."""
    if not (
        isinstance(name, str)
        and 1 <= len(name) <= MAX_STANDARD_NAME
        and name != EVERY_STANDARD
        and not any(c.isspace() or unicodedata.category(c)[0] == "C" for c in name)
    ):
        raise ValueError(f"bad standard name {name!r}: {STANDARD_NAME_RULE}")


def _is_word(w: object) -> bool:
    return (
        isinstance(w, str)
        and 1 <= len(w) <= MAX_WORD
        and not any(c.isspace() or unicodedata.category(c)[0] == "C" for c in w)
    )


def load(path: str | PathLike[str]) -> DomainStats:
    """The domain in the file at ``path``; ValueError naming it when it is
    not one, or is damaged."""
    source = str(path)
    return _parse(binfile.read(path, kind=DOMAIN_KIND), source)


def check_file(path: str | PathLike[str]) -> None:
    """Raise the ValueError of :func:`load` when ``path`` is not a domain
    file, reading only its header, section table and metadata section
    (each verified): a cheap check before the file is loaded."""
    source = str(path)
    with binfile.open_regular(path, "domain file") as f:
        binfile.read_section(f, kind=DOMAIN_KIND, name="meta", source=source)


def from_bytes(data: bytes, source: str = "<domain>") -> DomainStats:
    """The domain in ``data`` (a domain file's bytes), checked as by :func:`load`."""
    return _parse(binfile.unpack(data, kind=DOMAIN_KIND, source=source), source)


def _parse(sec: dict[str, bytes], source: str) -> DomainStats:
    binfile.require(sec, ("meta", "table"), source)
    meta = binfile.parse_json(sec["meta"], source, "domain metadata")
    try:
        fmt, hsh = meta["format"], meta["hash"]
        grams, min_count, chars = int(meta["grams"]), int(meta["min_count"]), int(meta["chars"])
        full = bool(meta["full"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{source}: corrupt domain metadata ({exc})") from None
    if fmt not in READABLE_FORMATS:
        raise ValueError(
            f"{source}: domain format {fmt} is not supported (this build reads "
            f"{FORMAT_VERSION}): rebuild it with `qieci adapt`"
        )
    if hsh != HASH:
        raise ValueError(f"{source}: domain file uses gram hash {hsh!r}, expected {HASH!r}")
    table = sec["table"]
    if grams < 0 or len(table) != 9 * grams:
        raise ValueError(f"{source}: domain table has the wrong size for {grams} grams")
    keys = np.frombuffer(table[: 8 * grams], dtype="<u8").astype(np.uint64)
    values = np.frombuffer(table[8 * grams :], dtype=np.uint8).copy()
    if grams and (
        not bool(np.all(keys[1:] > keys[:-1]))
        or int(values.min()) == 0
        or int(values.max()) > 63
        or not bool(np.all(keys & np.uint64(1)))
    ):
        raise ValueError(f"{source}: corrupt domain table (keys unsorted or values out of range)")
    words: dict[str, tuple[str, ...]] = {}
    if fmt >= 2:
        binfile.require(sec, ("words",), source)
        obj = binfile.parse_json(sec["words"], source, "domain words")
        words = check_words(obj, source)
    return DomainStats(keys, values, min_count, chars, full, words)


__all__ = [
    "DOMAIN_KIND",
    "EVERY_STANDARD",
    "FORMAT_VERSION",
    "STANDARD_NAME_RULE",
    "DomainStats",
    "check_file",
    "check_standard_name",
    "count",
    "from_bytes",
    "load",
    "with_words",
]
