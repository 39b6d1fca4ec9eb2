"""Domain statistics: what the learned engine knows of a user's raw text.

``qieci adapt RAW... -o DOMAIN`` counts the Han n-grams of raw text and
keeps, for each gram of 2 to 4 characters seen at least ``min_count``
times, its left and right *branching entropy*: how varied the characters
before and after it are. A gram that many different characters follow
tends to end a word; one always followed by the same character does not.
The learned model was trained with these statistics as features (computed
on its training corpora's own raw text, in held-out folds), so it reads
them on text of a new domain: ``Tokenizer(engine="learned", domain=PATH)``
or ``qieci cut --domain PATH``. No annotation is needed.

The file is a :mod:`qieci.binfile` container of kind ``"domain"`` (checked
on load, never pickle) with two sections:

``meta``
    UTF-8 JSON: ``format`` (:data:`FORMAT_VERSION`), ``hash`` (the gram
    hash, :data:`HASH`), ``min_count``, ``chars`` (characters read),
    ``grams`` (entries), ``full`` (whether the counter reached its cap and
    stopped taking new grams).
``table``
    ``grams`` entries, sorted by key, strictly ascending: 8 bytes key
    (uint64, little-endian; the FNV-1a hash of the width-normalised
    gram's code points, mixed with its length, as the kernel computes it),
    then, after all keys, one byte per entry: the right entropy bucket
    (bits 0-2) and the left one (bits 3-5), half nats each, never 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike

import numpy as np

from ... import binfile
from ._learned import Domain, DomainCounter

DOMAIN_KIND = "domain"
FORMAT_VERSION = 1
HASH = "fnv1a64-norm-mix-len"
#: The counter's default cap on distinct grams (32 bytes each: 256 MiB).
MAX_GRAMS = 1 << 23


@dataclass
class DomainStats:
    """Domain statistics in memory: sorted keys and their values."""

    keys: np.ndarray  # uint64
    values: np.ndarray  # uint8
    min_count: int
    chars: int
    full: bool = False

    def table(self) -> Domain:
        """The decoding table of these statistics."""
        return Domain(self.keys, self.values)

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
        return binfile.pack(DOMAIN_KIND, {"meta": json.dumps(meta).encode(), "table": table})

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


def load(path: str | PathLike[str]) -> DomainStats:
    """The statistics in the domain file at ``path``; ValueError naming it
    when it is not one, or is damaged."""
    source = str(path)
    sec = binfile.read(path, kind=DOMAIN_KIND)
    binfile.require(sec, ("meta", "table"), source)
    try:
        meta = json.loads(sec["meta"].decode("utf-8"))
        fmt, hsh = meta["format"], meta["hash"]
        grams, min_count, chars = int(meta["grams"]), int(meta["min_count"]), int(meta["chars"])
        full = bool(meta["full"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{source}: corrupt domain metadata ({exc})") from None
    if fmt != FORMAT_VERSION:
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
    return DomainStats(keys, values, min_count, chars, full)


__all__ = ["DOMAIN_KIND", "FORMAT_VERSION", "DomainStats", "count", "load"]
