"""The bodies of ``POST /v1/cut`` and ``POST /v1/keywords``: their fields
(:mod:`.schema`) and the typed requests they become."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .schema import Field, validate

#: The modes of ``/v1/cut``, and the engine mode each one is.
MODES = {"default": "default", "search": "search", "full": "all"}

_SETTING = (
    Field(
        "engine",
        str,
        "segmentation engine (see GET /v1/standards); default: the server's, or learned "
        "when a standard is given",
    ),
    Field("standard", str, "learned engine: segmentation standard (see GET /v1/standards)"),
)

CUT_FIELDS = (
    Field("text", str, "one text to segment (give this or texts)"),
    Field(
        "texts",
        list,
        "several texts to segment (give this or text); more than maxItems (the server's "
        "--max-batch) is a 413",
    ),
    *_SETTING,
    Field(
        "mode",
        str,
        "default: words that tile the text; search: plus the dictionary words inside long "
        "words; full: every dictionary word (no offsets)",
        default="default",
        choices=tuple(MODES),
    ),
    Field("hmm", bool, "find unknown words with the HMM (jieba engine)", default=True),
    Field(
        "offsets",
        bool,
        "each word an object {word, start, end, tag} (character offsets)",
        default=False,
    ),
    Field(
        "pos",
        bool,
        "each word an object {word, start, end, tag} with its POS tag (jieba engine; the "
        "words are those of qieci.posseg)",
        default=False,
    ),
)

KEYWORDS_FIELDS = (
    Field("text", str, "the text", required=True),
    Field(
        "method",
        str,
        "tfidf, or textrank (which needs POS tags: jieba engine)",
        default="tfidf",
        choices=("tfidf", "textrank"),
    ),
    Field("top_k", int, "how many keywords (0: all)", default=20, low=0, high=10000),
    Field(
        "allow_pos",
        list,
        "POS tags a keyword must have (POS tags: jieba engine); textrank's default: "
        "ns, n, vn, v; tfidf's: any",
    ),
    *_SETTING,
)


def cut_exactly_one() -> dict[str, Any]:
    """The JSON Schema of the rule of :func:`cut_request` that no one field
    can say: exactly one of "text" and "texts" is given (and not null)."""
    return {
        "oneOf": [
            {"required": ["text"], "properties": {"text": {"type": "string"}}},
            {"required": ["texts"], "properties": {"texts": {"type": "array"}}},
        ]
    }


@dataclass(frozen=True)
class CutRequest:
    texts: list[str]
    batch: bool  # "texts" was given: answer {"results": [...]}
    engine: str | None
    standard: str | None
    mode: str  # the engine's mode: default, search, all
    hmm: bool
    offsets: bool
    pos: bool


@dataclass(frozen=True)
class KeywordsRequest:
    text: str
    method: str
    top_k: int
    allow_pos: tuple[str, ...]
    engine: str | None
    standard: str | None


def cut_request(body: Any, max_batch: int) -> CutRequest:
    """The request of ``body``, a parsed JSON document (fields given as
    null count as not given); an :class:`ApiError` (422, or 413 for more
    than ``max_batch`` texts) names what is wrong."""
    v = validate(body, CUT_FIELDS)
    if (v["text"] is None) == (v["texts"] is None):
        nulls = [name for name in ("text", "texts") if name in body and body[name] is None]
        hint = f" ({' and '.join(nulls)} given as null, which counts as not given)" if nulls else ""
        raise ApiError(
            422,
            "invalid_body",
            f'give exactly one of "text" (a string) and "texts" (a list of strings){hint}',
        )
    if v["texts"] is not None and len(v["texts"]) > max_batch:
        raise ApiError(
            413,
            "batch_too_large",
            f"texts: {len(v['texts'])} texts in one request; at most {max_batch} "
            "(send several requests, or start the server with a larger --max-batch)",
            "texts",
        )
    mode = MODES[v["mode"]]
    if mode == "all" and (v["offsets"] or v["pos"]):
        raise ApiError(
            422,
            "invalid_field",
            'mode: "full" gives overlapping words without offsets or tags; use "default" '
            'or "search" with "offsets" or "pos"',
            "mode",
        )
    return CutRequest(
        texts=[v["text"]] if v["texts"] is None else v["texts"],
        batch=v["texts"] is not None,
        engine=v["engine"],
        standard=v["standard"],
        mode=mode,
        hmm=v["hmm"],
        offsets=v["offsets"],
        pos=v["pos"],
    )


def keywords_request(body: Any) -> KeywordsRequest:
    """The request of ``body``, a parsed JSON document (fields given as
    null count as not given); an :class:`ApiError` (422) names what is
    wrong."""
    v = validate(body, KEYWORDS_FIELDS)
    return KeywordsRequest(
        text=v["text"],
        method=v["method"],
        top_k=v["top_k"],
        allow_pos=tuple(v["allow_pos"] or ()),
        engine=v["engine"],
        standard=v["standard"],
    )
