"""Fixes from a user review of ``qieci serve``: a dictionary (-D) that does
not read is refused at start-up whatever the default engine, and a setting
that fails to load on a request is a 503, not a 500; a key given twice in a
body is a 422; a 405 says which method to use (with ``Allow``); ``--timeout
inf`` is refused; body errors say what is wrong in the client's terms."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qieci
from qieci.serve.app import Service, create_app
from qieci.serve.body import parse_json
from qieci.serve.child import free_port
from qieci.serve.config import Limits, ServeConfig
from qieci.serve.errors import ApiError
from qieci.serve.requests import cut_request
from serve.test_app import call

# -- -D whatever the engine; a setting that does not load -----------------------------


def refused(*args: str, wait: float = 60) -> tuple[int, str]:
    """(exit status, stderr) of a ``qieci serve ARGS`` that must exit before
    it listens; one that listens instead is stopped by SIGTERM (so that
    uvicorn's supervisor stops its workers too) and the test fails."""
    port = free_port()
    cmd = [sys.executable, "-m", "qieci", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    while proc.poll() is None:
        with socket.socket() as sock:
            listening = sock.connect_ex(("127.0.0.1", port)) == 0
        if listening or time.monotonic() - started > wait:
            proc.terminate()
            err = proc.communicate(timeout=30)[1]
            pytest.fail(f"qieci serve {' '.join(args)} started (listening: {listening}):\n{err}")
        time.sleep(0.05)
    return proc.returncode, proc.communicate()[1]


@pytest.fixture
def dictionaries(tmp_path):
    """A dictionary path that does not exist and a malformed one."""
    bad = tmp_path / "bad.txt"
    bad.write_text("北京 many n\n", encoding="utf-8")
    return {"missing": str(tmp_path / "x" / "missing.txt"), "malformed": str(bad)}


@pytest.mark.parametrize(
    ("args", "which"),
    [
        (["--standard", "pku"], "missing"),
        (["--engine", "learned"], "malformed"),
        (["--engine", "chars"], "missing"),
        (["--engine", "chars", "--workers", "2"], "malformed"),
        (["--standard", "pku", "--workers", "2"], "missing"),
    ],
)
def test_a_dictionary_that_does_not_read_is_refused_at_start_whatever_the_engine(
    dictionaries, args, which
):
    path = dictionaries[which]
    status, jieba = refused("--engine", "jieba", "-D", path)  # refused before the fix too
    assert status == 2 and path in jieba, jieba
    status, err = refused(*args, "-D", path)
    assert status == 2, err
    assert err == jieba  # one line, the same message
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_setting_that_fails_to_load_on_a_request_is_a_503_naming_the_file(tmp_path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("石墨烯很 5 n\n", encoding="utf-8")
    app = create_app(ServeConfig(engine="chars", user_dicts=(str(userdict),)))
    userdict.unlink()  # the jieba setting, loaded on first use, cannot read it now
    requests = [
        ("/v1/cut", {"text": "我来到北京", "engine": "jieba"}),
        ("/v1/cut", {"text": "我来到北京", "engine": "jieba", "pos": True}),
        ("/v1/keywords", {"text": "我来到北京", "engine": "jieba"}),
        ("/v1/keywords", {"text": "我来到北京", "engine": "jieba", "method": "textrank"}),
    ]
    for path, body in requests:
        status, headers, answer = call(app, "POST", path, json.dumps(body).encode())
        assert status == 503, (path, body, answer)
        assert headers[b"content-type"] == b"application/json"
        error = json.loads(answer)["error"]
        assert str(userdict) in error["message"] and "jieba" in error["message"], error
    # the default setting still answers
    status, _, answer = call(app, "POST", "/v1/cut", '{"text": "北京"}'.encode())
    assert status == 200 and json.loads(answer)["words"] == ["北", "京"]


# -- a key given twice -----------------------------------------------------------------

DUPLICATES = [
    ("/v1/cut", '{"text": "我来到北京", "text": "清华大学"}', "text"),
    ("/v1/cut", '{"text":"我来到北京","text":"清华大学"}', "text"),
    ("/v1/cut", '{"text" : "我来到北京" ,\n "text" :"清华大学"}', "text"),
    ("/v1/cut", '{"text": "我来到北京", "te\\u0078t": "清华大学"}', "text"),
    ("/v1/cut", '{"\\u0074ext": "我来到北京", "text": "清华大学"}', "text"),
    ("/v1/cut", '{"texts": ["我来到北京"], "texts": ["清华大学"]}', "texts"),
    ("/v1/cut", '{"text": "a\\nb", "mode": "default", "mode": "full"}', "mode"),
    ("/v1/cut", '{"text": "\\u6211", "hmm": true, "hmm": false}', "hmm"),
    ("/v1/keywords", '{"text": "我来到北京", "text": "清华大学"}', "text"),
    ("/v1/keywords", '{"text": "我来到北京", "top_k": 5, "top_k": 6}', "top_k"),
]


@pytest.fixture(scope="module")
def app():
    return create_app(ServeConfig())


@pytest.mark.parametrize(("path", "body", "field"), DUPLICATES)
def test_a_key_given_twice_is_a_422_naming_it(app, path, body, field):
    status, _, answer = call(app, "POST", path, body.encode())
    assert status == 422, answer
    error = json.loads(answer)["error"]
    assert error["field"] == field
    assert repr(field) in error["message"] and "twice" in error["message"], error


def test_values_that_spell_a_key_are_not_a_second_key_but_a_second_key_is(app):
    # each body below has every key once, though a value spells a key
    once = [
        {"text": "text"},
        {"text": '"text": 1'},
        {"texts": ["text", ":mode"], "mode": "default"},
    ]
    for body in once:
        status, _, answer = call(app, "POST", "/v1/cut", json.dumps(body).encode())
        assert status == 200, (body, answer)
        words = json.loads(answer)
        expected = [qieci.lcut(t) for t in body.get("texts", [body.get("text")])]
        got = [r["words"] for r in words["results"]] if "texts" in body else [words["words"]]
        assert got == expected
    # and the same bodies with a key given again are refused
    for body in once:
        raw = json.dumps(body)[:-1] + ', "mode": "search"}'
        if "mode" not in body:
            raw = raw[:-1] + ', "mode": "full"}'
        status, _, answer = call(app, "POST", "/v1/cut", raw.encode())
        assert status == 422 and json.loads(answer)["error"]["field"] == "mode", (raw, answer)


@pytest.fixture(scope="module")
def service():
    return Service(ServeConfig())


def error_of(job, raw: bytes) -> tuple | None:
    try:
        job(raw)
    except ApiError as exc:
        return (exc.status, exc.code, exc.field)
    return None


FIELD_VALUES = {
    "text": st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    "mode": st.sampled_from(["default", "search", "full"]),
    "hmm": st.booleans(),
    "engine": st.sampled_from(["jieba", "chars"]),
}


def spelt(key: str, escape: list[bool]) -> str:
    """``key`` as a JSON string, each character escaped where ``escape`` says."""
    return '"' + "".join(f"\\u{ord(c):04x}" if e else c for c, e in zip(key, escape)) + '"'


@settings(max_examples=200, deadline=None)
@given(
    body=st.fixed_dictionaries(
        {"text": FIELD_VALUES["text"]},
        optional={k: v for k, v in FIELD_VALUES.items() if k != "text"},
    ),
    data=st.data(),
    ascii_only=st.booleans(),
    space=st.sampled_from(["", " ", "\n "]),
)
def test_the_hot_path_refuses_a_key_given_twice_as_the_general_path(
    service, body, data, ascii_only, space
):
    again = data.draw(st.sampled_from(sorted(body)))
    escape = data.draw(st.lists(st.booleans(), min_size=len(again), max_size=len(again)))
    value = data.draw(FIELD_VALUES[again])
    members = [
        f"{json.dumps(k)}{space}:{json.dumps(v, ensure_ascii=ascii_only)}" for k, v in body.items()
    ]
    members.insert(
        data.draw(st.integers(0, len(members))),
        f"{spelt(again, escape)}{space}:{json.dumps(value, ensure_ascii=ascii_only)}",
    )
    raw = ("{" + ",".join(members) + "}").encode()
    hot = error_of(lambda r: service.cut(r, True), raw)
    general = error_of(lambda r: cut_request(parse_json(r), 1000), raw)
    assert hot == general == (422, "duplicate_field", again), raw


# -- 405 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed", "use"),
    [
        ("GET", "/v1/cut", {"POST"}, "use POST with a JSON body"),
        ("PUT", "/v1/keywords", {"POST"}, "use POST with a JSON body"),
        ("POST", "/healthz", {"GET", "HEAD"}, "use GET"),
        ("DELETE", "/v1/standards", {"GET", "HEAD"}, "use GET"),
    ],
)
def test_a_405_has_allow_and_says_which_method_to_use(app, method, path, allowed, use):
    status, headers, answer = call(app, method, path)
    assert status == 405
    assert {m.strip() for m in headers[b"allow"].decode().split(",")} == allowed
    message = json.loads(answer)["error"]["message"]
    assert message.startswith(f"{method} is not allowed on {path}") and use in message, message


def test_a_405_over_http_has_allow(client):
    r = client.get("/v1/cut")
    assert r.status_code == 405 and r.headers["allow"] == "POST", r.headers
    assert "POST" in r.json()["error"]["message"]


# -- --timeout -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "Infinity", "+inf"])
def test_a_timeout_that_is_not_finite_is_refused(value):
    status, err = refused("--timeout", value)
    assert status == 2, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("qieci serve: error: argument --timeout: ") and "finite" in last, last
    with pytest.raises(ValueError, match="finite"):
        Limits(timeout=float(value))


# -- body errors in the client's terms -------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/cut", "/v1/keywords"])
def test_a_body_with_a_byte_order_mark_is_told_so(app, path):
    status, _, answer = call(app, "POST", path, b'\xef\xbb\xbf{"text": "a"}')
    assert status == 400
    message = json.loads(answer)["error"]["message"]
    assert "byte-order mark" in message and "without it" in message, message
    assert "utf-8-sig" not in message


@pytest.mark.parametrize("path", ["/v1/cut", "/v1/keywords"])
def test_an_integer_too_long_to_read_is_told_so(app, path):
    status, _, answer = call(app, "POST", path, b'{"text": "a", "top_k": ' + b"7" * 5000 + b"}")
    assert status == 400
    message = json.loads(answer)["error"]["message"]
    assert "5000 digits" in message and "sys." not in message, message


def test_a_compressed_body_is_a_415(client):
    body = gzip.compress(json.dumps({"text": "我来到北京"}).encode())
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    for path in ("/v1/cut", "/v1/keywords"):
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 415, r.text
        message = r.json()["error"]["message"]
        assert "gzip" in message and "uncompressed" in message and "UTF-8" not in message
    # identity is no compression
    r = client.post(
        "/v1/cut", json={"text": "我来到北京"}, headers={"Content-Encoding": "identity"}
    )
    assert r.status_code == 200 and r.json()["words"] == qieci.lcut("我来到北京")


@pytest.mark.parametrize(("value", "spelt_as"), [("5.0", "5.0"), ("5.5", "5.5"), ("5e0", "5.0")])
def test_a_whole_number_with_a_point_is_named_by_its_value(app, value, spelt_as):
    raw = f'{{"text": "我来到北京", "top_k": {value}}}'.encode()
    status, _, answer = call(app, "POST", "/v1/keywords", raw)
    assert status == 422
    error = json.loads(answer)["error"]
    assert error["field"] == "top_k" and f"got {spelt_as}" in error["message"], error


def test_a_whole_number_with_a_point_says_what_to_send(app):
    status, _, answer = call(app, "POST", "/v1/keywords", b'{"text": "a", "top_k": 5.0}')
    assert status == 422 and "send 5" in json.loads(answer)["error"]["message"]


# -- query parameters ------------------------------------------------------------------


def test_query_parameters_on_a_post_are_refused_not_ignored(client):
    """?standard=pku was dropped without a word (the jieba setting answered)."""
    for path, body in (
        ("/v1/cut", {"text": "我来到北京"}),
        ("/v1/keywords", {"text": "我来到北京"}),
    ):
        r = client.post(f"{path}?standard=pku&engine=learned", json=body)
        assert r.status_code == 400, r.text
        error = r.json()["error"]
        assert error["code"] == "query_not_read" and "fields of the JSON body" in error["message"]
        # the connection is still good, and the same request without a query answers
        assert client.post(path, json=body).status_code == 200
    r = client.post("/v1/cut", json={"text": "我来到北京清华大学"})
    assert r.json()["words"] == qieci.lcut("我来到北京清华大学")


def test_a_form_encoded_body_is_named_as_such():
    for raw in (b"text=%E6%88%91%E6%9D%A5%E5%88%B0", b"  standard=pku&text=abc"):
        with pytest.raises(ApiError) as caught:
            parse_json(raw)
        assert caught.value.status == 400 and "looks form-encoded" in caught.value.message
        assert "Content-Type: application/json" in caught.value.message
    with pytest.raises(ApiError) as caught:
        parse_json(b'{"text": ')  # broken JSON, not a form
    assert "form-encoded" not in caught.value.message
