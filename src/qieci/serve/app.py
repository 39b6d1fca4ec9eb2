"""The ASGI application: routes, the demo page, errors as JSON, metrics.

:func:`create_app` builds the service of a :class:`~.config.ServeConfig`:
its tokenizers load there, before a server accepts any request. Each
request's body is read on the event loop within the limits; parsing,
validation and segmentation run in one job on the segmentation threads
(:mod:`.pool`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import work
from .body import declared_length, parse_json, read_body
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


def error_response(exc: ApiError) -> Response:
    headers = {"Connection": "close"} if exc.status in (408, 413) else None
    return Response(exc.body(), exc.status, headers=headers, media_type=JSON)


class Service:
    """The state of one worker: its catalog, threads, limits and metrics."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.limits = config.limits
        self.catalog = Catalog(config)
        self.pool = Pool(self.limits.threads, self.limits.queue)
        self.routes = ("/v1/cut", "/v1/keywords", "/v1/standards", "/healthz", "/metrics")
        self.metrics = Metrics((*self.routes, "/", "/openapi.json", "/static/"))
        self.openapi = work.dumps(document())
        static = resources.files(__package__) / "static"
        self.static = {name: (static / name).read_bytes() for name in STATIC}

    async def body(self, request: Request, deadline: float) -> bytes:
        """The body, within the size limit and the deadline (a timer that
        cancels the read: cheaper than a task per request)."""
        max_body = self.limits.max_body
        declared_length(request.headers.get("content-length"), max_body)
        task = asyncio.current_task()
        assert task is not None
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        timer = asyncio.get_running_loop().call_later(max(0.0, deadline - time.monotonic()), expire)
        try:
            return await read_body(request.stream(), max_body)
        except asyncio.CancelledError:
            if not expired:
                raise
            if hasattr(task, "uncancel"):  # Python 3.11+: the cancel is handled
                task.uncancel()
            raise ApiError(
                408,
                "body_timeout",
                f"the request body did not arrive within {self.limits.timeout:g} s",
            ) from None
        finally:
            timer.cancel()

    def endpoint(
        self, job: Callable[[bytes, bool], bytes]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A POST endpoint: the body read here; ``job(body, blocking)`` on
        the event loop when the body is small and its setting loaded (tens
        of microseconds of work: less than a thread hop costs), else in a
        segmentation thread under the timeout."""
        inline = self.limits.inline_bytes

        async def handle(request: Request) -> Response:
            deadline = time.monotonic() + self.limits.timeout
            try:
                raw = await self.body(request, deadline)
                try:
                    if len(raw) > inline:
                        raise NotReady
                    answer = job(raw, False)
                except NotReady:
                    answer = await self.pool.run(lambda: job(raw, True), deadline)
            except ApiError as exc:
                return error_response(exc)
            except ClientDisconnect:
                return Response(b"", 400)  # nobody is there to read it
            return Response(answer, media_type=JSON)

        return handle

    # -- the jobs (``blocking``: in a segmentation thread) -------------------------

    def cut(self, raw: bytes, blocking: bool) -> bytes:
        req = cut_request(parse_json(raw), self.limits.max_batch)
        return work.cut(self.catalog, req, blocking)

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
        err = ApiError(405, "method_not_allowed", f"{request.method} is not allowed on this path")
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
    return Response(
        ApiError(
            500, "internal_error", "internal error: a bug in qieci serve; please report it"
        ).body(),
        500,
        media_type=JSON,
    )


def create_app(config: ServeConfig | None = None) -> Starlette:
    """The service of ``config`` (default: :class:`ServeConfig`'s defaults),
    its tokenizers loaded."""
    service = Service(config or ServeConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.pool.close()

    routes = [
        Route("/v1/cut", service.endpoint(service.cut), methods=["POST"]),
        Route("/v1/keywords", service.endpoint(service.keywords), methods=["POST"]),
        Route("/v1/standards", service.standards, methods=["GET"]),
        Route("/healthz", service.healthz, methods=["GET"]),
        Route("/metrics", service.prometheus, methods=["GET"]),
        Route("/openapi.json", service.schema, methods=["GET"]),
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
    return app


def app_from_env() -> Starlette:
    """The app of the config in ``$QIECI_SERVE_CONFIG``: what each of
    uvicorn's worker processes builds (``--workers N``)."""
    raw = os.environ.get(CONFIG_ENV)
    return create_app(ServeConfig.from_json(raw) if raw else None)
