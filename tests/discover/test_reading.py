"""Raw text in bounded pieces, with exact error positions."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qieci.discover.reading import read_pieces, utf8_cut
from qieci.discover.sample import LineSample
from qieci.io.lines import InputError, LineStats
from strategies import mixed_text


@given(st.lists(mixed_text, max_size=6), st.integers(1, 40), st.sampled_from(["\n", "\r\n"]))
def test_pieces_join_to_the_text(lines, piece, term):
    text = term.join(lines)
    if any("\ud800" <= c <= "\udfff" for c in text) or text.startswith("\ufeff"):
        return  # not valid UTF-8 / a BOM: see the tests below
    data = text.encode("utf-8")
    st_ = LineStats()
    pieces = list(read_pieces(io.BytesIO(data), "f", piece_bytes=piece, stats=st_))
    assert "".join(pieces) == text
    # whole lines, or a long line in pieces of about piece_bytes
    assert all(p.endswith("\n") or len(p.encode()) <= 2 * piece + 4 for p in pieces[:-1])
    assert st_.bytes == len(data)
    assert st_.lines == text.count("\n") + (bool(text) and not text.endswith("\n"))


def test_utf8_cut_never_splits_a_character():
    data = "a中𠀀b".encode()
    for n in range(len(data) + 1):
        cut = utf8_cut(data[:n])
        data[:cut].decode("utf-8")  # no error
        assert n - cut < 4


def test_bad_bytes_name_file_line_and_byte():
    data = "第一行\n第二行\xff".encode().replace(b"\xc3\xbf", b"\xff")
    with pytest.raises(InputError, match=r"^f\.txt:2: invalid UTF-8 at byte offset 19"):
        list(read_pieces(io.BytesIO(data), "f.txt"))
    with pytest.raises(InputError, match=r"^f\.txt:2: invalid UTF-8 at byte offset 19"):
        list(read_pieces(io.BytesIO(data), "f.txt", piece_bytes=3))
    # in a long line read in pieces, the offset is still the file's
    long = ("中" * 100).encode() + b"\xff"
    with pytest.raises(InputError, match=r"f:1: invalid UTF-8 at byte offset 300"):
        list(read_pieces(io.BytesIO(long), "f", piece_bytes=16))
    got = list(read_pieces(io.BytesIO(b"a\xffb\nc"), "f", errors="replace"))
    assert "".join(got) == "a\ufffdb\nc"
    st_ = LineStats()
    got = list(read_pieces(io.BytesIO(b"a\xffb\nc"), "f", errors="skip-line", stats=st_))
    assert "".join(got) == "\nc" and st_.changed_lines == 1 and st_.skipped_lines == [1]


def test_bom_dropped_and_other_encodings_read():
    assert list(read_pieces(io.BytesIO("\ufeff你好\n".encode()), "f")) == ["你好\n"]
    gbk = "你好\n世界".encode("gbk")
    assert list(read_pieces(io.BytesIO(gbk), "f", encoding="gbk")) == ["你好", "世界"]


@given(st.lists(st.text(min_size=0, max_size=30), max_size=200), st.integers(0, 300))
def test_the_sample_fits_its_budget_and_keeps_order(lines, budget):
    s = LineSample(budget)
    for line in lines:
        s.add(line)
    kept = s.lines
    assert sum(map(len, kept)) <= budget
    # a subsequence of the input (lines cut to the budget at most)
    it = iter(lines)
    assert all(any(line.startswith(k) for line in it) for k in kept)
    if sum(map(len, lines)) <= budget:
        assert kept == [line for line in lines if line]
