"""The learned engine's model file: format, saving and loading.

A model is a :mod:`qieci.binfile` container of kind ``"model"`` (versioned,
with a CRC-32 per section; never pickle). The container stores the sections
as they are (flag 0); each payload is itself one zlib stream, so that the
big weight table can be decompressed block by block while it is folded for
one standard (peak memory stays low). Sections:

``meta``
    UTF-8 JSON: ``format`` (this module's :data:`FORMAT_VERSION`), ``bits``
    (the weight table has ``2**bits`` buckets), ``templates`` (the number of
    feature templates the kernel extracts; must match the kernel),
    ``standards`` (the standard names, in index order: standard ``i`` of the
    list has kernel index ``i + 1``), ``scale`` (weights were multiplied by
    it before rounding), ``training`` (a description of the training data
    and settings), and from format 3 ``parents`` (standard name -> the
    standard it backs off to: that one's own weights and transitions are
    added to the standard's in every score, in training as in decoding; a
    parent has no parent; format 2 is format 3 without it).
``weights``
    int16 little-endian, ``2**bits * 4`` values: bucket-major, tags B, M, E,
    S. Shared and per-standard weights share the table (the copy of a
    feature for standard ``s`` is in bucket ``b ^ salt(s)``); every value
    lies within +-:data:`WEIGHT_LIMIT`, so shared + specific fits in int16
    (a model with back-off is trained to half of that, so that its rows'
    four slots fit; a file beyond it still loads: decoding saturates).
``trans``
    int64 little-endian, ``(len(standards) + 1) * 20`` values: per row (0 =
    shared, ``s`` = standard ``s``) the transition weights ``prev x cur``,
    5 x 4, the fifth row being the sentence start.
``lexicon``
    UTF-8, the lexicon-feature words, one per line.
``stdlex``
    UTF-8 JSON object: standard name -> the words of that standard's own
    lexicon joined by ``"\\n"`` (e.g. an official training word list);
    standards without one are absent. Their features come on top of the
    shared lexicon's.
``vocab``
    UTF-8 JSON object: standard name -> its training words joined by
    ``"\\n"`` (the default in-vocabulary list of ``qieci eval``).

Loading checks everything and raises :class:`ValueError` naming the file on
any inconsistency.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ... import binfile

MODEL_KIND = "model"
FORMAT_VERSION = 3
#: The formats this build reads
READ_FORMATS = (2, 3)
DEFAULT_MODEL_RESOURCE = "learned.qc"
WEIGHT_LIMIT = 16383
#: The weight-table sizes a model may declare (``qieci train --bits``
#: takes 10 to 26), the most standards, and the largest ``meta`` section.
MIN_BITS = 8
MAX_BITS = 26
MAX_STANDARDS = 1024
META_LIMIT = 16 << 20
_SECTIONS = ("meta", "weights", "trans", "lexicon", "stdlex", "vocab")


@dataclass
class Meta:
    """The checked ``meta`` section."""

    bits: int
    standards: list[str]
    scale: float
    training: dict[str, Any]
    # NUM_TEMPLATES, or NUM_TEMPLATES_NO_DOMAIN for a model that reads no
    # domain statistics (trained before them)
    templates: int = 34
    # standard -> the standard it backs off to
    parents: dict[str, str] = field(default_factory=dict)

    def parent_index(self, standard: str) -> int:
        """The 1-based index of the standard ``standard`` backs off to (0: none)."""
        parent = self.parents.get(standard)
        return self.standards.index(parent) + 1 if parent else 0

    @property
    def reads_domains(self) -> bool:
        """Whether the model was trained to read domain statistics."""
        return self.templates > 30 and int(self.training.get("domain_folds", 0)) > 0

    @property
    def reads_domain_words(self) -> bool:
        """Whether the model reads a domain's words: it was trained with
        standard lexicons in held-out folds, whose features the words feed."""
        return bool(self.training.get("std_lexicon_words")) and (
            int(self.training.get("lexicon_folds", 0)) > 1
        )

    def standard_index(self, standard: str, source: str) -> int:
        """The 1-based kernel index of ``standard``; ValueError if unknown."""
        try:
            return self.standards.index(standard) + 1
        except ValueError:
            raise ValueError(
                f"{source}: model has no standard {standard!r} "
                f"(it has: {', '.join(self.standards)})"
            ) from None


@dataclass
class Model:
    """A whole model in memory (training, tests, tools); arrays native-endian.
    ``lexicon`` and the ``vocab`` values are words joined by ``"\\n"``."""

    bits: int
    standards: list[str]
    weights: np.ndarray  # int16, 2**bits * 4
    trans: np.ndarray  # int64, (len(standards) + 1) * 20
    lexicon: str
    vocab: dict[str, str] = field(default_factory=dict)
    scale: float = 1.0
    training: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"
    std_lexicons: dict[str, str] = field(default_factory=dict)  # standard -> words
    parents: dict[str, str] = field(default_factory=dict)  # standard -> its parent

    def meta(self) -> Meta:
        return Meta(self.bits, self.standards, self.scale, self.training, parents=self.parents)

    def standard_index(self, standard: str) -> int:
        """The 1-based kernel index of ``standard``; ValueError if unknown."""
        return self.meta().standard_index(standard, self.source)

    def parent_index(self, standard: str) -> int:
        """The 1-based index of the standard ``standard`` backs off to (0: none)."""
        return self.meta().parent_index(standard)

    def vocab_words(self, standard: str) -> list[str]:
        """The training words of ``standard`` (empty when unknown)."""
        text = self.vocab.get(standard, "")
        return text.split("\n") if text else []

    def to_bytes(self) -> bytes:
        from ._learned import NUM_TEMPLATES

        # format 3 only where it differs from 2 (a model without back-off
        # stays readable by builds before it, and its file unchanged)
        meta: dict[str, Any] = {
            "format": FORMAT_VERSION if self.parents else 2,
            "bits": self.bits,
            "templates": NUM_TEMPLATES,
            "standards": self.standards,
            "scale": self.scale,
            "training": self.training,
        }
        if self.parents:
            meta["parents"] = self.parents
        raw = {
            "meta": json.dumps(meta, ensure_ascii=False).encode("utf-8"),
            "weights": self.weights.astype("<i2").tobytes(),
            "trans": self.trans.astype("<i8").tobytes(),
            "lexicon": self.lexicon.encode("utf-8"),
            "stdlex": json.dumps(self.std_lexicons, ensure_ascii=False).encode("utf-8"),
            "vocab": json.dumps(self.vocab, ensure_ascii=False).encode("utf-8"),
        }
        return binfile.pack(
            MODEL_KIND, {k: zlib.compress(v, 9) for k, v in raw.items()}, compress=False
        )

    def save(self, path: str | PathLike[str]) -> None:
        """Write the model to ``path`` atomically (see
        :func:`qieci.binfile.write_atomic`: a temporary file of a unique
        name, created exclusively, renamed over ``path``)."""
        binfile.write_atomic(path, self.to_bytes())

    @classmethod
    def from_sections(cls, sec: dict[str, bytes], source: str) -> Model:
        meta = parse_meta(sec, source)
        return cls(
            meta.bits,
            meta.standards,
            inflate_weights(sec, meta, source),
            parse_trans(sec, meta, source),
            parse_text(sec, "lexicon", source),
            parse_vocab(sec, source),
            meta.scale,
            meta.training,
            source,
            parse_vocab(sec, source, "stdlex"),
            dict(meta.parents),
        )


def _inflate(
    sec: dict[str, bytes], name: str, source: str, limit: int | None = None, sparse: bool = False
) -> bytes:
    """Section ``name`` decompressed, never past ``limit`` (see
    :func:`qieci.binfile.inflate`)."""
    return binfile.inflate(
        sec[name], source=source, section=name, limit=limit, sparse=sparse, what="model"
    )


def read_sections(path: str | PathLike[str] | None) -> tuple[dict[str, bytes], str]:
    """The verified (still compressed) sections of the model at ``path``
    (``None``: the bundled model) and the name used in messages."""
    if path is None:
        source = f"<bundled {DEFAULT_MODEL_RESOURCE}>"
        try:
            data = (resources.files(__package__) / "data" / DEFAULT_MODEL_RESOURCE).read_bytes()
        except OSError as exc:
            raise ValueError(f"the bundled learned model is missing: {exc}") from None
        sec = binfile.unpack(data, kind=MODEL_KIND, source=source)
    else:
        source = str(Path(path))
        sec = binfile.read(path, kind=MODEL_KIND)
    binfile.require(sec, _SECTIONS, source)
    return sec, source


def parse_meta(sec: dict[str, bytes], source: str) -> Meta:
    """The checked metadata of the model sections ``sec``."""
    meta = meta_of(_inflate(sec, "meta", source, META_LIMIT), source)
    # checked before the decoder allocates the table the metadata declares
    if not binfile.plausible(weight_bytes(meta.bits), len(sec["weights"])):
        raise ValueError(
            f"{source}: corrupt model (its weights section is too small for 2**{meta.bits} buckets)"
        )
    return meta


def read_meta(path: str | PathLike[str] | None) -> tuple[Meta, str]:
    """The metadata of the model at ``path`` (None: the bundled model) and
    the name used in messages, reading only the file's header, section
    table and metadata section (each verified; the rest is checked when
    the model loads): a cheap check of a model and a standard's name
    before anything loads."""
    if path is None:
        source = f"<bundled {DEFAULT_MODEL_RESOURCE}>"
        try:
            with (resources.files(__package__) / "data" / DEFAULT_MODEL_RESOURCE).open("rb") as f:
                stored, _ = binfile.read_section(f, kind=MODEL_KIND, name="meta", source=source)
        except OSError as exc:
            raise ValueError(f"the bundled learned model is missing: {exc}") from None
    else:
        source = str(Path(path))
        with binfile.open_regular(path, "learned model") as f:
            stored, _ = binfile.read_section(f, kind=MODEL_KIND, name="meta", source=source)
    # (every section of a model is a zlib stream, whatever its flag says)
    return meta_of(_inflate({"meta": stored}, "meta", source, META_LIMIT), source), source


def meta_of(raw: bytes, source: str) -> Meta:
    """The metadata of a model from its (inflated) JSON ``raw``, checked."""
    from ._learned import NUM_TEMPLATES, NUM_TEMPLATES_NO_DOMAIN

    meta = binfile.parse_json(raw, source, "model metadata")
    try:
        fmt = meta["format"]
        bits = int(meta["bits"])
        standards = [str(s) for s in meta["standards"]]
        templates = int(meta["templates"])
        scale = float(meta["scale"])
        training = dict(meta.get("training") or {})
        parents = {str(k): str(v) for k, v in dict(meta.get("parents") or {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: corrupt model metadata ({exc})") from None
    if fmt not in READ_FORMATS:
        raise ValueError(
            f"{source}: unsupported model format {fmt} (this build reads "
            f"{' and '.join(map(str, READ_FORMATS))})"
        )
    if templates not in (NUM_TEMPLATES, NUM_TEMPLATES_NO_DOMAIN):
        raise ValueError(
            f"{source}: model has {templates} feature templates, this build "
            f"reads {NUM_TEMPLATES_NO_DOMAIN} or {NUM_TEMPLATES}; retrain it"
        )
    if not MIN_BITS <= bits <= MAX_BITS or not standards or len(set(standards)) != len(standards):
        raise ValueError(
            f"{source}: corrupt model metadata (bits must be {MIN_BITS} to {MAX_BITS}, "
            "standards unique and at least one)"
        )
    if len(standards) > MAX_STANDARDS:
        raise ValueError(f"{source}: corrupt model metadata (more than {MAX_STANDARDS} standards)")
    if parents and fmt < 3:
        raise ValueError(f"{source}: corrupt model metadata (back-off in a format {fmt} model)")
    check_parents(parents, standards, f"{source}: corrupt model metadata")
    return Meta(bits, standards, scale, training, templates, parents)


def standard_trans(trans: np.ndarray, index: int, parent: int = 0) -> list[int]:
    """The 20 transition weights standard ``index`` decodes with: the
    shared row, its own, and its ``parent``'s own (0: none)."""
    rows = (0, index, parent) if parent else (0, index)
    return [int(sum(trans[r * 20 + i] for r in rows)) for i in range(20)]


def check_parents(parents: dict[str, str], standards: Sequence[str], what: str) -> None:
    """ValueError (``what``, then why) unless every key and value of
    ``parents`` is one of ``standards``, none is its own parent, and no
    parent has a parent of its own."""
    for child, parent in parents.items():
        if child not in standards or parent not in standards:
            raise ValueError(
                f"{what} (back-off {child!r} -> {parent!r}: both must be standards of "
                f"the model: {', '.join(standards)})"
            )
        if child == parent or parent in parents:
            raise ValueError(
                f"{what} (back-off {child!r} -> {parent!r}: a standard backs off to "
                "another one, which backs off to none)"
            )


def inflate_weights(
    sec: dict[str, bytes], meta: Meta, source: str, writable: bool = True
) -> np.ndarray:
    """The whole raw weight table (int16, native-endian, ``2**bits * 4``
    values), checked: size and range (:func:`fold_weights` folds it block by
    block instead, never holding all of it). ``writable=False``: a read-only
    array over the inflated bytes where they are already native (no copy)."""
    raw = _inflate(sec, "weights", source, weight_bytes(meta.bits), sparse=True)
    weights = np.frombuffer(raw, dtype="<i2").astype(np.int16, copy=writable)
    if weights.size != (1 << meta.bits) * 4:
        raise ValueError(f"{source}: weights section has the wrong size")
    # (min and max: no temporary table as large as the weights)
    if weights.size and max(-int(weights.min()), int(weights.max())) > WEIGHT_LIMIT:
        raise ValueError(f"{source}: weights out of range")
    return weights


def weight_bytes(bits: int) -> int:
    """Bytes of the raw weight table of ``2**bits`` buckets (int16 x 4 tags)."""
    return (1 << bits) * 8


def parse_trans(sec: dict[str, bytes], meta: Meta, source: str) -> np.ndarray:
    raw = _inflate(sec, "trans", source, (len(meta.standards) + 1) * 20 * 8)
    if len(raw) != (len(meta.standards) + 1) * 20 * 8:
        raise ValueError(f"{source}: trans section has the wrong size")
    return np.frombuffer(raw, dtype="<i8").astype(np.int64)


def parse_text(sec: dict[str, bytes], name: str, source: str) -> str:
    try:
        return _inflate(sec, name, source).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: corrupt model section {name!r} ({exc})") from None


def parse_vocab(sec: dict[str, bytes], source: str, name: str = "vocab") -> dict[str, str]:
    """A ``vocab``-like section (``vocab``, ``stdlex``): standard -> words
    joined by newlines."""
    vocab = binfile.parse_json(_inflate(sec, name, source), source, f"model section {name!r}")
    try:
        return {str(k): str(v) for k, v in vocab.items()}
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"{source}: corrupt model vocab ({exc})") from None


def fold_weights(
    sec: dict[str, bytes],
    meta: Meta,
    std: int,
    source: str,
    fold_in: Callable[[np.ndarray, int], None],
) -> None:
    """Decompress the weights block by block and hand each block (whole
    rows, with its first row number) to ``fold_in`` (a
    :meth:`qieci.engines.learned._learned.Decoder.fold_in`): the whole raw table is never
    in memory."""
    from ._learned import FOLD_BLOCK_ROWS

    rows = 1 << meta.bits
    block = min(FOLD_BLOCK_ROWS, rows) * 8  # bytes of one block of rows
    d = binfile.decompressobj(len(sec["weights"]))
    pending = b""
    row = 0
    src = memoryview(sec["weights"])
    step = 1 << 20

    def take(data: bytes) -> bytes:
        nonlocal row
        whole = len(data) - len(data) % block
        if not whole:
            return data
        if row * 8 + whole > rows * 8:
            raise ValueError(f"{source}: weights section has the wrong size")
        chunk = np.frombuffer(data[:whole], dtype="<i2").astype(np.int16)
        if int(np.abs(chunk.astype(np.int32)).max(initial=0)) > WEIGHT_LIMIT:
            raise ValueError(f"{source}: weights out of range")
        fold_in(chunk, row)
        row += whole // 8
        return data[whole:]

    limit = weight_bytes(meta.bits)
    done = 0  # bytes inflated: the stream may not hold more than the table
    try:
        for pos in range(0, len(src), step):
            data: bytes | memoryview = src[pos : pos + step]
            while data:
                # at most one block of output per call: a stream of zeros
                # inflates a thousand times its size
                out = d.decompress(data, block)
                data = d.unconsumed_tail
                done += len(out)
                if done > limit:
                    raise ValueError(f"{source}: weights section has the wrong size")
                pending = take(pending + out)
                if d.eof:
                    break
        pending = take(pending + d.flush())
    except binfile.inflate_errors() as exc:
        raise ValueError(f"{source}: corrupt model section 'weights' ({exc})") from None
    if row != rows or pending or not d.eof:
        raise ValueError(f"{source}: weights section has the wrong size")


def load(path: str | PathLike[str] | None) -> Model:
    """Load the whole model at ``path``; ``None`` means the bundled model."""
    sec, source = read_sections(path)
    return Model.from_sections(sec, source)


def quantize(
    avg: np.ndarray, trans: np.ndarray, limit: int = WEIGHT_LIMIT
) -> tuple[np.ndarray, np.ndarray, float]:
    """Float weights -> (int16 weights within +-``limit``, int64
    transitions, scale) with one common scale, so decoding with the integer
    weights ranks tag sequences as the float weights do up to rounding.
    ``limit``: WEIGHT_LIMIT, so that the two slots a standard's folded row
    adds fit in int16; half of it for a model with back-off, whose rows add
    four."""
    peak = float(np.abs(avg).max(initial=0.0))
    scale = limit / peak if peak > 0 else 1.0
    w = np.rint(avg * scale)
    np.clip(w, -limit, limit, out=w)
    return w.astype(np.int16), np.rint(trans * scale).astype(np.int64), scale
