"""Streaming segmentation: losslessness, pieces of long lines, order,
workers, and bad input."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qieci
from qieci.engines.base import join_lines
from qieci.io import stream
from qieci.io.lines import InputError
from qieci.io.stream import CutOptions, cut_stream
from strategies import any_text, mixed_text

SEP = "\u2063"  # a delimiter that never occurs in the inputs below


def run(data: bytes, jobs: int = 1, **opts) -> tuple[bytes, stream.Stats]:
    out = io.BytesIO()
    st_ = cut_stream(qieci.dt, io.BytesIO(data), out, CutOptions(**opts), jobs=jobs)
    return out.getvalue(), st_


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@given(text=st.lists(any_text, max_size=8).map("\n".join), crlf=st.booleans())
def test_cut_lines_kernel_matches_the_reference(text, crlf):
    for mode, hmm in [("default", True), ("default", False), ("search", True)]:
        expected = join_lines(qieci.dt.cutter(mode, hmm), text, SEP, crlf)
        assert qieci.dt.cut_lines(text, SEP, mode, hmm, crlf) == expected


EDGE_CASES = {
    "crlf": "我来到北京\r\n清华大学\r\n".encode(),
    "bom": b"\xef\xbb\xbf" + "第一行\n第二行\n".encode(),
    "no final newline": "没有换行符".encode(),
    "empty lines": "\n\n一\n\n\n二\n".encode(),
    "nul and controls": "a\x00b\x01北京\x1f\x7f。\n\x00\n".encode(),
    "lone cr": "一\r二\r\n三\r".encode(),
    "empty file": b"",
}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("name", sorted(EDGE_CASES))
@pytest.mark.parametrize("hmm", [True, False])
def test_files_are_lossless(name, hmm, jobs):
    data = EDGE_CASES[name]
    out, _ = run(data, jobs, delimiter=SEP, hmm=hmm)
    expect = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    assert out.decode().replace(SEP, "").encode() == expect
    assert len(lines_of(out)) == len(lines_of(expect))


BAD = "好\n".encode() + b"x\xffy\n" + "中".encode() + b"\xe4\n" + b"\xe4\xb8\n" + "完\n".encode()


def test_invalid_bytes_strict_names_file_line_and_byte():
    with pytest.raises(InputError, match=r"<stream>:2: invalid UTF-8 at byte offset 5"):
        run(BAD)


def test_invalid_bytes_replace_keeps_every_line():
    out, st_ = run(BAD, delimiter=SEP, errors="replace")
    assert out.decode().replace(SEP, "") == BAD.decode("utf-8", "replace")
    assert st_.changed_lines == 3 and st_.lines == 5


def test_invalid_bytes_skip_line_drops_only_those_lines():
    out, st_ = run(BAD, delimiter=SEP, errors="skip-line")
    assert out.decode().replace(SEP, "") == "好\n完\n"
    assert st_.skipped_lines == 3 and st_.lines == 2


def test_other_encodings():
    text = "中文语料很多不是UTF-8编码的\r\n第二行"
    for enc in ("gbk", "gb18030"):
        out, _ = run(text.encode(enc), encoding=enc)
        assert out.decode() == join_lines(qieci.lcut, text, " ")
    big5 = "繁體中文的句子\n"
    out, _ = run(big5.encode("big5"), encoding="big5")
    assert out.decode() == join_lines(qieci.lcut, big5, " ")


def test_crlf_can_be_normalised():
    data = "我来到北京\r\n清华大学\r\n最后\r".encode()
    kept, _ = run(data)
    normalised, _ = run(data, newline="lf")
    assert kept.count(b"\r\n") == 2
    assert normalised == kept.replace(b"\r\n", b"\n")


# -- long lines, cut in pieces ------------------------------------------------


@given(text=mixed_text, p=st.integers(0, 200))
def test_safe_split_points_do_not_change_the_words(text, p):
    p = p % (len(text) + 1)
    import qieci.posseg

    for mode, cut in [
        ("default", qieci.lcut),
        ("search", qieci.lcut_for_search),
        ("all", lambda s: qieci.lcut(s, cut_all=True)),
        ("pos", qieci.posseg.lcut),
    ]:
        q = qieci.dt.safe_split(text, p, mode)
        if q is not None:
            assert 0 < q <= p, (mode, p, q)
            assert cut(text[:q]) + cut(text[q:]) == cut(text), (mode, q)


@pytest.fixture
def tiny_limits(monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", 64)
    monkeypatch.setattr(stream, "LONG_LINE_BYTES", 256)
    monkeypatch.setattr(stream, "PIECE_CHARS", 40)


# runs of block characters (at most 18, under half a piece) between
# separators, so that every piece has a safe point
long_line = st.lists(
    st.tuples(
        st.text(alphabet="我来到北京清华大学他了网易杭研大厦", min_size=1, max_size=15),
        st.sampled_from(["", "abc"]),
        st.sampled_from(["，", "。", " ", "\u3000", "、", "！"]),
    ),
    min_size=20,
    max_size=120,
).map(lambda parts: "".join(a + b + c for a, b, c in parts))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(long_line, min_size=1, max_size=4), crlf=st.booleans())
def test_long_lines_in_pieces_give_the_same_words(tiny_limits, lines, crlf):
    sep = "\r\n" if crlf else "\n"
    text = sep.join(lines)
    out, st_ = run(text.encode())
    # every block run is shorter than half a piece, so safe points exist
    assert out.decode() == join_lines(qieci.lcut, text, " ")
    assert st_.lines == len(lines)


def test_long_line_pieces_are_lossless_even_without_safe_points(tiny_limits):
    text = "北京" * 500 + "\r\n" + "清华" * 300
    out, _ = run(text.encode(), delimiter=SEP)
    assert out.decode().replace(SEP, "") == text


def test_long_line_with_invalid_bytes(tiny_limits):
    data = ("长句子，" * 100).encode() + b"\xff" + ("结束。" * 50).encode() + b"\n"
    with pytest.raises(InputError, match=r":1: invalid UTF-8 at byte offset 1200"):
        run(data)
    out, st_ = run(data, delimiter=SEP, errors="replace")
    assert out.decode().replace(SEP, "") == data.decode("utf-8", "replace")
    assert st_.changed_lines == 1


# -- workers --------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(texts=st.lists(mixed_text, max_size=60))
def test_cut_many_with_two_jobs_equals_one(texts):
    tok = qieci.Tokenizer()
    tok.add_word("网易杭研", 500)
    tok.del_word("来到")
    one = list(tok.cut_many(texts, jobs=1))
    two = list(tok.cut_many(iter(texts), jobs=2))
    assert one == two == [tok.lcut(t) for t in texts]


def test_cut_many_modes_and_laziness():
    tok = qieci.Tokenizer()
    texts = ["我来到北京清华大学", "小明硕士毕业于中国科学院计算所"] * 700
    assert list(tok.cut_many(texts, jobs=2, search=True)) == [tok.lcut_for_search(t) for t in texts]
    assert list(tok.cut_many(texts, jobs=2, cut_all=True)) == [tok.lcut(t, True) for t in texts]
    gen = tok.cut_many((t for t in texts), jobs=2)
    assert next(gen) == tok.lcut(texts[0])
    gen.close()  # stops the workers


def test_an_input_mistake_is_a_value_error_naming_the_file(tmp_path):
    """cut_file of a missing file, a directory or bad bytes: an InputError,
    which ``except ValueError`` catches (as every mistake of the user's)."""
    bad = tmp_path / "bad.txt"
    bad.write_bytes("我来到\n".encode() + "北京".encode("gbk") + b"\n")
    for src, needle in (
        (tmp_path / "missing.txt", "missing.txt: no such file"),
        (tmp_path, ": is a directory"),
        (bad, "bad.txt:2: invalid UTF-8"),
    ):
        with pytest.raises(ValueError, match=needle) as caught:
            qieci.cut_file(str(src), str(tmp_path / "out.txt"), jobs=1)
        assert isinstance(caught.value, InputError)


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_tokenizer_cuts_files(tmp_path, jobs):
    """Tokenizer.cut_file: the learned engine's and a tokenizer with user
    words, as their lcut of every line; options are checked as qieci.cut_file's."""
    src = tmp_path / "in.txt"
    src.write_text(
        "石墨烯电池的续航是4.3%\n我来到北京清华大学\n\nOpenAI发布了GPT-4\n" * 50, "utf-8"
    )
    words = qieci.Tokenizer()
    words.add_word("石墨烯电池")
    for tok in (qieci.Tokenizer(standard="pku"), words):
        out = tmp_path / "out.txt"
        stats = tok.cut_file(str(src), str(out), jobs=jobs, delimiter="/")
        assert out.read_text("utf-8") == join_lines(tok.lcut, src.read_text("utf-8"), "/")
        assert stats.lines == 200
    assert "石墨烯电池/" in out.read_text("utf-8")
    with pytest.raises(TypeError, match="say mode='all'.*its options are mode, "):
        words.cut_file(str(src), str(out), cut_all=True)


def test_file_api_with_workers_and_spawn(tmp_path, test_corpus_lines):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(test_corpus_lines[:60000]) + "\n", encoding="utf-8")
    assert src.stat().st_size > 3 * stream.BLOCK_BYTES
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    s1 = qieci.cut_file(str(src), str(one), jobs=1)
    s2 = stream.cut_file(qieci.dt, str(src), str(two), jobs=2, start_method="spawn")
    assert one.read_bytes() == two.read_bytes()
    assert one.read_text(encoding="utf-8") == join_lines(qieci.lcut, src.read_text("utf-8"), " ")
    assert s1.lines == s2.lines == min(60000, len(test_corpus_lines))


def test_worker_start_up_errors_are_reported_not_hung(tmp_path):
    bad = tmp_path / "bad-dict.txt"
    bad.write_text("not a dictionary line\n", encoding="utf-8")
    tok = qieci.Tokenizer(bad)  # not loaded in this process
    with pytest.raises(ValueError, match="bad-dict.txt:1: invalid dictionary entry"):
        list(tok.cut_many(["北京"] * 2000, jobs=2))


def test_byte_range_mode_matches_streaming(tmp_path, monkeypatch, test_corpus_lines):
    """Regular files with workers go by byte ranges read in the workers;
    ranges never split a line, so the output is the same as streaming."""
    monkeypatch.setattr(stream, "RANGE_BYTES", 7_000)
    text = (
        "\ufeff"
        + "\n".join(test_corpus_lines[:3000])
        + "\r\n\r\n"
        + "".join(test_corpus_lines[3000:3200])
        + "\n没有换行"
    )
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode())
    assert src.stat().st_size > 2 * stream.RANGE_BYTES
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    s1 = stream.cut_file(qieci.dt, str(src), str(out1), jobs=1)
    s2 = stream.cut_file(qieci.dt, str(src), str(out2), jobs=2)
    assert out1.read_bytes() == out2.read_bytes()
    assert out2.read_bytes().decode() == join_lines(qieci.lcut, text[1:], " ")
    assert (s1.lines, s1.chars) == (s2.lines, s2.chars)
    # the workers' spill files are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "o1", "o2"]


def test_byte_range_mode_reports_absolute_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "RANGE_BYTES", 5_000)
    good = "好的句子。\n" * 3000
    src = tmp_path / "bad.txt"
    src.write_bytes(good.encode() + b"bad \xff\n" + good.encode())
    with pytest.raises(
        InputError,
        match=rf"bad.txt:3001: invalid UTF-8 at byte offset "
        rf"{len(good.encode()) + 4}",
    ):
        stream.cut_file(qieci.dt, str(src), str(tmp_path / "out"), jobs=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


class _NoBytePath:
    """qieci.dt without its byte path: every block is decoded to str."""

    def __getattr__(self, name):
        return getattr(qieci.dt, name)

    def cut_lines_utf8(self, *args, **kwargs):
        return None


@given(
    text=st.lists(any_text, max_size=8).map("\n".join),
    mode=st.sampled_from(["default", "search", "all", "pos"]),
    hmm=st.booleans(),
    newline=st.sampled_from(["keep", "lf"]),
)
def test_the_byte_path_writes_and_counts_what_the_str_path_does(text, mode, hmm, newline):
    opts = CutOptions(mode=mode, hmm=hmm, newline=newline, delimiter=SEP, errors="replace")
    task = stream.Lines("x.txt", 1, 0, text.encode("utf-8", "surrogatepass"))
    fast = stream.run_task(qieci.dt, (opts, task))
    slow = stream.run_task(_NoBytePath(), (opts, task))
    assert fast.output == slow.output
    assert fast.stats == slow.stats


def test_the_byte_path_is_taken_for_utf8_and_not_otherwise():
    data = "我来到北京清华大学\r\n".encode()
    assert qieci.dt.cut_lines_utf8(data, " ") == ("我 来到 北京 清华大学\r\n".encode(), 1, 9)
    assert (
        qieci.dt.cut_lines_utf8(data, " ", crlf_to_lf=True)[0] == "我 来到 北京 清华大学\n".encode()
    )
    assert qieci.dt.cut_lines_utf8(b"\xff\n", " ") is None  # invalid: decoded, with messages
    assert qieci.dt.cut_lines_utf8(data, " ", mode="all") is None  # no byte path there
    assert qieci.dt.cut_lines_utf8(data, " ", mode="pos") is None
    tok = qieci.Tokenizer()
    tok.add_word("Color OS")  # a protected word: the engine splits around it in str
    assert tok.cut_lines_utf8(b"Color OS\n", " ") is None
