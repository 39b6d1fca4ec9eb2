"""The hot path of ``POST /v1/cut`` (:class:`~qieci.serve.app.Front`
straight to the endpoint, orjson, the ``{"text": ...}`` shortcut) answers
every body exactly as the general path does (the standard JSON parser, the
validation, ``work.cut``): the same bytes, or the same error. And the
answers of the ASGI app itself, driven in this process: metrics, a bug, a
body that never comes, a client that leaves."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qieci.serve import work
from qieci.serve.app import Service, create_app
from qieci.serve.body import parse_json
from qieci.serve.config import Limits, ServeConfig
from qieci.serve.errors import ApiError
from qieci.serve.requests import CUT_FIELDS, cut_request
from strategies import any_text, mixed_text


@pytest.fixture(scope="module", params=["jieba", "learned"])
def service(request):
    return Service(ServeConfig(engine=request.param))


def general(service: Service, raw: bytes) -> bytes | tuple:
    """The answer to ``raw`` by the general path, or its error."""
    try:
        req = cut_request(parse_json(raw), service.limits.max_batch)
        return work.cut(service.catalog, req)
    except ApiError as exc:
        return (exc.status, exc.code, exc.message, exc.field)


def hot(service: Service, raw: bytes) -> bytes | tuple:
    try:
        return service.cut(raw, True)
    except ApiError as exc:
        return (exc.status, exc.code, exc.message, exc.field)


FIELDS = [f.name for f in CUT_FIELDS] + ["txt", "TEXT"]
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)
field_value = st.one_of(
    mixed_text,
    any_text,
    st.sampled_from(["default", "search", "full", "jieba", "learned", "pku", "xyz"]),
    st.lists(mixed_text, max_size=3),
    json_value,
)
body = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), field_value, max_size=4),
    st.builds(lambda t: {"text": t}, any_text),
    json_value,
)


def spell(value, ascii_only: bool) -> bytes:
    """``value`` as JSON; lone surrogates (which UTF-8 cannot carry) and
    NaN as the standard encoder spells them."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@settings(max_examples=400, deadline=None)
@given(value=body, ascii_only=st.booleans(), cut=st.integers(min_value=0, max_value=400))
def test_the_hot_path_answers_as_the_general_path(service, value, ascii_only, cut):
    raw = spell(value, ascii_only)
    assert hot(service, raw) == general(service, raw)
    truncated = raw[: cut % (len(raw) + 1)]  # mostly not JSON
    assert hot(service, truncated) == general(service, truncated)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"text": ""}',
        b'{"text": "a\\"b"}',
        b'{"text": "\\u5317\\u4eac"}',
        b'{"text": "\\ud800"}',
        b'{"text": "\\udc00\\ud800"}',
        b'{"text": "\\ud83d\\ude00\xe5\x8c\x97"}',
        '{"text": "\ue000北京\ue000"}'.encode(),
        '{"text": "北京\u2028大学\x85"}'.encode(),
        '{"text": "北京\\n大学"}'.encode(),
        b'{"text": "a\x7fb"}',
        b'{"text": "a\x1fb"}',
        b'{"text": 1e400}',
        b'{"text": 123456789012345678901234567890}',
        b'{"text": -9223372036854775809}',
        b'{"text": ' + b"9" * 5000 + b"}",
        b'{"text": "x", "text": "\xe5\x8c\x97\xe4\xba\xac"}',
        b'{"text": 1, "text": "x"}',
        b'{"te\\u0078t": "x"}',
        b'\xef\xbb\xbf{"text": "x"}',
        b'{"text": NaN}',
        b'{"text": "x"} ',
        b' \n{"text": "x"}\t',
        b'{"text": "x"}{}',
        b'{"text": "\xff"}',
        b'{"text": null}',
        b'{"text": "x", "hmm": true}',
        b'{"texts": ["x", 1e400]}',
        b'{"texts": [123456789012345678901234567890]}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        b"",
    ],
)
def test_the_hot_path_answers_odd_bodies_as_the_general_path(service, raw):
    assert hot(service, raw) == general(service, raw)


valid_text = mixed_text.filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))


@settings(max_examples=300, deadline=None)
@given(text=valid_text)
def test_a_plain_text_gets_the_words_of_lcut(service, text):
    raw = json.dumps({"text": text}, ensure_ascii=False).encode()
    answer = json.loads(hot(service, raw))
    tok = service.catalog.tokenizer(service.catalog.default)
    assert answer == {"words": tok.lcut(text), "setting": service.catalog.default.label}


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        st.one_of(valid_text, st.sampled_from(["", " ", "\u3000", "\u2028", "\x85"])), max_size=6
    ),
    ascii_only=st.booleans(),
)
def test_a_batch_answers_as_the_general_path_and_as_lcut(service, texts, ascii_only):
    # a plain batch is cut from the body's bytes as lines of one block: the
    # same words as each text alone, empty texts and line-like characters
    # included; escaped bodies (ascii_only) go the general way
    raw = spell({"texts": texts}, ascii_only)
    answer = hot(service, raw)
    assert answer == general(service, raw)
    if texts:
        tok = service.catalog.tokenizer(service.catalog.default)
        assert json.loads(answer)["results"] == [{"words": tok.lcut(t)} for t in texts]


def test_a_batch_over_the_limit_is_refused_as_by_the_general_path(service):
    n = service.limits.max_batch
    for k in (n, n + 1):
        raw = json.dumps({"texts": ["北京"] * k}, ensure_ascii=False).encode()
        assert hot(service, raw) == general(service, raw)
    assert hot(service, b'{"texts": []}') == general(service, b'{"texts": []}')
    assert hot(service, b'{"texts": ["a", 1]}') == general(service, b'{"texts": ["a", 1]}')


# -- the ASGI app, driven in this process -----------------------------------------


def call(
    app,
    method: str,
    path: str,
    body: bytes = b"",
    receive=None,
    root_path: str = "",
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
):
    """(status, headers, body) of one request to ASGI ``app``; ``headers``:
    more request headers than the Content-Length of a ``body``."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def one_body():
        return messages.pop() if messages else {"type": "http.disconnect"}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": query,
        "headers": ([(b"content-length", str(len(body)).encode())] if body else [])
        + (headers or []),
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }

    async def run():
        await app(scope, receive or one_body, send)

    asyncio.run(run())
    start, answer = sent
    return start["status"], dict(start["headers"]), answer["body"]


@pytest.fixture(scope="module")
def app():
    return create_app(ServeConfig(limits=Limits(timeout=0.3)))


def counted(app, status: int) -> int:
    metrics = call(app, "GET", "/metrics")[2].decode()
    m = re.search(
        rf'qieci_requests_total{{method="POST",route="/v1/cut",status="{status}"}} (\d+)', metrics
    )
    return int(m.group(1)) if m else 0


def test_the_hot_path_answers_and_counts(app):
    ok, bad = counted(app, 200), counted(app, 422)
    status, headers, body = call(app, "POST", "/v1/cut", '{"text": "我来到北京清华大学"}'.encode())
    assert status == 200
    assert headers == {
        b"content-length": str(len(body)).encode(),
        b"content-type": b"application/json",
    }
    assert json.loads(body) == {"words": ["我", "来到", "北京", "清华大学"], "setting": "jieba"}
    status, headers, body = call(app, "POST", "/v1/cut", b'{"text": 1}')
    assert status == 422 and json.loads(body)["error"]["field"] == "text"
    assert counted(app, 200) == ok + 1 and counted(app, 422) == bad + 1


def test_the_same_endpoint_behind_starlette_answers_the_same(app):
    # a root path sends the request through Starlette's routing to the
    # same endpoint; another method gets Starlette's 405, as JSON
    raw = '{"text": "我来到北京清华大学"}'.encode()
    assert call(app, "POST", "/v1/cut", raw, root_path="/x") == call(app, "POST", "/v1/cut", raw)
    status, _, body = call(app, "GET", "/v1/cut")
    assert status == 405 and json.loads(body)["error"]["code"] == "method_not_allowed"


def test_a_bug_on_the_hot_path_is_a_json_500_then_raised(app, caplog):
    endpoint = app.posts["/v1/cut"]
    job = endpoint.job
    failures = counted(app, 500)

    def broken(raw, blocking):
        raise RuntimeError("a bug")

    endpoint.job = broken
    sent: list[dict] = []
    try:

        async def receive():
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/v1/cut", "headers": []}
        with pytest.raises(RuntimeError, match="a bug"):
            asyncio.run(app(scope, receive, send))
    finally:
        endpoint.job = job
    assert sent[0]["status"] == 500
    assert json.loads(sent[1]["body"])["error"]["code"] == "internal_error"
    assert "internal error on POST /v1/cut" in caplog.text
    assert counted(app, 500) == failures + 1


def test_a_body_that_never_comes_is_a_408_by_the_deadline(app):
    async def never():
        await asyncio.sleep(60)

    started = time.monotonic()
    status, headers, body = call(app, "POST", "/v1/cut", receive=never)
    waited = time.monotonic() - started
    assert status == 408 and headers[b"connection"] == b"close"
    assert json.loads(body)["error"]["code"] == "body_timeout"
    assert 0.3 <= waited < 0.3 + 0.5  # the timeout, and at most a tick (and slack) more


def test_a_client_that_leaves_gets_an_empty_400(app):
    async def gone():
        return {"type": "http.disconnect"}

    assert call(app, "POST", "/v1/cut", receive=gone) == (400, {b"content-length": b"0"}, b"")
