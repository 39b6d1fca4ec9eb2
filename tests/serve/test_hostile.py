"""Bar 3: a generated suite of more than 1,000 malformed or hostile requests
(bad JSON, invalid UTF-8, wrong types and values, deep nesting, oversized
bodies, 10k-item batches, wrong paths and methods, slow clients) gets only
4xx answers with a JSON error of the expected code, while /healthz keeps
answering and the server's resident memory stays bounded.

Each case states the code it must get, by construction (a truncated JSON
object is never JSON, a 0xff byte is never UTF-8, ...)."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import httpx
import pytest

from qieci.serve.child import ServerProcess
from serve.support import rss_kib

MAX_BODY = 256 * 1024
TIMEOUT = 1.5
SEED = 20261201


@dataclass
class Case:
    name: str
    body: bytes | None = None
    codes: frozenset[str] = frozenset()
    method: str = "POST"
    path: str = "/v1/cut"
    at: str | None = None  # the field the error must name
    chunked: bool = False
    needle: str | None = None  # a text the message must contain
    statuses: frozenset[int] = dataclass_field(default_factory=frozenset)


def j(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def case(name, body, *codes, **kw) -> Case:
    return Case(name, body if isinstance(body, bytes) else j(body), frozenset(codes), **kw)


VALID = [
    {"text": "我来到北京清华大学"},
    {"texts": ["他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所"], "standard": "pku"},
    {"text": "永和服装饰品有限公司", "mode": "search", "offsets": True},
]
WRONG = {  # JSON values of each type but one
    "string": [1, 1.5, True, False, [], ["a"], {}, {"a": "b"}, 10**30, -0.0],
    "boolean": [0, 1, "true", "false", [], {}, 1.5, "yes"],
    "list": ["a", 1, True, {}, 1.5, {"0": "a"}],
    "integer": [1.5, "3", True, [], {}, None],
}
CUT_TYPES = {
    "text": "string",
    "engine": "string",
    "standard": "string",
    "mode": "string",
    "hmm": "boolean",
    "offsets": "boolean",
    "pos": "boolean",
}


def generate(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    # -- not JSON ------------------------------------------------------------
    for value in VALID:
        raw = json.dumps(value).encode("ascii")  # \u escapes: ASCII only
        for cut_at in range(1, len(raw)):
            cases.append(case(f"truncated at {cut_at}", raw[:cut_at], "invalid_json"))
        cases.append(case("trailing garbage", raw + b" x", "invalid_json"))
        cases.append(case("two documents", raw + raw, "invalid_json"))
    for i in range(60):
        junk = "x" + "".join(rng.choice("{}[]:,\"'ab1 \\") for _ in range(rng.randint(0, 60)))
        cases.append(case(f"junk {i}", junk.encode(), "invalid_json"))
    for const in (b"NaN", b"Infinity", b"-Infinity"):
        cases.append(case(f"{const!r}", b'{"text": "a", "hmm": ' + const + b"}", "invalid_json"))
    cases.append(case("empty body", b"", "invalid_json"))
    cases.append(case("blank body", b" \n\t ", "invalid_json"))
    cases.append(case("huge integer", b'{"text": ' + b"9" * 5000 + b"}", "invalid_json"))
    # -- not UTF-8 -------------------------------------------------------------
    bad_bytes = [b"\xff", b"\xfe", b"\xc0\x80", b"\x80", b"\xed\xa0\x80", b"\xe5\xad", b"\xf8\x88"]
    for i in range(150):
        text = "".join(rng.choice("abc 北京大学，。") for _ in range(rng.randint(1, 30)))
        raw = j({"text": text})
        at = rng.randint(10, len(raw) - 2)  # inside the string value
        while 0x80 <= raw[at] < 0xC0:  # not inside a character
            at -= 1
        bad = rng.choice(bad_bytes)
        cases.append(
            case(
                f"invalid UTF-8 {i}",
                raw[:at] + bad + raw[at:],
                "invalid_utf8",
                needle=f"offset {at}",
            )
        )
    cases.append(case("UTF-16", '{"text": "北京"}'.encode("utf-16"), "invalid_utf8"))
    cases.append(case("GBK", '{"text": "北京"}'.encode("gbk"), "invalid_utf8"))
    # -- not an object, wrong fields -------------------------------------------------
    for value in ([], [1], "text", 3, 1.5, True, None, [{"text": "a"}]):
        cases.append(case(f"top-level {value!r}", value, "invalid_body"))
    for name, kind in CUT_TYPES.items():
        for value in WRONG[kind]:
            base = {} if name == "text" else {"text": "北京"}
            cases.append(case(f"{name}={value!r}", {**base, name: value}, "invalid_field", at=name))
    for value in WRONG["list"]:
        cases.append(case(f"texts={value!r}", {"texts": value}, "invalid_field", at="texts"))
    for i in range(60):
        texts: list = ["北京"] * rng.randint(1, 50)
        at = rng.randrange(len(texts))
        texts[at] = rng.choice([1, None, True, [], ["a"], {}, 2.5])
        cases.append(case(f"texts item {i}", {"texts": texts}, "invalid_field", at=f"texts[{at}]"))
    for i in range(40):
        name = "".join(rng.choice("abcdefgh_") for _ in range(rng.randint(1, 12)))
        if name in CUT_TYPES or name == "texts":
            continue
        cases.append(case(f"unknown field {name}", {"text": "a", name: 1}, "unknown_field"))
    cases.append(case("no text", {"mode": "search"}, "invalid_body"))
    cases.append(case("text and texts", {"text": "a", "texts": ["b"]}, "invalid_body"))
    cases.append(case("null text, no texts", {"text": None}, "invalid_body"))
    # -- values not offered ----------------------------------------------------------
    for i in range(40):
        name = "".join(rng.choice("abcxyz") for _ in range(rng.randint(1, 10)))
        cases.append(case(f"engine {name}", {"text": "a", "engine": name}, "unknown_engine"))
        cases.append(case(f"standard {name}", {"text": "a", "standard": name}, "unknown_standard"))
        cases.append(case(f"mode {name}", {"text": "a", "mode": name}, "invalid_field", at="mode"))
    cases.append(
        case(
            "standard on jieba",
            {"text": "a", "engine": "jieba", "standard": "pku"},
            "invalid_field",
        )
    )
    for flag in ("offsets", "pos"):
        cases.append(
            case(f"full + {flag}", {"text": "a", "mode": "full", flag: True}, "invalid_field")
        )
    for standard in ("pku", "msr", None):
        body = {"text": "北京", "engine": "learned", "pos": True}
        if standard:
            body["standard"] = standard
        cases.append(case(f"pos on learned {standard}", body, "unsupported", at="pos"))
    for i in range(40):
        cp = rng.randint(0xD800, 0xDFFF)
        text = "北京" * rng.randint(0, 5) + f"\\u{cp:04x}" + "大学"
        raw = b'{"text": "' + text.encode() + b'"}'
        cases.append(
            case(f"lone surrogate {i}", raw, "invalid_field", at="text", needle=f"U+{cp:04X}")
        )
    # -- deep JSON ---------------------------------------------------------------------
    for depth in (50, 500, 990, 1500, 5000, 20000, 100000):
        cases.append(
            case(f"deep list {depth}", b"[" * depth + b"]" * depth, "invalid_body", "invalid_json")
        )
        cases.append(case(f"deep unclosed {depth}", b"[" * depth, "invalid_json"))
        cases.append(
            case(
                f"deep in text {depth}",
                b'{"text": ' + b"[" * depth + b"]" * depth + b"}",
                "invalid_field",
                "invalid_json",
            )
        )
        cases.append(
            case(
                f"deep objects {depth}",
                b'{"a":' * min(depth, 40000) + b"1" + b"}" * min(depth, 40000),  # < MAX_BODY
                "unknown_field",
                "invalid_json",
            )
        )
    # -- oversized bodies and batches -------------------------------------------------------
    for size in (MAX_BODY + 1, 2 * MAX_BODY, 4 * MAX_BODY):
        body = j({"text": "a" * size})
        cases.append(case(f"body {size}", body, "body_too_large", statuses=frozenset({413})))
        cases.append(case(f"chunked body {size}", body, "body_too_large", chunked=True))
    for n in (1001, 5000, 10000, 10000, 20000):
        texts = ["北" if n < 20000 else "a"] * n
        cases.append(case(f"batch of {n}", {"texts": texts}, "batch_too_large", at="texts"))
    cases.append(
        case("batch of 10k short texts", {"texts": ["今天天气不错"] * 10000}, "batch_too_large")
    )
    # -- keywords -------------------------------------------------------------------------------
    for value in WRONG["integer"][:-1] + [-1, 10001, 10**40]:
        cases.append(
            case(
                f"top_k={value!r}",
                {"text": "北京", "top_k": value},
                "invalid_field",
                path="/v1/keywords",
                at="top_k",
            )
        )
    for value in WRONG["string"] + [None]:
        cases.append(
            case(
                f"keywords text={value!r}",
                {"text": value},
                "invalid_field",
                "missing_field",
                path="/v1/keywords",
            )
        )
    cases.append(
        case("keywords without text", {"method": "tfidf"}, "missing_field", path="/v1/keywords")
    )
    cases.append(
        case(
            "keywords method", {"text": "a", "method": "lda"}, "invalid_field", path="/v1/keywords"
        )
    )
    cases.append(
        case(
            "keywords allow_pos",
            {"text": "a", "allow_pos": "n"},
            "invalid_field",
            path="/v1/keywords",
        )
    )
    cases.append(
        case(
            "textrank on learned",
            {"text": "北京大学", "method": "textrank", "standard": "pku"},
            "unsupported",
            path="/v1/keywords",
        )
    )
    # -- paths and methods ---------------------------------------------------------------------------
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        for path in ("/v1/cut", "/v1/keywords"):
            cases.append(
                Case(f"{method} {path}", None, frozenset({"method_not_allowed"}), method, path)
            )
    for path in ("/healthz", "/metrics", "/v1/standards", "/openapi.json"):
        cases.append(Case(f"POST {path}", b"{}", frozenset({"method_not_allowed"}), "POST", path))
    for i in range(40):
        path = (
            "/"
            + rng.choice("abcv")
            + "".join(rng.choice("abcv1/._-") for _ in range(rng.randint(0, 40)))
        )
        if path in ("/", "/v1/cut", "/v1/keywords"):
            continue
        cases.append(
            Case(f"GET {path}", None, frozenset({"not_found", "method_not_allowed"}), "GET", path)
        )
    for path in (
        "/v1/cut/",
        "/V1/CUT",
        "/v1/cut%00",
        "/static/x.js",
        "/static/..%2fapp.py",
        "/" + "a" * 4000,
    ):
        cases.append(
            Case(
                f"POST {path[:30]}",
                b"{}",
                frozenset({"not_found", "method_not_allowed"}),
                "POST",
                path,
            )
        )
    return cases


def _raw_request(
    port: int, head: bytes, parts: list[tuple[float, bytes]], wait: float
) -> tuple[int, dict]:
    """Send ``head``, then each part after its delay; the status and JSON
    body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(head)
        for delay, data in parts:
            time.sleep(delay)
            try:
                sock.sendall(data)
            except OSError:
                break  # the server answered and closed: read its answer
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            chunks.append(data)
            raw = b"".join(chunks)
            if b"\r\n\r\n" in raw:
                header, _, body = raw.partition(b"\r\n\r\n")
                lengths = [
                    h for h in header.split(b"\r\n") if h.lower().startswith(b"content-length:")
                ]
                if lengths and len(body) >= int(lengths[0].split(b":")[1]):
                    break
    header, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(header.split(b" ")[1])
    return status, json.loads(body)


def slow_clients(port: int) -> list[tuple[str, float, bytes, list[tuple[float, bytes]]]]:
    """(name, wait, head, parts): clients that send their body too slowly."""
    body = j({"text": "我来到北京清华大学" * 3})
    head = (
        b"POST /v1/cut HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    out = []
    for i in range(4):  # part of the body, then nothing
        out.append((f"stalled body {i}", 10.0, head, [(0.0, body[: 5 + i])]))
    for i in range(4):  # a byte at a time, slower than the timeout allows
        out.append((f"trickled body {i}", 10.0, head, [(0.25, body[k : k + 1]) for k in range(12)]))
    lie = b"POST /v1/cut HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"
    out.append(("Content-Length beyond the limit", 10.0, lie, [(0.0, b'{"text": "a"}')]))
    return out


@pytest.fixture(scope="module", params=["4096", "0"], ids=["inline", "threads"])
def hostile_server(request):
    """Small bodies answered on the event loop (the default), or every
    request in the segmentation threads (--inline-bytes 0)."""
    args = ["--max-body", str(MAX_BODY), "--timeout", str(TIMEOUT), "--threads", "2"]
    args += ["--inline-bytes", request.param]
    with ServerProcess(args) as srv:
        yield srv
        out = srv.output()
    assert "Traceback" not in out and "internal error" not in out, out


def check_answer(c: Case, status: int, body: dict) -> None:
    assert 400 <= status < 500, (c.name, status, body)
    if c.statuses:
        assert status in c.statuses, (c.name, status)
    err = body["error"]
    assert err["code"] in c.codes, (c.name, err)
    assert isinstance(err["message"], str) and len(err["message"]) > 10, (c.name, err)
    if c.at is not None:
        assert err.get("field") == c.at, (c.name, err)
    if c.needle is not None:
        assert c.needle in err["message"], (c.name, err)


def test_hostile_requests_get_only_4xx_json(hostile_server):
    cases = generate(random.Random(SEED))
    port = hostile_server.port
    slow = slow_clients(port)
    assert len(cases) + len(slow) >= 1000, len(cases)
    health = httpx.Client(base_url=hostile_server.url, timeout=2)
    with httpx.Client(base_url=hostile_server.url, timeout=30) as client:
        # the settings the cases load (learned standards), then the baseline
        client.post("/v1/cut", json={"text": "北京", "standard": "pku"})
        client.post("/v1/cut", json={"text": "北京", "engine": "learned"})
        client.post("/v1/cut", json={"text": "北京", "standard": "msr"})
        client.post("/v1/keywords", json={"text": "北京"})
        baseline = rss_kib(hostile_server.pid)
        peak = baseline
        # slow clients run alongside everything else
        slow_results: dict[str, tuple[int, dict] | BaseException] = {}

        def run_slow(name, wait, head, parts):
            try:
                slow_results[name] = _raw_request(port, head, parts, wait)
            except BaseException as exc:  # reported below
                slow_results[name] = exc

        threads = [threading.Thread(target=run_slow, args=s) for s in slow]
        for t in threads:
            t.start()
        for i, c in enumerate(cases):
            content = (
                iter([c.body[k : k + 65536] for k in range(0, len(c.body), 65536)])
                if c.chunked
                else c.body
            )
            r = client.request(
                c.method, c.path, content=content, headers={"content-type": "application/json"}
            )
            assert r.headers.get("content-type") == "application/json", (c.name, r.text[:200])
            check_answer(c, r.status_code, r.json())
            if i % 25 == 0:
                assert health.get("/healthz").json() == {"status": "ok"}
            if i % 100 == 0:
                peak = max(peak, rss_kib(hostile_server.pid))
        for t in threads:
            t.join(30)
    for name, wait, _, _ in slow:
        result = slow_results[name]
        assert not isinstance(result, BaseException), (name, result)
        status, body = result
        want = {"body_too_large"} if "Content-Length" in name else {"body_timeout"}
        check_answer(Case(name, codes=frozenset(want)), status, body)
    assert health.get("/healthz").json() == {"status": "ok"}
    peak = max(peak, rss_kib(hostile_server.pid))
    # bounded: the cases load nothing new, and nothing they send is kept
    print(f"hostile: {len(cases)} + {len(slow)} slow; RSS {baseline} -> peak {peak} KiB")
    assert peak - baseline < 64 * 1024, (baseline, peak)
    health.close()
