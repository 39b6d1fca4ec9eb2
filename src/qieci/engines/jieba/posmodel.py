"""The part-of-speech HMM: its tables, its file format, and the bundled model.

jieba tags unknown words with one hidden Markov model whose states are pairs
``(position, tag)``: the position of a character in its word (``B``, ``M``,
``E``, ``S``) and the word's part-of-speech tag (``n``, ``v``, ``nr`` ...).
The model has

* ``start[s]``: the log-probability of starting in state ``s``;
* sparse transitions ``s -> t`` with their log-probabilities (a pair that is
  not listed is impossible);
* sparse emissions: per character, the states that can emit it, with the
  log-probability;
* the *character state table*: per character, the states the decoder
  considers for it (a character that is not listed may be in any state).

States are numbered in the order of Python's tuple comparison of
``(position, tag)``, so that "the larger state" (jieba's tie-break) is the
larger number.

The file format is the qieci container (:mod:`qieci.binfile`) of kind
``"poshmm"``; every array is little-endian. Loading never runs code, and a
malformed file raises ValueError naming it.
"""

from __future__ import annotations

import functools
import json
from array import array
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ... import binfile
from ...binfile import array_view as _array
from ...binfile import le_bytes as _le

if TYPE_CHECKING:
    from ...binfile import NumArray, TypeCode

POSHMM_KIND = "poshmm"
#: The largest metadata section read (the state list).
META_LIMIT = 16 << 20
DEFAULT_POSHMM_RESOURCE = "jieba_poshmm.qc"
_SECTIONS = (
    "meta",
    "start",
    "trans_from",
    "trans_to",
    "trans_p",
    "emit_chars",
    "emit_ptr",
    "emit_state",
    "emit_p",
    "cs_chars",
    "cs_ptr",
    "cs_state",
)


@dataclass(frozen=True)
class PosHMMTables:
    """The arrays of a POS HMM (see the module docstring)."""

    states: tuple[tuple[str, str], ...]  # sorted (position, tag) pairs
    start: NumArray  # "d", one per state
    trans_from: NumArray  # "H", sorted by (from, to)
    trans_to: NumArray  # "H"
    trans_p: NumArray  # "d"
    emit_chars: NumArray  # "I", sorted code points
    emit_ptr: NumArray  # "I", len(emit_chars) + 1 offsets into emit_state / emit_p
    emit_state: NumArray  # "H"
    emit_p: NumArray  # "d"
    cs_chars: NumArray  # "I", sorted code points of the character state table
    cs_ptr: NumArray  # "I", len(cs_chars) + 1 offsets into cs_state
    cs_state: NumArray  # "H", in the table's own order
    source: str = "<memory>"

    @property
    def tags(self) -> tuple[str, ...]:
        """The distinct tags, sorted; state ``i`` has tag ``tags[tag_of(i)]``."""
        return tuple(sorted({t for _, t in self.states}))

    def to_bytes(self) -> bytes:
        meta = {"states": [list(s) for s in self.states]}
        return binfile.pack(
            POSHMM_KIND,
            {
                "meta": json.dumps(meta).encode(),
                "start": _le(self.start),
                "trans_from": _le(self.trans_from),
                "trans_to": _le(self.trans_to),
                "trans_p": _le(self.trans_p),
                "emit_chars": _le(self.emit_chars),
                "emit_ptr": _le(self.emit_ptr),
                "emit_state": _le(self.emit_state),
                "emit_p": _le(self.emit_p),
                "cs_chars": _le(self.cs_chars),
                "cs_ptr": _le(self.cs_ptr),
                "cs_state": _le(self.cs_state),
            },
        )

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> PosHMMTables:
        """Parse and validate a ``poshmm`` file; ValueError naming ``source``."""
        stored = binfile.stored_sections(data, kind=POSHMM_KIND, source=source)
        binfile.require(stored, _SECTIONS, source)
        raw_meta = binfile.section(stored, "meta", source, META_LIMIT)
        meta = binfile.parse_json(raw_meta, source, "POS HMM metadata")
        try:
            states = tuple((str(p), str(t)) for p, t in meta["states"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{source}: corrupt POS HMM metadata ({exc})") from None
        codes: dict[str, TypeCode] = {
            "start": "d",
            "trans_from": "H",
            "trans_to": "H",
            "trans_p": "d",
            "emit_chars": "I",
            "emit_ptr": "I",
            "emit_state": "H",
            "emit_p": "d",
            "cs_chars": "I",
            "cs_ptr": "I",
            "cs_state": "H",
        }
        n = len(states)
        if not 0 < n <= 0xFFFF:
            raise ValueError(f"{source}: corrupt POS HMM (no states or too many states)")
        # the metadata bounds every array: a transition per pair of states,
        # a state list per code point and state
        pairs = n * n
        cells = 0x110000 * n
        limits = {
            "start": 8 * n,
            "trans_from": 2 * pairs,
            "trans_to": 2 * pairs,
            "trans_p": 8 * pairs,
            "emit_chars": 4 * 0x110000,
            "emit_ptr": 4 * 0x110001,
            "emit_state": 2 * cells,
            "emit_p": 8 * cells,
            "cs_chars": 4 * 0x110000,
            "cs_ptr": 4 * 0x110001,
            "cs_state": 2 * cells,
        }
        sec = {name: binfile.section(stored, name, source, limits[name]) for name in codes}
        arrays = {}
        for name, code in codes.items():
            if len(sec[name]) % array(code).itemsize:
                raise ValueError(f"{source}: corrupt POS HMM (section {name!r} has a partial item)")
            arrays[name] = _array(code, sec[name])
        tables = cls(states=states, source=source, **arrays)
        tables.validate()
        return tables

    def validate(self) -> None:
        """Raise ValueError (naming the source) unless the arrays are consistent."""

        def bad(why: str) -> ValueError:
            return ValueError(f"{self.source}: corrupt POS HMM ({why})")

        n = len(self.states)
        if n == 0 or n > 0xFFFF:
            raise bad("no states" if n == 0 else "too many states")
        if list(self.states) != sorted(set(self.states)) or any(
            p not in ("B", "M", "E", "S") for p, _ in self.states
        ):
            raise bad("states are not sorted unique (position, tag) pairs")
        if len(self.start) != n:
            raise bad("start table has the wrong size")
        k = len(self.trans_from)
        if len(self.trans_to) != k or len(self.trans_p) != k:
            raise bad("transition arrays differ in length")
        pairs = list(zip(self.trans_from, self.trans_to, strict=True))
        if any(a >= n or b >= n for a, b in pairs) or pairs != sorted(set(pairs)):
            raise bad("transitions out of range or not sorted")
        for what, chars, ptr, state in (
            ("emission", self.emit_chars, self.emit_ptr, self.emit_state),
            ("character state", self.cs_chars, self.cs_ptr, self.cs_state),
        ):
            if len(ptr) != len(chars) + 1 or ptr[0] != 0 or ptr[-1] != len(state):
                raise bad(f"{what} offsets have the wrong size")
            if any(ptr[i] > ptr[i + 1] for i in range(len(chars))):
                raise bad(f"{what} offsets are not increasing")
            if any(chars[i] >= chars[i + 1] for i in range(len(chars) - 1)) or (
                chars and chars[-1] > 0x10FFFF
            ):
                raise bad(f"{what} characters are not sorted code points")
            if any(s >= n for s in state):
                raise bad(f"{what} state out of range")
        if len(self.emit_p) != len(self.emit_state):
            raise bad("emission arrays differ in length")


def tables_from_dicts(
    start: dict, trans: dict, emit: dict, char_states: dict, source: str = "<memory>"
) -> PosHMMTables:
    """Tables from jieba-style dicts: ``start[state]``, ``trans[state][state]``,
    ``emit[state][char]`` (log-probabilities) and ``char_states[char]`` (a
    sequence of states), where a state is a ``(position, tag)`` tuple."""
    states = tuple(sorted(set(start) | set(trans) | set(emit)))
    index = {s: i for i, s in enumerate(states)}
    tf, tt, tp = array("H"), array("H"), array("d")
    for a in states:
        for b in sorted(trans.get(a, {}), key=index.__getitem__):
            tf.append(index[a])
            tt.append(index[b])
            tp.append(float(trans[a][b]))
    by_char: dict[str, list[tuple[int, float]]] = {}
    for s in states:
        for ch, p in emit.get(s, {}).items():
            by_char.setdefault(ch, []).append((index[s], float(p)))
    ec, ep, es, epv = array("I"), array("I", [0]), array("H"), array("d")
    for ch in sorted(by_char):
        ec.append(ord(ch))
        for s, p in sorted(by_char[ch]):
            es.append(s)
            epv.append(p)
        ep.append(len(es))
    cc, cp, cs = array("I"), array("I", [0]), array("H")
    for ch in sorted(char_states):
        cc.append(ord(ch))
        cs.extend(index[s] for s in char_states[ch])
        cp.append(len(cs))
    tables = PosHMMTables(
        states,
        array("d", [float(start.get(s, -3.14e100)) for s in states]),
        tf,
        tt,
        tp,
        ec,
        ep,
        es,
        epv,
        cc,
        cp,
        cs,
        source,
    )
    tables.validate()
    return tables


def default_poshmm_bytes() -> bytes:
    return (resources.files(__package__) / "data" / DEFAULT_POSHMM_RESOURCE).read_bytes()


@functools.lru_cache(maxsize=1)
def default_tables() -> PosHMMTables:
    """The bundled model (jieba 0.42.1's), parsed once."""
    return PosHMMTables.from_bytes(
        default_poshmm_bytes(), f"<qieci bundled {DEFAULT_POSHMM_RESOURCE}>"
    )
