"""The learned engine's model file: format, saving and loading.

A model is a :mod:`qieci.binfile` container of kind ``"model"`` (versioned,
with a CRC-32 per section; never pickle) with these sections:

``meta``
    UTF-8 JSON: ``format`` (this module's :data:`FORMAT_VERSION`), ``bits``
    (the weight table has ``2**bits`` buckets), ``templates`` (the number of
    feature templates the kernel extracts; must match the kernel),
    ``standards`` (the standard names, in index order: standard ``i`` of the
    list has kernel index ``i + 1``), ``scale`` (weights were multiplied by
    it before rounding), ``training`` (free-form description of the data).
``weights``
    int16 little-endian, ``2**bits * 4`` values: bucket-major, tags B, M, E,
    S. Shared weights and per-standard weights share the table (the copy of
    a feature for standard ``s`` is in bucket ``b ^ salt(s)``), every value
    lies within +-16383 so that shared + specific fits in int16.
``trans``
    int64 little-endian, ``(len(standards) + 1) * 20`` values: per row (0 =
    shared, ``s`` = standard ``s``) the transition weights ``prev x cur``,
    5 x 4, the fifth row being the sentence start.
``lexicon``
    UTF-8, the lexicon-feature words, one per line.
``vocab``
    UTF-8 JSON object: standard name -> its training words joined by
    ``"\\n"`` (the default in-vocabulary list of ``qieci eval``).

Loading checks everything and raises :class:`ValueError` naming the file on
any inconsistency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from . import binfile

MODEL_KIND = "model"
FORMAT_VERSION = 1
DEFAULT_MODEL_RESOURCE = "learned.qc"
WEIGHT_LIMIT = 16383
_SECTIONS = ("meta", "weights", "trans", "lexicon", "vocab")


@dataclass
class Model:
    """A loaded (or freshly trained) model; arrays are native-endian."""

    bits: int
    standards: list[str]
    weights: np.ndarray  # int16, 2**bits * 4
    trans: np.ndarray  # int64, (len(standards) + 1) * 20
    lexicon: list[str]
    vocab: dict[str, list[str]] = field(default_factory=dict)
    scale: float = 1.0
    training: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"

    def standard_index(self, standard: str) -> int:
        """The 1-based kernel index of ``standard``; ValueError if unknown."""
        try:
            return self.standards.index(standard) + 1
        except ValueError:
            raise ValueError(
                f"{self.source}: model has no standard {standard!r} "
                f"(it has: {', '.join(self.standards)})"
            ) from None

    def to_bytes(self) -> bytes:
        from ._learned import NUM_TEMPLATES

        meta = {"format": FORMAT_VERSION, "bits": self.bits, "templates": NUM_TEMPLATES,
                "standards": self.standards, "scale": self.scale, "training": self.training}
        return binfile.pack(MODEL_KIND, {
            "meta": json.dumps(meta, ensure_ascii=False).encode("utf-8"),
            "weights": self.weights.astype("<i2").tobytes(),
            "trans": self.trans.astype("<i8").tobytes(),
            "lexicon": "\n".join(self.lexicon).encode("utf-8"),
            "vocab": json.dumps({k: "\n".join(v) for k, v in self.vocab.items()},
                                ensure_ascii=False).encode("utf-8"),
        })

    def save(self, path: str | PathLike[str]) -> None:
        """Write the model to ``path`` (atomically: a temporary file renamed)."""
        p = Path(path)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(p)

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> Model:
        from ._learned import NUM_TEMPLATES

        sec = binfile.unpack(data, kind=MODEL_KIND, source=source)
        binfile.require(sec, _SECTIONS, source)
        try:
            meta = json.loads(sec["meta"].decode("utf-8"))
            fmt = meta["format"]
            bits = int(meta["bits"])
            standards = [str(s) for s in meta["standards"]]
            templates = int(meta["templates"])
            scale = float(meta["scale"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{source}: corrupt model metadata ({exc})") from None
        if fmt != FORMAT_VERSION:
            raise ValueError(f"{source}: unsupported model format {fmt} "
                             f"(this build reads {FORMAT_VERSION})")
        if templates != NUM_TEMPLATES:
            raise ValueError(f"{source}: model has {templates} feature templates, this build "
                             f"extracts {NUM_TEMPLATES}; retrain it")
        if not 8 <= bits <= 28 or not standards or len(set(standards)) != len(standards):
            raise ValueError(f"{source}: corrupt model metadata (bits or standards)")
        if len(sec["weights"]) != (1 << bits) * 4 * 2:
            raise ValueError(f"{source}: weights section has the wrong size")
        if len(sec["trans"]) != (len(standards) + 1) * 20 * 8:
            raise ValueError(f"{source}: trans section has the wrong size")
        weights = np.frombuffer(sec["weights"], dtype="<i2").astype(np.int16, copy=False)
        if int(np.abs(weights.astype(np.int32)).max(initial=0)) > WEIGHT_LIMIT:
            raise ValueError(f"{source}: weights out of range")
        trans = np.frombuffer(sec["trans"], dtype="<i8").astype(np.int64)
        try:
            lexicon = sec["lexicon"].decode("utf-8").split("\n") if sec["lexicon"] else []
            vocab_raw = json.loads(sec["vocab"].decode("utf-8"))
            vocab = {str(k): (v.split("\n") if v else []) for k, v in vocab_raw.items()}
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"{source}: corrupt model text sections ({exc})") from None
        return cls(bits, standards, weights, trans, lexicon, vocab, scale,
                   dict(meta.get("training") or {}), source)


def load(path: str | PathLike[str] | None) -> Model:
    """Load the model at ``path``; ``None`` means the bundled model."""
    if path is None:
        try:
            data = resources.files("qieci").joinpath("data", DEFAULT_MODEL_RESOURCE).read_bytes()
        except (FileNotFoundError, OSError) as exc:
            raise ValueError(f"the bundled learned model is missing: {exc}") from None
        return Model.from_bytes(data, f"<bundled {DEFAULT_MODEL_RESOURCE}>")
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p}: cannot read model file: {exc.strerror or exc}") from None
    return Model.from_bytes(data, str(p))


def quantize(avg: np.ndarray, trans: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Float weights -> (int16 weights within +-WEIGHT_LIMIT, int64
    transitions, scale) with one common scale, so decoding with the integer
    weights ranks tag sequences as the float weights do up to rounding."""
    peak = float(np.abs(avg).max(initial=0.0))
    scale = WEIGHT_LIMIT / peak if peak > 0 else 1.0
    w = np.rint(avg * scale)
    np.clip(w, -WEIGHT_LIMIT, WEIGHT_LIMIT, out=w)
    return w.astype(np.int16), np.rint(trans * scale).astype(np.int64), scale

