"""Mistakes in the arguments of the Tokenizer API and its user dictionaries:
each is a clear error (or a warning), never a half-done edit or a silent
surprise."""

from __future__ import annotations

import io
import os
import warnings

import pytest

import qieci
from qieci.engines.base import Unsupported

ENGINES = ["jieba", "learned", "chars"]
BIG = 2**62  # two of these take the jieba engine's total past 2**63-1


def state(tok: qieci.Tokenizer) -> tuple[object, ...]:
    """What a user dictionary can change in a tokenizer."""
    return (tok.spec().edits, dict(tok.user_word_tag_tab), tok.lcut("石墨烯和大数"))


# -- load_userdict: all or nothing ------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_line_leaves_the_tokenizer_as_it_was(engine, tmp_path):
    tok = qieci.Tokenizer(engine=engine)
    before = state(tok)
    bad = tmp_path / "udbad.txt"
    bad.write_text("石墨烯 nz\n大数 99999999999999999999999\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"udbad.txt:2: frequency 9+ for word '大数' is out of"):
        tok.load_userdict(str(bad))
    assert state(tok) == before
    # a line that is not UTF-8, after a good one
    bad.write_bytes("石墨烯 3 nz\n".encode() + b"\xff 2\n")
    with pytest.raises(ValueError, match=r"udbad.txt:2: invalid UTF-8"):
        tok.load_userdict(str(bad))
    assert state(tok) == before
    # a mistake with strict=True after a good line; and without strict, the
    # warning of a line is not given when the file fails later on
    bad.write_text("石墨烯 3 nz\n负数 -3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"udbad.txt:2: '负数 -3'"):
        tok.load_userdict(str(bad), strict=True)
    assert state(tok) == before
    bad.write_text("负数 -3\n石墨烯 nz\n大数 99999999999999999999999\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"udbad.txt:3:"):
            tok.load_userdict(str(bad))
    assert [w for w in caught if issubclass(w.category, qieci.UserDictWarning)] == []
    assert state(tok) == before
    # the same file object forms
    with pytest.raises(ValueError, match=r":2: frequency"):
        tok.load_userdict(io.StringIO("石墨烯 nz\n大数 99999999999999999999999\n"))
    assert state(tok) == before


def test_a_total_past_the_limit_fails_before_any_word_and_a_valid_file_is_jiebas(jieba, tmp_path):
    tok = qieci.Tokenizer()
    fresh = qieci.Tokenizer()
    total = tok.total
    bad = tmp_path / "user.txt"
    # the third line takes the total past 2**63-1; the second has no frequency
    bad.write_text(f"甲 {BIG}\n乙\n丙 {BIG}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"user.txt:3: .*past 2\*\*63-1"):
        tok.load_userdict(str(bad))
    assert tok.total == total and tok.spec().edits == ()
    assert tok.get_FREQ("甲") == fresh.get_FREQ("甲") and tok.get_FREQ("乙") == fresh.get_FREQ("乙")
    # near the limit but within it: the words go in, as jieba adds them
    good = tmp_path / "good.txt"
    good.write_text(f"甲 {BIG}\n乙\n", encoding="utf-8")
    tok.load_userdict(str(good))
    theirs = jieba.Tokenizer()
    theirs.load_userdict(str(good))
    assert tok.total == theirs.total
    assert [tok.get_FREQ(w) for w in "甲乙"] == [theirs.FREQ[w] for w in "甲乙"]


# -- load_userdict: the TSV of qieci discover ----------------------------------------


@pytest.mark.parametrize("engine", ["jieba", "learned"])
def test_a_jieba_line_after_the_tsv_header_is_read_as_jieba_reads_it(engine, tmp_path):
    path = tmp_path / "words.tsv"
    path.write_text("word\tfreq\tscore\n沐川镇\t12\t0.913\n石墨烯 5 n\n", encoding="utf-8")
    tok = qieci.Tokenizer(engine=engine)
    tok.load_userdict(str(path), strict=True)
    edits = tok.spec().edits
    assert [w for w, _, _ in edits] == ["沐川镇", "石墨烯"]
    assert edits[1] == ("石墨烯", 5, "n") and tok.user_word_tag_tab == {"石墨烯": "n"}
    if engine == "jieba":
        assert tok.get_FREQ("石墨烯") == 5 and tok.get_FREQ("石墨烯 5 n") is None
    # such a line gets the checks of any user-dictionary line
    path.write_text("word\tfreq\tscore\n沐川镇\t12\t0.913\n负数 -3\n", encoding="utf-8")
    with pytest.warns(qieci.UserDictWarning, match=r"words.tsv:3: '负数 -3' is not"):
        qieci.Tokenizer(engine=engine).load_userdict(str(path))
    tok = qieci.Tokenizer(engine=engine)
    with pytest.raises(ValueError, match=r"words.tsv:3: '负数 -3' is not"):
        tok.load_userdict(str(path), strict=True)
    assert tok.spec().edits == ()


def test_invalid_utf8_in_a_tsv_row_names_the_file_line_and_byte_and_adds_nothing(tmp_path):
    path = tmp_path / "words.tsv"
    # line 3: 沐 (3 bytes), then a byte no UTF-8 text holds
    path.write_bytes("word\tfreq\tscore\n石墨烯\t5\t0.9\n沐".encode() + b"\xff\t3\t0.5\n")
    tok = qieci.Tokenizer()
    with pytest.raises(
        ValueError,
        match=r"words.tsv:3: invalid UTF-8 at byte 3 of the line: "
        r"a word list of qieci discover is UTF-8 text \(convert it",
    ):
        tok.load_userdict(str(path))
    assert tok.spec().edits == ()
    # the lines of a binary file object get the same message
    lines = [b"word\tfreq\tscore\n", bytearray(b"\xe7\x9f\xb3\xe5\xa2\xa8\xff\t2\t0.5\n")]
    with pytest.raises(ValueError, match=r":2: invalid UTF-8 at byte 6 of the line"):
        tok.load_userdict(io.BytesIO(b"".join(lines)))


# -- load_userdict: byte-order marks ----------------------------------------------------


@pytest.mark.parametrize("engine", ["jieba", "learned"])
def test_a_byte_order_mark_starts_a_text_file_as_it_starts_a_path(engine, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff石墨烯 nz\n量子点 4\n".encode())
    by_path = qieci.Tokenizer(engine=engine)
    by_path.load_userdict(str(path))
    with open(path, encoding="utf-8") as f:
        by_text = qieci.Tokenizer(engine=engine)
        by_text.load_userdict(f)
    assert [w for w, _, _ in by_text.spec().edits] == ["石墨烯", "量子点"]
    assert by_text.spec().edits == by_path.spec().edits
    assert by_text.user_word_tag_tab == {"石墨烯": "nz"}
    # the TSV header too
    tsv = io.StringIO("\ufeffword\tfreq\tscore\n沐川镇\t12\t0.913\n")
    tok = qieci.Tokenizer(engine=engine)
    tok.load_userdict(tsv)
    assert [w for w, _, _ in tok.spec().edits] == ["沐川镇"]


def test_a_byte_order_mark_inside_a_word_looks_like_a_mistake(tmp_path):
    path = tmp_path / "user.txt"
    path.write_bytes("石墨烯\n中\ufeff间 3\n".encode())
    for source in (lambda: str(path), lambda: io.StringIO(path.read_text("utf-8"))):
        with pytest.warns(qieci.UserDictWarning, match=r":2: .*byte-order mark") as caught:
            tok = qieci.Tokenizer()
            tok.load_userdict(source())
        assert len(caught) == 1 and r"'中\ufeff间'" in str(caught[0].message)
        assert tok.get_FREQ("中\ufeff间") == 3  # (read as jieba reads it)
        tok = qieci.Tokenizer()
        with pytest.raises(ValueError, match=r":2: .*byte-order mark"):
            tok.load_userdict(source(), strict=True)
        assert tok.spec().edits == ()


# -- load_userdict: what f may be ---------------------------------------------------------


def test_a_bytes_path_is_a_path_and_other_objects_are_refused(tmp_path):
    path = tmp_path / "user.txt"
    path.write_text("石墨烯 nz\n", encoding="utf-8")
    tok = qieci.Tokenizer()
    tok.load_userdict(os.fsencode(path))
    assert [w for w, _, _ in tok.spec().edits] == ["石墨烯"]
    assert tok.user_word_tag_tab == {"石墨烯": "nz"}
    by_str = qieci.Tokenizer()
    by_str.load_userdict(str(path))
    assert tok.spec().edits == by_str.spec().edits
    for bad in (3, None, 2.5):
        with pytest.raises(TypeError, match="expected a path or a file object"):
            qieci.Tokenizer().load_userdict(bad)


# -- cut_many ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["jieba", "chars"])
def test_cut_many_refuses_one_text(engine):
    tok = qieci.Tokenizer(engine=engine)
    for one in ("我来到北京", "我来到北京".encode()):
        with pytest.raises(TypeError, match=r"cut_many takes an iterable of texts.*\[text\]"):
            tok.cut_many(one)
    for jobs in ("2", 1.5):
        with pytest.raises(TypeError, match="jobs must be a whole number"):
            tok.cut_many(["我来到北京"], jobs=jobs)
    assert list(tok.cut_many(["我来到北京"])) == [tok.lcut("我来到北京")]


# -- suggest_freq -------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_suggest_freq_takes_the_same_types_on_every_engine(engine):
    tok = qieci.Tokenizer(engine=engine)
    for bad in (None, 3, 2.5, object(), {"石墨烯"}):
        with pytest.raises(TypeError, match="suggest_freq takes a str"):
            tok.suggest_freq(bad)
        with pytest.raises(TypeError, match="suggest_freq takes a str"):
            tok.suggest_freq(bad, tune=True)
    with pytest.raises(TypeError, match="suggest_freq takes a tuple of str"):
        tok.suggest_freq(("石墨", 3), tune=True)
    assert tok.spec().edits == ()
    # bytes are a word, as a str is
    tok.suggest_freq("石墨烯".encode(), tune=True)
    assert [w for w, _, _ in tok.spec().edits] == ["石墨烯"]
    assert "石墨烯" in tok.lcut("石墨烯材料")


@pytest.mark.parametrize("engine", ["learned", "chars"])
def test_a_split_request_is_unsupported_without_a_dictionary(engine):
    tok = qieci.Tokenizer(engine=engine)
    for tune in (False, True):
        with pytest.raises(Unsupported, match=r"suggest_freq of a tuple.*engine='jieba'"):
            tok.suggest_freq(("中", "将"), tune=tune)
    assert tok.spec().edits == ()


# -- qieci.cut_file -----------------------------------------------------------------------


def test_cut_file_names_each_bad_argument(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    dst = tmp_path / "out.txt"
    cases = [
        ({"jobs": "2"}, r"jobs must be a whole number \(or None\), not '2'"),
        ({"jobs": 1.5}, r"jobs must be a whole number \(or None\), not 1\.5"),
        ({"jobs": True}, r"jobs must be a whole number"),
        ({"delimiter": None}, r"delimiter must be a str"),
        ({"pos_sep": 1}, r"pos_sep must be a str"),
        ({"hmm": "False"}, r"hmm must be True or False"),
        ({"cut_all": True}, r"no option 'cut_all' \(say mode='all'.*options are mode, hmm"),
        ({"HMM": False}, r"no option 'HMM' \(say hmm=False"),
    ]
    for kwargs, message in cases:
        with pytest.raises(TypeError, match=message):
            qieci.cut_file(str(src), str(dst), **kwargs)
        assert not dst.exists(), kwargs
    qieci.cut_file(str(src), str(dst), jobs=1, mode="all")
    words = qieci.lcut("我来到北京清华大学", cut_all=True)
    assert dst.read_text("utf-8") == " ".join(words) + "\n"


def test_a_frequency_that_is_no_whole_number_is_named(jieba):
    tok = qieci.Tokenizer()
    for freq in ("abc", float("inf"), float("nan"), [3]):
        with pytest.raises(ValueError, match=r"frequency .* for word '词' is not a whole number"):
            tok.add_word("词", freq)
    assert tok.get_FREQ("词") == qieci.Tokenizer().get_FREQ("词")  # unchanged
    # what jieba's int() takes, qieci takes
    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    for tok in (ours, theirs):
        tok.add_word("石墨烯", "7")
        tok.add_word("杭研", 5.9)
    for w, f in (("石墨烯", 7), ("杭研", 5)):
        assert ours.get_FREQ(w) == theirs.FREQ[w] == f
