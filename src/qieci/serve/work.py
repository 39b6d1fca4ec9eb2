"""What ``/v1/cut`` and ``/v1/keywords`` compute, as plain functions of the
catalog and a request. They run in the segmentation threads (:mod:`.pool`)
and return the JSON answer as bytes."""

from __future__ import annotations

from typing import Any

from ..analyse import TextRank
from ..engines import ENGINES
from ..engines.base import Tagging, Unsupported, offering
from ..tokenizer import Tokenizer
from . import encode
from .catalog import Catalog
from .errors import ApiError
from .requests import CutRequest, KeywordsRequest


def dumps(value: Any) -> bytes:
    return encode.dumps(value).encode("utf-8")


def _unsupported(exc: Unsupported, field: str) -> ApiError:
    return ApiError(422, "unsupported", f"{field}: {exc}", field)


def _check_tagging(tok: Tokenizer, field: str, what: str) -> None:
    """An :class:`ApiError` naming the engines that tag, unless ``tok``'s
    engine does."""
    if isinstance(tok.engine, Tagging):
        return
    engines = " or ".join(f'the {n} engine ("engine": "{n}")' for n in offering(ENGINES, Tagging))
    raise ApiError(
        422,
        "unsupported",
        f"{what} needs POS tags, which only {engines} gives; this request's engine "
        f"is {getattr(tok.engine, 'name', type(tok.engine).__name__)!r}",
        field,
    )


def cut(catalog: Catalog, req: CutRequest, blocking: bool = True, plain: bool = False) -> bytes:
    """The answer to ``req``; without ``blocking``, :class:`~.catalog.NotReady`
    when its setting has yet to load. ``plain``: no text of ``req`` holds a
    character that JSON escapes (its body spelt none: it held no backslash)."""
    setting = catalog.resolve(req.engine, req.standard, blocking)
    tok = catalog.tokenizer(setting, blocking)
    if req.pos:
        _check_tagging(tok, "pos", '"pos": true')
    label = encode.dumps(setting.label)
    try:
        if plain and not (req.pos or req.offsets):
            # every word is its own JSON string: no escaping pass
            words = [plain_words(tok, t, req.mode, req.hmm) for t in req.texts]
            tail = b',"setting":' + label.encode() + b"}"
            if req.batch:
                each = b",".join([b'{"words":' + w + b"}" for w in words])
                return b'{"results":[' + each + b"]" + tail
            return b'{"words":' + words[0] + tail
        if req.batch and not (req.pos or req.offsets) and all(map(encode.can_join, req.texts)):
            # the whole batch's words joined by the engine, escaped at once
            lines = [tok.cut_lines(t, encode.JOINER, req.mode, req.hmm) for t in req.texts]
            results = encode.results_array(lines)
            return f'{{"results":{results},"setting":{label}}}'.encode()
        if req.pos or req.offsets:
            arrays = [_objects_array(tok, req, text) for text in req.texts]
        else:
            arrays = [_array(tok, req, text) for text in req.texts]
    except Unsupported as exc:  # a mode the engine does not offer
        raise _unsupported(exc, "mode") from None
    if req.batch:
        results = ",".join(['{"words":' + a + "}" for a in arrays])
        return f'{{"results":[{results}],"setting":{label}}}'.encode()
    return f'{{"words":{arrays[0]},"setting":{label}}}'.encode()


def _array(tok: Tokenizer, req: CutRequest, text: str) -> str:
    """The JSON array of the words of ``text``: for one line, joined by the
    engine (no Python object per word), else from the list."""
    if encode.can_join(text):
        return encode.joined_array(tok.cut_lines(text, encode.JOINER, req.mode, req.hmm))
    if req.mode == "search":
        return encode.words_array(tok.lcut_for_search(text, req.hmm))
    return encode.words_array(tok.lcut(text, req.mode == "all", req.hmm))


def plain_words(tok: Tokenizer, text: str, mode: str = "default", hmm: bool = True) -> bytes:
    """The JSON array (UTF-8) of the words of ``text``, a text that holds
    no character JSON escapes (``"``, ``\\``, controls; so no line end
    either): its words are their own JSON strings, which the engine joins
    by ``","``."""
    if not text:
        return b"[]"
    return b'["' + tok.cut_lines(text, '","', mode, hmm).encode() + b'"]'


def plain_arrays(tok: Tokenizer, raw: bytes, k: int) -> list[bytes]:
    """The JSON arrays (UTF-8) of the words of each of the ``k`` texts of
    ``raw``: valid JSON without a backslash, one object with one key whose
    value is a string (``k`` = 1) or a list of ``k`` strings. Spelt without
    a backslash, each string is its text's UTF-8 bytes between two quotes,
    the quotes are the only ones in ``raw``, and no text holds a line end
    (JSON has none unescaped): the engine cuts the texts as lines of one
    block of bytes straight from the body (no str), and joins the words of
    each by ``","``."""
    parts = raw.split(b'"')
    if len(parts) != 2 * k + 3:  # (cannot be: see above)
        raise AssertionError("a plain body's strings are not where they must be")
    texts = parts[3::2]
    cut = tok.cut_lines_utf8(b"\n".join(texts), '","')
    if cut is None:  # an engine or setting without a byte path
        lines = [tok.cut_lines(t.decode("utf-8"), '","').encode() for t in texts]
    else:
        lines = cut[0].split(b"\n")
        if len(lines) != k:
            raise AssertionError("the engine's lines are not the texts")
    return [b'["' + line + b'"]' if line else b"[]" for line in lines]


#: Words per JSON call of an answer with offsets or tags: each call holds
#: the interpreter lock, so that a text of millions of words, encoded at
#: once, kept the event loop (and /healthz) waiting for seconds.
OBJECTS_PER_CALL = 20_000


def _objects_array(tok: Tokenizer, req: CutRequest, text: str) -> str:
    """The JSON array of the word objects (``word``, ``start``, ``end``,
    ``tag``) of ``text``, made and encoded OBJECTS_PER_CALL at a time."""
    if not (req.pos or req.offsets):
        raise AssertionError("_objects_array is for offsets or pos")
    words = list(tok.tokenize(text, req.mode, req.hmm, pos=req.pos))
    pieces = []
    for i in range(0, len(words), OBJECTS_PER_CALL):
        chunk = words[i : i + OBJECTS_PER_CALL]
        if req.pos:
            objects = [{"word": w, "start": s, "end": e, "tag": t} for w, t, s, e in chunk]
        else:
            objects = [{"word": w, "start": s, "end": e, "tag": None} for w, s, e in chunk]
        pieces.append(encode.dumps(objects)[1:-1])
    return "[" + ",".join(pieces) + "]"


def keywords(catalog: Catalog, req: KeywordsRequest, blocking: bool = True) -> bytes:
    setting = catalog.resolve(req.engine, req.standard, blocking)
    tok = catalog.tokenizer(setting, blocking)
    top_k = req.top_k or None
    if req.method == "textrank":
        _check_tagging(tok, "method", '"method": "textrank"')
        found = TextRank(tokenizer=tok).textrank(
            req.text, top_k, True, req.allow_pos or ("ns", "n", "vn", "v")
        )
    else:
        if req.allow_pos:
            _check_tagging(tok, "allow_pos", '"allow_pos"')
        found = catalog.tfidf(setting, blocking).extract_tags(req.text, top_k, True, req.allow_pos)
    return dumps(
        {
            "keywords": [{"word": w, "weight": weight} for w, weight in found],
            "setting": setting.label,
        }
    )
