"""The JSON API against a real server: answers equal jieba 0.42.1's (the
jieba engine's contract) and the library's; bad requests get 4xx JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import qieci
from conftest import CORPORA, corpus_files, no_corpora, raw_lines
from serve.support import cut

SENTENCES = [
    "我来到北京清华大学",
    "他来到了网易杭研大厦",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "永和服装饰品有限公司",
    "I love 北京天安门 2024年！\n第二行\r\n",
    "",
    "   ",
    "😀表情符号和𠀀扩展汉字",
]


def gold_sample(n: int = 40) -> list[str]:
    files = corpus_files("test")
    if not files:
        no_corpora(CORPORA / "test")
    return [line for f in files[:3] for line in raw_lines(f)[: n // 3 + 1]]


def test_cut_equals_jieba(client, jieba):
    for text in SENTENCES + gold_sample():
        assert cut(client, text=text) == jieba.lcut(text), text
        assert cut(client, text=text, hmm=False) == jieba.lcut(text, HMM=False)
        assert cut(client, text=text, mode="search") == jieba.lcut_for_search(text)
        assert cut(client, text=text, mode="full") == jieba.lcut(text, cut_all=True)


def test_batch_of_the_learned_engine_equals_the_library(client):
    texts = SENTENCES + gold_sample()
    for standard in ("pku", "msr"):
        tok = qieci.Tokenizer(engine="learned", standard=standard)
        r = client.post("/v1/cut", json={"texts": texts, "standard": standard})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["setting"] == f"learned:{standard}"
        assert [x["words"] for x in body["results"]] == [tok.lcut(t) for t in texts]


def test_offsets_tile_the_text(client):
    for text in SENTENCES:
        for engine in ("jieba", "learned"):
            words = cut(client, text=text, engine=engine, offsets=True)
            assert "".join(w["word"] for w in words) == text
            assert all(text[w["start"] : w["end"]] == w["word"] for w in words)
            assert all(w["tag"] is None for w in words)
            assert [w["word"] for w in words] == cut(client, text=text, engine=engine)


def test_pos_tags_equal_jieba_posseg(client, jieba):
    import jieba.posseg as pseg

    for text in SENTENCES:
        words = cut(client, text=text, pos=True)
        assert [(w["word"], w["tag"]) for w in words] == [(p.word, p.flag) for p in pseg.lcut(text)]
        assert all(text[w["start"] : w["end"]] == w["word"] for w in words)


def test_pos_on_the_learned_engine_is_a_clear_4xx(client):
    r = client.post("/v1/cut", json={"text": "我来到北京", "engine": "learned", "pos": True})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "unsupported" and err["field"] == "pos"
    assert '"engine": "jieba"' in err["message"] and "'learned'" in err["message"]


def test_keywords_equal_jieba_analyse(client, jieba):
    import jieba.analyse

    text = (
        "小明硕士毕业于中国科学院计算所，后在日本京都大学深造。" * 3
        + "自然语言处理是人工智能的一个分支。"
    )
    r = client.post("/v1/keywords", json={"text": text, "top_k": 5})
    assert r.status_code == 200, r.text
    got = [(k["word"], k["weight"]) for k in r.json()["keywords"]]
    want = jieba.analyse.extract_tags(text, topK=5, withWeight=True)
    assert [w for w, _ in got] == [w for w, _ in want]
    assert [x for _, x in got] == pytest.approx([x for _, x in want])
    r = client.post("/v1/keywords", json={"text": text, "method": "textrank", "top_k": 0})
    assert r.status_code == 200, r.text
    want = jieba.analyse.textrank(text, topK=None, withWeight=True)
    assert [k["word"] for k in r.json()["keywords"]] == [w for w, _ in want]
    r = client.post("/v1/keywords", json={"text": text, "allow_pos": ["ns"]})
    want = jieba.analyse.extract_tags(text, topK=20, allowPOS=("ns",))
    assert [k["word"] for k in r.json()["keywords"]] == want


def test_textrank_on_the_learned_engine_is_a_clear_4xx(client):
    r = client.post(
        "/v1/keywords", json={"text": "北京大学", "method": "textrank", "standard": "pku"}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "method"
    assert "jieba" in r.json()["error"]["message"]


def test_standards_are_the_models(client):
    out = subprocess.run(
        [sys.executable, "-m", "qieci", "standards", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    model = json.loads(out.stdout)["standards"]
    body = client.get("/v1/standards").json()
    assert body["standards"] == model
    assert set(body["engines"]) >= {"jieba", "learned"}
    assert body["default"] == {"engine": "jieba", "standard": None}
    assert "learned:pku" in body["loaded"]  # --preload
    assert body["limits"]["max_batch"] == 1000


@pytest.mark.parametrize(
    ("body", "status", "code", "needle"),
    [
        ({"text": "a", "standard": "xyz"}, 422, "unknown_standard", "pku"),
        ({"text": "a", "engine": "jieba", "standard": "pku"}, 422, "invalid_field", "learned"),
        ({"text": "a", "engine": "hanlp"}, 422, "unknown_engine", "jieba"),
        ({"text": "a", "mode": "fast"}, 422, "invalid_field", "default, search, full"),
        ({"text": "a", "mode": "full", "offsets": True}, 422, "invalid_field", "offsets"),
        ({"txt": "a"}, 422, "unknown_field", "'txt'"),
        ({}, 422, "invalid_body", "exactly one"),
        ({"text": "a", "texts": ["b"]}, 422, "invalid_body", "exactly one"),
        ({"texts": ["a", 3]}, 422, "invalid_field", "texts[1]: expected a string, got a number"),
        ({"text": "a", "hmm": 1}, 422, "invalid_field", "hmm: expected true or false"),
        ({"text": "\ud800"}, 422, "invalid_field", "U+D800"),
        ({"texts": ["a"] * 1001}, 413, "batch_too_large", "at most 1000"),
        ([1, 2], 422, "invalid_body", "JSON object"),
    ],
)
def test_bad_cut_requests(client, body, status, code, needle):
    r = client.post("/v1/cut", content=json.dumps(body))
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    err = r.json()["error"]
    assert err["code"] == code
    assert needle in err["message"], err["message"]


@pytest.mark.parametrize(
    ("raw", "status", "code", "needle"),
    [
        (b'{"text": "\xff"}', 400, "invalid_utf8", "byte 0xff at offset 10"),
        (b'{"text": "ab', 400, "invalid_json", "starting at (line 1, column 10"),
        (b"", 400, "invalid_json", "empty"),
        (b'{"text": NaN}', 400, "invalid_json", "NaN"),
        (b"[" * 100000, 400, "invalid_json", "nested too deeply"),
    ],
)
def test_bad_bodies(client, raw, status, code, needle):
    r = client.post("/v1/cut", content=raw)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and needle in err["message"], err


def test_body_too_large(client):
    r = client.post("/v1/cut", content=json.dumps({"text": "字" * 3_000_000}).encode())
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    # and without a Content-Length (chunked), the limit holds as it arrives
    r = client.post("/v1/cut", content=iter([b'{"text": "' + b"a" * 65536] * 200))
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


def test_paths_and_methods_are_json_errors(client):
    r = client.get("/v1/cut")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = client.get("/nope")
    assert r.status_code == 404 and "/v1/cut" in r.json()["error"]["message"]
    r = client.get("/static/../pyproject.toml")
    assert r.status_code == 404


def test_openapi_schema_matches_what_is_checked(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) >= {"/v1/cut", "/v1/keywords", "/v1/standards", "/healthz", "/metrics"}
    schemas = doc["components"]["schemas"]
    samples = {"string": "北京", "boolean": True, "integer": 3, "array": ["北京"]}
    for name, path, base in (
        ("Cut", "/v1/cut", {"text": "北京"}),
        ("Keywords", "/v1/keywords", {"text": "北京"}),
    ):
        for field, spec in schemas[name]["properties"].items():
            kinds = [spec["type"]] if isinstance(spec["type"], str) else spec["type"]
            kind = next(k for k in kinds if k != "null")
            value = spec["enum"][0] if "enum" in spec else samples[kind]
            if field in ("texts", "standard", "engine", "pos", "offsets"):
                continue  # these need a partner field (tested above)
            r = client.post(path, json={**base, field: value})
            assert r.status_code == 200, (name, field, r.text)


def test_demo_page_is_served_from_the_package(client):
    r = client.get("/")
    assert r.status_code == 200 and "<textarea" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    # nothing on the page comes from elsewhere
    for page in (r.text, client.get("/static/app.js").text, client.get("/static/style.css").text):
        assert not re.search(r"https?://", page)


def counter(text: str, route: str, status: int) -> int:
    m = re.search(
        rf'qieci_requests_total{{method="POST",route="{route}",status="{status}"}} (\d+)', text
    )
    return int(m.group(1)) if m else 0


def test_metrics_count_requests(client):
    before = client.get("/metrics").text
    for _ in range(7):
        cut(client, text="北京")
    client.post("/v1/cut", json={"txt": 1})
    after = client.get("/metrics").text
    assert counter(after, "/v1/cut", 200) - counter(before, "/v1/cut", 200) == 7
    assert counter(after, "/v1/cut", 422) - counter(before, "/v1/cut", 422) == 1
    assert 'qieci_request_duration_seconds_count{route="/v1/cut"}' in after
    assert "qieci_resident_memory_bytes" in after


@pytest.mark.parametrize(
    "raw, code",
    [
        (b'{"text":"a","\\ud800":1}', "unknown_field"),
        (b'{"text":"a","x\\ud800":1,"x\\ud800":2}', "duplicate_field"),
    ],
)
def test_a_lone_surrogate_in_a_field_name_is_a_4xx(client, raw, code):
    """The error names the field, escaped (it was a 500: the name could not
    be encoded as UTF-8)."""
    for route in ("/v1/cut", "/v1/keywords"):
        r = client.post(route, content=raw)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == code
        assert "\\ud800" in r.text


def test_offsets_and_tags_of_a_text_of_many_words(client):
    """An answer with offsets or tags is encoded in pieces: the same words,
    offsets and tags as the library's, however many."""
    import qieci.posseg

    text = "我来到北京清华大学，" * 9_000  # 45,000 words
    words = cut(client, text=text, offsets=True)
    assert [(w["word"], w["start"], w["end"]) for w in words] == list(qieci.tokenize(text))
    tagged = cut(client, text=text, pos=True)
    assert [(w["word"], w["tag"]) for w in tagged] == [
        (p.word, p.flag) for p in qieci.posseg.lcut(text)
    ]
