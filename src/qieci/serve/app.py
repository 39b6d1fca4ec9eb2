"""The ASGI application: routes, the demo page, errors as JSON, metrics.

:func:`create_app` builds the service of a :class:`~.config.ServeConfig`:
its tokenizers load there, before a server accepts any request. Each
request's body is read on the event loop within the limits; parsing,
validation and segmentation run in one job, on the event loop for a small
body (less work than a thread hop) or on the segmentation threads
(:mod:`.pool`).

The two POST endpoints are plain ASGI apps (:class:`Endpoint`: no Request
or Response objects), and :class:`Front`, in front of Starlette, hands
them their requests straight, timed into the metrics: the hot path of the
service skips routing and middleware. Starlette routes everything else
(and the same endpoints, for the answers it gives on their paths: 405 to
another method).

No route of the API reads a query string, and none ignores one: each
answers a request whose address has one with :func:`query_error` (400,
naming its parameters). The demo page and its files ignore one, as pages
do (a bookmark or a link may carry tracking tags).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import encode, work
from .body import Disconnected, Reader, parse_flat_json, parse_json
from .catalog import Catalog, NotReady
from .config import CONFIG_ENV, ServeConfig
from .errors import ApiError
from .metrics import Metrics
from .openapi import document
from .pool import Pool
from .requests import cut_request, keywords_request

JSON = "application/json"
log = logging.getLogger("qieci.serve")

#: The demo page's files (in the package's static/ folder) and their types.
STATIC = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
#: The demo page loads nothing from anywhere else.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
#: The answers after which the connection is closed (the rest of the body
#: is never read).
CLOSING = (408, 413, 415)
_JSON_TYPE = (b"content-type", JSON.encode())
_CLOSE = (b"connection", b"close")
_EMPTY = [(b"content-length", b"0")]
_BUG = ApiError(500, "internal_error", "internal error: a bug in qieci serve; please report it")


def error_response(exc: ApiError, headers: dict[str, str] | None = None) -> Response:
    if exc.status in CLOSING:
        headers = {**(headers or {}), "Connection": "close"}
    return Response(exc.body(), exc.status, headers=headers, media_type=JSON)


async def send_json(send: Send, status: int, body: bytes, close: bool = False) -> None:
    """Answer ``body`` (JSON) with ``status``: the headers Starlette's
    ``Response(body, status, media_type=JSON)`` gives (``Connection: close``
    first with ``close``)."""
    headers = [(b"content-length", str(len(body)).encode()), _JSON_TYPE]
    if close:
        headers.insert(0, _CLOSE)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def send_error(send: Send, exc: ApiError) -> None:
    """:func:`error_response` of ``exc``, sent."""
    await send_json(send, exc.status, exc.body(), close=exc.status in CLOSING)


def query_error(method: str, path: str, query: bytes) -> ApiError:
    """The 400 of a request to a route of the API whose address has a query
    string, ``query``: no route reads one, and one ignored would go
    unnoticed (``?standard=pku`` answered by the default setting). The
    message names its parameters (at most five)."""
    names = [n[:40] for n, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
    if names:
        got = "query parameter" + ("s " if len(names) > 1 else " ")
        got += ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
    else:
        got = f"the query string {query[:40].decode('latin-1')!r}"
    if method == "POST":
        what = (
            "reads no query parameters: give engine, standard and the other options as "
            "fields of the JSON body"
        )
    else:
        what = "takes no query parameters: send it without the query string (from the '?' on)"
    return ApiError(400, "query_not_read", f"{method} {path[:100]} {what}; got {got}", "query")


def no_query(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """``endpoint`` (a GET route of the API), refusing a request whose
    address has a query string with :func:`query_error`."""

    async def refusing(request: Request) -> Response:
        query = request.scope.get("query_string")
        if query:
            return error_response(query_error(request.method, request.url.path, query))
        return await endpoint(request)

    return refusing


class Service:
    """The state of one worker: its catalog, threads, limits and metrics."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.limits = config.limits
        self.catalog = Catalog(config)
        self.pool = Pool(self.limits.threads, self.limits.queue)
        self.reader = Reader(self.limits.max_body, self.limits.timeout)
        self.routes = ("/v1/cut", "/v1/keywords", "/v1/standards", "/healthz", "/metrics")
        self.metrics = Metrics((*self.routes, "/", "/openapi.json", "/static/"))
        self.openapi = work.dumps(document(self.limits))
        # what ends the answer to a request of the default setting
        self._default_tail = f',"setting":{encode.dumps(self.catalog.default.label)}}}'.encode()
        static = resources.files(__package__) / "static"
        self.static = {name: (static / name).read_bytes() for name in STATIC}

    # -- the jobs (``blocking``: in a segmentation thread) -------------------------

    def cut(self, raw: bytes, blocking: bool) -> bytes:
        body = parse_flat_json(raw)
        # a body spelt without a backslash holds no character that JSON
        # escapes: nor do its texts' words, which need no escaping pass
        plain = b"\\" not in raw
        # the common requests, {"text": "..."} and {"texts": [...]}: without
        # the validation's dict, and cut from the body's own bytes
        if plain and type(body) is dict and len(body) == 1:
            answer = self._cut_plain(raw, body, blocking)
            if answer is not None:
                return answer
        req = cut_request(body, self.limits.max_batch)
        return work.cut(self.catalog, req, blocking, plain)

    def _cut_plain(self, raw: bytes, body: dict[str, Any], blocking: bool) -> bytes | None:
        """The answer to ``body``, ``{"text": str}`` or ``{"texts": [str, ...]}``
        (at most the batch limit) of the default setting, read from ``raw``,
        a body without a backslash; None for any other body."""
        texts = body.get("texts")
        if type(body.get("text")) is str:
            k = 1
        elif (
            type(texts) is list
            and 0 < len(texts) <= self.limits.max_batch
            and all(type(t) is str for t in texts)
        ):
            k = len(texts)
        else:
            return None
        tok = self.catalog.tokenizer(self.catalog.default, blocking)
        words = work.plain_arrays(tok, raw, k)
        if texts is None:
            return b'{"words":' + words[0] + self._default_tail
        each = b",".join([b'{"words":' + w + b"}" for w in words])
        return b'{"results":[' + each + b"]" + self._default_tail

    def keywords(self, raw: bytes, blocking: bool) -> bytes:
        return work.keywords(self.catalog, keywords_request(parse_json(raw)), blocking)

    # -- GET endpoints ------------------------------------------------------------

    async def standards(self, request: Request) -> Response:
        deadline = time.monotonic() + self.limits.timeout
        try:
            answer = await self.pool.run(self._standards, deadline)
        except ApiError as exc:
            return error_response(exc)
        return Response(answer, media_type=JSON)

    def _standards(self) -> bytes:
        standards, default = self.catalog.standards()
        return work.dumps(
            {
                "engines": list(self.catalog.engines),
                "standards": list(standards),
                "default_standard": default,
                "default": {
                    "engine": self.catalog.default.engine,
                    "standard": self.catalog.default.standard,
                },
                "loaded": self.catalog.loaded(),
                "limits": {
                    "max_body": self.limits.max_body,
                    "max_batch": self.limits.max_batch,
                    "timeout": self.limits.timeout,
                },
            }
        )

    async def healthz(self, request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    async def prometheus(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type="text/plain; version=0.0.4")

    async def schema(self, request: Request) -> Response:
        return Response(self.openapi, media_type=JSON)

    async def page(self, request: Request) -> Response:
        name = request.path_params.get("name", "index.html")
        if name not in STATIC:
            raise HTTPException(404)
        return Response(self.static[name], media_type=STATIC[name], headers=PAGE_HEADERS)


class Endpoint:
    """A POST endpoint, as a plain ASGI app: the body read here, then
    ``job(body, blocking)``: on the event loop when the body is small and
    its setting loaded (tens of microseconds of work: less than a thread
    hop costs), else in a segmentation thread under the timeout."""

    def __init__(self, service: Service, job: Callable[[bytes, bool], bytes]) -> None:
        self.service = service
        self.job = job
        self.read = service.reader.read
        self.inline = service.limits.inline_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Answer the request; the status it got."""
        job = self.job
        deadline = time.monotonic() + self.service.limits.timeout
        try:
            raw = await self.read(scope["headers"], receive, deadline)
            query = scope.get("query_string")
            if query:  # (refused after the body is read, so the connection stays usable)
                raise query_error("POST", scope["path"], query)
            try:
                if len(raw) > self.inline:
                    raise NotReady
                answer = job(raw, False)
            except NotReady:
                answer = await self.service.pool.run(lambda: job(raw, True), deadline)
        except ApiError as exc:
            await send_error(send, exc)
            return exc.status
        except Disconnected:  # nobody is there to read an answer
            await send({"type": "http.response.start", "status": 400, "headers": _EMPTY})
            await send({"type": "http.response.body", "body": b""})
            return 400
        await send_json(send, 200, answer)
        return 200


class Front:
    """The outermost ASGI app: a POST to an :class:`Endpoint`'s path goes
    to it straight (no routing, middleware, Request or Response: the hot
    path), timed into the metrics as :class:`Timing` times the rest, and a
    bug in it answered as Starlette answers one (:func:`_bug`, then raised
    for the server to log and close the connection); every other request
    goes to ``app``."""

    def __init__(self, app: ASGIApp, posts: dict[str, Endpoint], metrics: Metrics) -> None:
        self.app = app
        self.posts = posts
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            endpoint = self.posts.get(scope["path"])
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        try:
            status = await endpoint.handle(scope, receive, send)
        except Exception as exc:
            log.exception("internal error on POST %s", scope["path"], exc_info=exc)
            await send_json(send, 500, _BUG.body())
            raise
        finally:
            self.metrics.observe("POST", scope["path"], status, time.perf_counter() - started)


class Timing:
    """ASGI middleware: every answer's status and time into the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            path = scope["path"]
            path = "/static/" if path.startswith("/static/") else path
            self.metrics.observe(scope["method"], path, status, time.perf_counter() - started)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        # the route's methods, as Starlette gives them (RFC 9110: Allow is required)
        allow = (exc.headers or {}).get("Allow", "")
        methods = [m.strip() for m in allow.split(",") if m.strip()]
        use = " or ".join(m for m in methods if m != "HEAD")
        if "POST" in methods:
            use += " with a JSON body"
        err = ApiError(
            405,
            "method_not_allowed",
            f"{request.method[:20]} is not allowed on {request.url.path[:100]}; use {use}",
        )
        return error_response(err, {"Allow": allow})
    elif exc.status_code == 404:
        err = ApiError(
            404,
            "not_found",
            "no such path; the API is POST /v1/cut, POST /v1/keywords, GET /v1/standards, "
            "GET /healthz, GET /metrics, GET /openapi.json",
        )
    else:
        err = ApiError(exc.status_code, "http_error", str(exc.detail))
    return error_response(err)


def _bug(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(_BUG.body(), 500, media_type=JSON)


def create_app(config: ServeConfig | None = None) -> Front:
    """The service of ``config`` (default: :class:`ServeConfig`'s defaults),
    its tokenizers loaded."""
    service = Service(config or ServeConfig())
    posts = {
        "/v1/cut": Endpoint(service, service.cut),
        "/v1/keywords": Endpoint(service, service.keywords),
    }

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.pool.close()

    routes = [
        *(Route(path, endpoint, methods=["POST"]) for path, endpoint in posts.items()),
        # the routes of the API refuse a query string; the page ignores one
        Route("/v1/standards", no_query(service.standards), methods=["GET"]),
        Route("/healthz", no_query(service.healthz), methods=["GET"]),
        Route("/metrics", no_query(service.prometheus), methods=["GET"]),
        Route("/openapi.json", no_query(service.schema), methods=["GET"]),
        Route("/", service.page, methods=["GET"]),
        Route("/static/{name}", service.page, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Response]] = {
        HTTPException: _http_error,
        Exception: _bug,
    }
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.router.redirect_slashes = False  # /v1/cut/ is not found, not a redirect
    app.add_middleware(Timing, metrics=service.metrics)
    return Front(app, posts, service.metrics)


def app_from_env() -> Front:
    """The app of the config in ``$QIECI_SERVE_CONFIG``: what each of
    uvicorn's worker processes builds (``--workers N``)."""
    raw = os.environ.get(CONFIG_ENV)
    return create_app(ServeConfig.from_json(raw) if raw else None)
