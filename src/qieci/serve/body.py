"""Reading a request body within the limits, and decoding it as JSON.

The body is read chunk by chunk from the ASGI ``receive`` and refused as
soon as it passes ``max_body`` (or at once when its ``Content-Length`` says
it will); it must
be UTF-8 and one JSON document: no ``NaN``/``Infinity``, nesting no deeper
than the parser's stack. Each failure is an :class:`~.errors.ApiError`
saying where the body went wrong.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

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


async def receive_body(receive: Receive, max_body: int) -> bytes:
    """The whole body from the ASGI ``receive``, refused past ``max_body``
    bytes; :class:`Disconnected` when the client leaves first."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                raise too_large(f"more than {max_body}", max_body)
            if not message.get("more_body", False):
                if not parts:  # the whole body in one message: no copy
                    return bytes(chunk)
                parts.append(chunk)
                return b"".join(parts)
            parts.append(chunk)
        elif kind == "http.disconnect":
            raise Disconnected


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
        self._ticking = False

    async def read(
        self, headers: list[tuple[bytes, bytes]], receive: Receive, deadline: float
    ) -> bytes:
        """The body of the request of ASGI ``headers``, from ``receive``, by
        ``deadline`` (:func:`time.monotonic` time)."""
        declared_length(header(headers, b"content-length"), self.max_body)
        task = asyncio.current_task()
        assert task is not None
        self._reading[task] = deadline
        if not self._ticking:
            self._ticking = True
            asyncio.get_running_loop().call_later(self.tick, self._check)
        try:
            return await receive_body(receive, self.max_body)
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

    def _check(self) -> None:
        """Cancel the reads past their deadline (each is suspended in its
        read: this runs on the loop), and tick again while any is left."""
        now = time.monotonic()
        late = [task for task, deadline in self._reading.items() if deadline <= now]
        for task in late:
            del self._reading[task]
            self._expired.add(task)
            task.cancel()
        if self._reading:
            asyncio.get_running_loop().call_later(self.tick, self._check)
        else:
            self._ticking = False


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
