"""Reading a request body within the limits, and decoding it as JSON.

The body is read chunk by chunk from the ASGI ``receive`` and refused as
soon as it passes ``max_body`` (or at once when its ``Content-Length`` says
it will); it must
be UTF-8 and one JSON document: no ``NaN``/``Infinity``, nesting no deeper
than the parser's stack, no key twice in one object (JSON parsers keep the
last value, and the other is lost without a word). Each failure is an :class:`~.errors.ApiError`
saying where the body went wrong.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from .errors import ApiError

#: An ASGI ``receive`` callable.
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class Disconnected(Exception):
    """The client went away before its whole body arrived."""


def too_large(size: int | str, max_body: int) -> ApiError:
    return ApiError(
        413,
        "body_too_large",
        f"the request body is {size} bytes; at most {max_body} are taken (send less per "
        "request, or start the server with a larger --max-body)",
    )


def unsupported_encoding(coding: str) -> ApiError:
    return ApiError(
        415,
        "unsupported_encoding",
        f"Content-Encoding {coding[:40]!r} is not supported: this server reads bodies as "
        "they are; send the JSON uncompressed (without a Content-Encoding header)",
    )


def declared_length(value: str | None, max_body: int) -> int | None:
    """The ``Content-Length`` header's value, checked."""
    if value is None:
        return None
    if not value.isdigit():
        raise ApiError(400, "invalid_header", f"Content-Length {value[:40]!r} is not a number")
    size = int(value)
    if size > max_body:
        raise too_large(size, max_body)
    return size


def header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name`` (lower case, as ASGI gives the
    names) among an ASGI scope's ``headers``."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


class Reader:
    """Reads request bodies within ``max_body`` bytes and their deadlines.

    One timer, ticking every ``tick`` seconds while some body is being
    read, cancels each read whose deadline has passed: cheaper than a timer
    per request (a body still missing is refused at most a tick after its
    deadline). Used on one event loop."""

    def __init__(self, max_body: int, timeout: float, tick: float = 0.05) -> None:
        self.max_body = max_body
        self.timeout = timeout
        self.tick = tick
        self._reading: dict[asyncio.Task[Any], float] = {}  # the reads and their deadlines
        self._expired: set[asyncio.Task[Any]] = set()
        self._ticking: asyncio.AbstractEventLoop | None = None  # where the timer is

    async def read(
        self, headers: list[tuple[bytes, bytes]], receive: Receive, deadline: float
    ) -> bytes:
        """The body of the request of ASGI ``headers``, from ``receive``, by
        ``deadline`` (:func:`time.monotonic` time); :class:`Disconnected`
        when the client leaves first."""
        length = False
        for key, value in headers:
            if key == b"content-length" and not length:  # the first one counts
                length = True
                declared_length(value.decode("latin-1"), self.max_body)
            elif key == b"content-encoding":
                coding = value.decode("latin-1").strip().lower()
                if coding and coding != "identity":
                    raise unsupported_encoding(coding)
        task = asyncio.current_task()
        assert task is not None
        self._reading[task] = deadline
        loop = task.get_loop()
        if self._ticking is not loop:  # not ticking (or on a loop since closed)
            self._ticking = loop
            loop.call_later(self.tick, self._check, loop)
        try:
            parts: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "http.request":
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body:
                        raise too_large(f"more than {self.max_body}", self.max_body)
                    if not message.get("more_body", False):
                        if not parts:  # the whole body in one message: no copy
                            return bytes(chunk)
                        parts.append(chunk)
                        return b"".join(parts)
                    parts.append(chunk)
                elif kind == "http.disconnect":
                    raise Disconnected
        except asyncio.CancelledError:
            if task not in self._expired:
                raise
            self._expired.discard(task)
            if hasattr(task, "uncancel"):  # Python 3.11+: the cancel is handled
                task.uncancel()
            raise ApiError(
                408, "body_timeout", f"the request body did not arrive within {self.timeout:g} s"
            ) from None
        finally:
            self._reading.pop(task, None)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancel the reads past their deadline (each is suspended in its
        read: this runs on their loop), and tick again while any is left."""
        if self._ticking is not loop:
            return  # a timer of an earlier loop's
        now = time.monotonic()
        for task, deadline in list(self._reading.items()):
            if task.get_loop() is not loop:  # of a closed loop: never to end
                if task.get_loop().is_closed():
                    del self._reading[task]
            elif deadline <= now:
                del self._reading[task]
                self._expired.add(task)
                task.cancel()
        if self._reading:
            loop.call_later(self.tick, self._check, loop)
        else:
            self._ticking = None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object of ``pairs`` (the standard parser's ``object_pairs_hook``),
    refused when a key is given twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ApiError(
                    422,
                    "duplicate_field",
                    f"the field {key[:40]!r} is given twice in one object; give each field "
                    "once (a JSON parser would keep only the last value)",
                    key[:40],
                )
            seen.add(key)
    return obj


#: The end of a key: its closing quote, then the colon.
_KEY_END = re.compile(rb'"[ \t\n\r]*:')


def _keys_once(raw: bytes, body: dict[str, Any]) -> bool:
    """Whether ``raw``, the JSON text of the flat object ``body`` (no
    object inside), surely gives each of the fields of a request once
    (False: perhaps not; then the standard parser, which refuses a key
    given twice, decides). Each key of ``raw`` ends as :data:`_KEY_END`
    matches, and so does a string that holds an escaped quote before a
    colon (``\\":``): as many matches as ``body`` has keys, none given
    twice. A field's name is spelt as it is unless ``raw`` has a backslash;
    then a key spelt with an escape (``"te\\u0078t"``, the field
    ``text``) must be read by the standard parser. (A key that holds a
    quote is no field's, and is refused as unknown.)"""
    if raw.count(b":") == len(body):
        # every key is followed by a colon: no more keys than ``body`` kept
        return True
    if b"\\" not in raw:
        return len(_KEY_END.findall(raw)) == len(body)
    keys = 0
    for end in _KEY_END.finditer(raw):
        keys += 1
        at = end.start()
        if raw.find(b"\\", raw.rfind(b'"', 0, at) + 1, at) >= 0:
            return False
    return keys == len(body)


def _integer(digits: str) -> int:
    """An integer of the body (the standard parser's ``parse_int``): one
    too long for Python to convert is refused for what it is."""
    try:
        return int(digits)
    except ValueError:  # past sys.get_int_max_str_digits()
        raise ApiError(
            400,
            "invalid_json",
            f"the request body holds an integer of {len(digits.lstrip('-'))} digits, too "
            "long to read (no field takes such a number); send a shorter one",
        ) from None


_FORM_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _form_hint(text: str) -> str:
    """The end of a not-JSON message for a body that looks form-encoded
    (``text=...&standard=...``: curl -d and HTML forms send that)."""
    if _FORM_FIELD.match(text.lstrip()):
        return (
            "; it looks form-encoded (name=value&...), as curl -d sends by default: send a "
            'JSON object, e.g. {"text": "..."}, with Content-Type: application/json'
        )
    return ""


def parse_json(raw: bytes) -> Any:
    """The JSON document in ``raw`` (UTF-8)."""
    if not raw.strip():
        raise ApiError(400, "invalid_json", "the request body is empty; send a JSON object")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ApiError(
            400,
            "invalid_json",
            "the request body starts with a byte-order mark (EF BB BF), which JSON over "
            "HTTP must not have; send the JSON without it",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            "invalid_utf8",
            f"the request body is not UTF-8: byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start} ({exc.reason}); send JSON in UTF-8",
        ) from None
    try:
        return json.loads(
            text, parse_constant=_no_constant, object_pairs_hook=_once, parse_int=_integer
        )
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "invalid_json",
            f"the request body is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}, "
            f"character {exc.pos}){_form_hint(text)}",
        ) from None
    except RecursionError:
        raise ApiError(
            400, "invalid_json", "the request body is not JSON this server takes: nested too deeply"
        ) from None
    except ValueError as exc:  # NaN, Infinity, an integer of too many digits
        raise ApiError(400, "invalid_json", f"the request body is not JSON: {exc}") from None


def _flat(body: dict[str, Any]) -> bool:
    """Whether the values of ``body`` are scalars or lists of scalars."""
    for value in body.values():
        kind = type(value)
        if kind is dict:
            return False
        if kind is list:
            for item in value:
                if type(item) is list or type(item) is dict:
                    return False
    return True


def parse_flat_json(raw: bytes) -> Any:
    """``parse_json(raw)``, sooner, for a body whose fields take no number
    (one is refused as "a number" whatever its value): orjson's reading
    when it takes the body and finds an object of scalars and lists of
    scalars, else parse_json's. orjson reads each such document as the
    standard parser does, but for integers past 64 bits (floats to it),
    and refuses lone surrogates; it takes deeper nesting than the standard
    parser, which is why a deeper document is read again by parse_json.
    orjson keeps the last value of a key given twice: a body that may give
    one twice (:func:`_keys_once`) is read again by parse_json too, which
    refuses it."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return parse_json(raw)
    if type(body) is dict and _flat(body) and _keys_once(raw, body):
        return body
    return parse_json(raw)
