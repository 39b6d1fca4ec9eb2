"""The API's contract as the OpenAPI document states it, against what the
service answers (the ASGI app driven in this process): ``null`` means "not
given" for every field of every body, and the schema says so; every status
the service answers on a route is declared for it, with its limits; a
query string is refused on every route of the API (400), and ignored by
the demo page."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from qieci.serve.app import create_app
from qieci.serve.config import Limits, ServeConfig
from qieci.serve.requests import CUT_FIELDS, KEYWORDS_FIELDS
from serve.test_app import call
from serve.test_hostile import MAX_BODY, SEED, generate

# -- a JSON Schema checker for the keywords the request bodies use ----------------

_TYPES: dict[str, Any] = {
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "array": lambda v: type(v) is list,
    "object": lambda v: type(v) is dict,
    "null": lambda v: v is None,
}
_NOTES = {"description", "default"}


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value`` is valid under ``schema`` (JSON Schema 2020-12);
    a keyword this checker does not know fails the test, so that a schema
    it cannot read is never taken as valid."""
    for key, rule in schema.items():
        if key in _NOTES:
            continue
        if key == "type":
            kinds = [rule] if isinstance(rule, str) else rule
            ok = any(_TYPES[k](value) for k in kinds)
        elif key == "enum":
            ok = any(type(value) is type(x) and value == x for x in rule)
        elif key == "minimum":
            ok = not _TYPES["number"](value) or value >= rule
        elif key == "maximum":
            ok = not _TYPES["number"](value) or value <= rule
        elif key == "maxItems":
            ok = type(value) is not list or len(value) <= rule
        elif key == "items":
            ok = type(value) is not list or all(conforms(v, rule) for v in value)
        elif key == "required":
            ok = type(value) is not dict or all(k in value for k in rule)
        elif key == "properties":
            ok = type(value) is not dict or all(
                conforms(value[k], sub) for k, sub in rule.items() if k in value
            )
        elif key == "additionalProperties":
            assert rule is False, rule
            ok = type(value) is not dict or set(value) <= set(schema.get("properties", {}))
        elif key == "oneOf":
            ok = sum(conforms(value, sub) for sub in rule) == 1
        else:
            raise AssertionError(f"the checker does not know the keyword {key!r}")
        if not ok:
            return False
    return True


def test_the_checker_refuses_what_it_must():
    schema = {"type": ["string", "null"], "enum": ["a", None]}
    assert conforms("a", schema) and conforms(None, schema)
    assert not conforms("b", schema) and not conforms(1, schema)
    assert not conforms(True, {"type": "integer"}) and not conforms([1], {"maxItems": 0})
    assert not conforms({"x": 1}, {"properties": {}, "additionalProperties": False})
    with pytest.raises(AssertionError, match="pattern"):
        conforms("a", {"pattern": "a"})


@pytest.fixture(scope="module")
def app():
    return create_app(ServeConfig(limits=Limits(max_body=MAX_BODY, max_batch=50)))


def post(app, path: str, body: Any) -> tuple[int, Any]:
    status, _, answer = call(app, "POST", path, json.dumps(body, ensure_ascii=False).encode())
    return status, json.loads(answer)


def openapi(app) -> dict[str, Any]:
    status, _, answer = call(app, "GET", "/openapi.json")
    assert status == 200
    return json.loads(answer)


# -- null ----------------------------------------------------------------------

BASES = {
    "/v1/cut": (
        [{"text": "我来到北京清华大学"}, {"texts": ["我来到北京", "清华大学"], "standard": "pku"}],
        CUT_FIELDS,
        "Cut",
    ),
    "/v1/keywords": (
        [
            {"text": "小明硕士毕业于中国科学院计算所"},
            {"text": "小明硕士毕业于中国科学院计算所", "method": "textrank", "top_k": 2},
        ],
        KEYWORDS_FIELDS,
        "Keywords",
    ),
}
NULL_CASES = [
    (path, base, f.name)
    for path, (bases, fields, _) in BASES.items()
    for base in bases
    for f in fields
]


@pytest.mark.parametrize(("path", "base", "name"), NULL_CASES)
def test_a_field_given_as_null_is_a_field_not_given(app, path, base, name):
    with_null = {**base, name: None}
    without = {k: v for k, v in base.items() if k != name}
    got, want = post(app, path, with_null), post(app, path, without)
    assert got[0] == want[0], (with_null, got, want)
    if got[0] == 200:
        assert got[1] == want[1]
    else:
        assert (got[1]["error"]["code"], got[1]["error"].get("field")) == (
            want[1]["error"]["code"],
            want[1]["error"].get("field"),
        ), (got, want)


def test_a_required_field_given_as_null_is_missing_and_named(app):
    # it was "text: expected a string, got null" on /v1/keywords, and on
    # /v1/cut a "give exactly one of" that did not say null counts as absent
    status, answer = post(app, "/v1/keywords", {"text": None, "top_k": 3})
    assert status == 422
    error = answer["error"]
    assert error["code"] == "missing_field" and error["field"] == "text", error
    assert "null counts as not given" in error["message"] and "a string" in error["message"]
    status, answer = post(app, "/v1/cut", {"text": None})
    assert status == 422 and "text given as null" in answer["error"]["message"], answer


@pytest.mark.parametrize(("path", "base", "name"), NULL_CASES)
def test_the_schema_takes_a_null_exactly_where_the_server_does(app, path, base, name):
    schema = openapi(app)["components"]["schemas"][BASES[path][2]]
    assert conforms(base, schema), base
    body = {**base, name: None}
    status, answer = post(app, path, body)
    assert conforms(body, schema) == (status == 200), (body, status, answer)


def test_the_schema_states_the_rule_of_null(app):
    schemas = openapi(app)["components"]["schemas"]
    for name in ("Cut", "Keywords"):
        assert "null is a field not given" in schemas[name]["description"]
        for field, spec in schemas[name]["properties"].items():
            required = field in schemas[name].get("required", ())
            assert ("null" in spec["type"]) != required, (name, field, spec)


# -- every status answered is declared ------------------------------------------


def declared(doc: dict[str, Any], method: str, path: str) -> set[str] | None:
    """The statuses the document declares for ``method`` on ``path`` (HEAD:
    GET's), or for a method the path has no operation for, those that every
    operation of the path declares for it (405); None: no such path."""
    if path not in doc["paths"]:
        return None
    operations = doc["paths"][path]
    op = operations.get("get" if method == "HEAD" else method.lower())
    if op is not None:
        return set(op["responses"])
    return set.intersection(*(set(o["responses"]) for o in operations.values())) & {"405"}


async def _never():
    await asyncio.sleep(60)


def requests_of(rng: random.Random) -> list[dict[str, Any]]:
    """Bad requests of every kind (and some good ones): the hostile suite's
    bodies, paths and methods, and what it cannot send in this process."""
    out = [{"method": c.method, "path": c.path, "body": c.body or b""} for c in generate(rng)]
    paths = ["/v1/cut", "/v1/keywords", "/v1/standards", "/healthz", "/metrics", "/openapi.json"]
    good = json.dumps({"text": "我来到北京"}, ensure_ascii=False).encode()
    for path in paths:
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            body = good if method == "POST" else b""
            out.append({"method": method, "path": path, "body": body})
            out.append({"method": method, "path": path, "body": body, "query": b"x=1&engine=chars"})
            out.append({"method": method, "path": path, "body": body, "query": b"&"})
    for path in ("/v1/cut", "/v1/keywords"):
        for coding in (b"gzip", b"br", b"deflate"):
            out.append(
                {
                    "method": "POST",
                    "path": path,
                    "body": good,
                    "headers": [(b"content-encoding", coding)],
                }
            )
        out.append(
            {"method": "POST", "path": path, "body": b'{"text": "' + b"a" * MAX_BODY + b'"}'}
        )
        # (no body: the header given is the request's only Content-Length)
        out.append(
            {"method": "POST", "path": path, "body": b"", "headers": [(b"content-length", b"12a")]}
        )
        out.append(
            {"method": "POST", "path": path, "body": json.dumps({"text": "北京" * 5000}).encode()}
        )
    out.append(
        {"method": "POST", "path": "/v1/cut", "body": json.dumps({"texts": ["北京"] * 50}).encode()}
    )
    out.append(
        {"method": "POST", "path": "/v1/cut", "body": json.dumps({"texts": ["北京"] * 51}).encode()}
    )
    return out


def answers(app, requests: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    return [
        (
            r,
            call(
                app,
                r["method"],
                r["path"],
                r["body"],
                receive=r.get("receive"),
                query=r.get("query", b""),
                headers=r.get("headers"),
            )[0],
        )
        for r in requests
    ]


def test_every_status_the_server_answers_is_declared_for_its_route(app, tmp_path):
    seen: dict[str, set[int]] = {}

    def check(target, results) -> None:
        doc = openapi(target)
        for r, status in results:
            statuses = declared(doc, r["method"], r["path"])
            if statuses is None:
                assert status in (404, 405), (r["method"], r["path"], status)
                continue
            seen.setdefault(r["path"], set()).add(status)
            assert str(status) in statuses, (r["method"], r["path"], r.get("query"), status)

    check(app, answers(app, requests_of(random.Random(SEED))))
    # a body that never comes (408), work past the deadline (504): a server
    # whose timeout passes before any work can end
    hasty = create_app(ServeConfig(limits=Limits(timeout=1e-6)))
    big = json.dumps({"text": "我来到北京清华大学" * 2000}, ensure_ascii=False).encode()
    late = [{"method": "POST", "path": p, "body": b"", "receive": _never} for p in BASES]
    late += [{"method": "POST", "path": p, "body": big} for p in BASES]
    late += [{"method": "GET", "path": "/v1/standards", "body": b""}]
    check(hasty, answers(hasty, late))
    # a setting that cannot load (503)
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("石墨烯很 5 n\n", encoding="utf-8")
    broken = create_app(ServeConfig(engine="chars", user_dicts=(str(userdict),)))
    userdict.unlink()
    body = json.dumps({"text": "北京", "engine": "jieba"}).encode()
    check(broken, answers(broken, [{"method": "POST", "path": p, "body": body} for p in BASES]))
    # the cases reached every status they are there for
    for path in BASES:
        assert seen[path] >= {200, 400, 405, 408, 413, 415, 422, 503, 504}, (path, seen[path])
    assert seen["/v1/standards"] >= {200, 400, 405, 504}, seen["/v1/standards"]
    assert seen["/healthz"] >= {200, 400, 405}, seen["/healthz"]


def test_the_schema_states_the_server_s_limits():
    for max_batch, max_body in ((7, 4096), (1000, 8 * 1024 * 1024)):
        app = create_app(ServeConfig(limits=Limits(max_batch=max_batch, max_body=max_body)))
        doc = openapi(app)
        texts = doc["components"]["schemas"]["Cut"]["properties"]["texts"]
        assert texts["maxItems"] == max_batch
        assert conforms({"texts": ["北京"] * max_batch}, doc["components"]["schemas"]["Cut"])
        assert not conforms(
            {"texts": ["北京"] * (max_batch + 1)}, doc["components"]["schemas"]["Cut"]
        )
        assert post(app, "/v1/cut", {"texts": ["北京"] * max_batch})[0] == 200
        assert post(app, "/v1/cut", {"texts": ["北京"] * (max_batch + 1)})[0] == 413
        for path in BASES:
            op = doc["paths"][path]["post"]
            assert f"at most {max_body} bytes" in op["requestBody"]["description"]
            status, _, _ = call(app, "POST", path, b'{"text": "' + b"a" * max_body + b'"}')
            assert status == 413 and "413" in op["responses"]


# -- query strings ----------------------------------------------------------------

GET_ROUTES = ("/v1/standards", "/healthz", "/metrics", "/openapi.json")


@pytest.mark.parametrize("path", GET_ROUTES)
def test_a_query_string_on_a_get_route_of_the_api_is_a_400_naming_it(app, path):
    assert call(app, "GET", path)[0] == 200
    status, headers, answer = call(app, "GET", path, query=b"foo=1&standard=pku")
    assert status == 400 and headers[b"content-type"] == b"application/json", answer
    error = json.loads(answer)["error"]
    assert error["code"] == "query_not_read" and error["field"] == "query", error
    assert "'foo'" in error["message"] and "'standard'" in error["message"], error
    assert f"GET {path}" in error["message"] and "without the query string" in error["message"]
    status, _, answer = call(app, "GET", path, query=b"&")  # no parameter, still a query
    assert status == 400 and "'&'" in json.loads(answer)["error"]["message"]


@pytest.mark.parametrize("path", ["/v1/cut", "/v1/keywords"])
def test_a_query_string_on_a_post_is_the_same_400(app, path):
    status, _, answer = call(app, "POST", path, b'{"text": "a"}', query=b"standard=pku")
    assert status == 400, answer
    error = json.loads(answer)["error"]
    assert error["code"] == "query_not_read" and "'standard'" in error["message"], error
    assert "fields of the JSON body" in error["message"]


def test_the_demo_page_ignores_a_query_string(app):
    for path in ("/", "/static/app.js"):
        plain = call(app, "GET", path)
        assert plain[0] == 200
        assert call(app, "GET", path, query=b"utm_source=x") == plain


def test_a_query_string_over_http_is_a_400(client):
    r = client.get("/v1/standards?foo=1")
    assert r.status_code == 400 and "'foo'" in r.json()["error"]["message"], r.text
    assert client.get("/v1/standards").status_code == 200  # the connection still serves
