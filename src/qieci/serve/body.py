"""Reading a request body within the limits, and decoding it as JSON.

The body is read chunk by chunk and refused as soon as it passes
``max_body`` (or at once when its ``Content-Length`` says it will); it must
be UTF-8 and one JSON document: no ``NaN``/``Infinity``, nesting no deeper
than the parser's stack. Each failure is an :class:`~.errors.ApiError`
saying where the body went wrong.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from .errors import ApiError


def too_large(size: int | str, max_body: int) -> ApiError:
    return ApiError(
        413,
        "body_too_large",
        f"the request body is {size} bytes; at most {max_body} are taken (send less per "
        "request, or start the server with a larger --max-body)",
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


async def read_body(chunks: AsyncIterator[bytes], max_body: int) -> bytes:
    """The whole body, refused past ``max_body`` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_body:
            raise too_large(f"more than {max_body}", max_body)
        parts.append(chunk)
    return b"".join(parts)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes) -> Any:
    """The JSON document in ``raw`` (UTF-8)."""
    if not raw.strip():
        raise ApiError(400, "invalid_json", "the request body is empty; send a JSON object")
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
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "invalid_json",
            f"the request body is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(character {exc.pos})",
        ) from None
    except RecursionError:
        raise ApiError(
            400, "invalid_json", "the request body is not JSON this server takes: nested too deeply"
        ) from None
    except ValueError as exc:  # NaN, Infinity, an integer of too many digits
        raise ApiError(400, "invalid_json", f"the request body is not JSON: {exc}") from None
