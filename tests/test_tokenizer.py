"""The Tokenizer API: losslessness, determinism, independence, protected
words, and clear errors."""

from __future__ import annotations

import io

import pytest
from hypothesis import given

import qieci
from strategies import any_text, mixed_text


@given(text=any_text)
def test_default_mode_is_lossless(text):
    assert "".join(qieci.lcut(text)) == text
    assert "".join(qieci.lcut(text, HMM=False)) == text
    tokens = list(qieci.tokenize(text))
    assert "".join(w for w, _, _ in tokens) == text
    assert all(text[s:e] == w for w, s, e in tokens)
    assert all(text[s:e] == w for w, s, e in qieci.tokenize(text, mode="search"))


@given(text=mixed_text)
def test_output_is_deterministic_and_the_same_across_tokenizers(text):
    other = qieci.Tokenizer()
    assert qieci.lcut(text) == qieci.lcut(text) == other.lcut(text)
    assert qieci.lcut_for_search(text) == other.lcut_for_search(text)


def test_drop_in_module_api():
    import qieci as jieba

    assert jieba.lcut("我来到北京清华大学") == ["我", "来到", "北京", "清华大学"]
    assert list(jieba.cut("我来到北京清华大学", cut_all=True)) == [
        "我",
        "来到",
        "北京",
        "清华",
        "清华大学",
        "华大",
        "大学",
    ]
    assert jieba.lcut_for_search("小明硕士毕业于中国科学院计算所")[:4] == [
        "小明",
        "硕士",
        "毕业",
        "于",
    ]
    assert jieba.dt is qieci.dt
    assert isinstance(jieba.Tokenizer(), qieci.Tokenizer)
    jieba.initialize()  # idempotent


def test_tokenizers_are_independent():
    a, b = qieci.Tokenizer(), qieci.Tokenizer()
    a.add_word("杭研大厦", 100000)
    assert "杭研大厦" in a.lcut("他来到了网易杭研大厦")
    assert "杭研大厦" not in b.lcut("他来到了网易杭研大厦")
    assert b.get_FREQ("杭研大厦") is None
    b.del_word("北京")
    assert "北京" in a.lcut("我来到北京") and "北京" not in b.lcut("我来到北京")


def test_protected_user_words_come_out_whole(jieba):
    tok = qieci.Tokenizer()
    tok.load_userdict(io.StringIO("Color OS 10 nz\n*ST舜船\niPhone 15 Pro 5\nR&D 中心\n"))
    cases = [
        ("新的", "Color OS", "系统更新"),
        ("", "*ST舜船", "今日停牌"),
        ("苹果发布", "iPhone 15 Pro", "手机"),
        ("公司的", "R&D 中心", ""),
    ]
    for left, word, right in cases:
        got = tok.lcut(left + word + right)
        assert got == jieba.lcut(left) + [word] + jieba.lcut(right)
        spans = list(tok.tokenize(left + word + right))
        assert (word, len(left), len(left) + len(word)) in spans
        assert word in tok.lcut_for_search(left + word + right)
    # not inside a longer run of letters
    assert "Color OS" not in tok.lcut("MyColor OSX")
    tok.del_word("Color OS")
    assert tok.lcut("新的Color OS系统") == jieba.lcut("新的Color OS系统")


def test_words_of_block_characters_behave_as_in_jieba(jieba, isolated_force_split):
    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    for tok in (ours, theirs):
        tok.add_word("SK-II")
        tok.add_word("C++")
    for s in ["我买了SK-II神仙水", "我爱C++编程", "SK-IIx"]:
        assert ours.lcut(s) == theirs.lcut(s)
    assert "SK-II" in ours.lcut("我买了SK-II神仙水")


def test_bad_input_gets_clear_errors(tmp_path):
    with pytest.raises(TypeError):
        qieci.lcut(123)
    with pytest.raises(ValueError):
        list(qieci.tokenize(b"bytes"))
    with pytest.raises(ValueError, match="negative"):
        qieci.Tokenizer().add_word("词", -3)
    with pytest.raises(ValueError, match="empty"):
        qieci.Tokenizer().add_word("")
    missing = tmp_path / "missing.txt"
    with pytest.raises(ValueError, match="missing.txt"):
        qieci.Tokenizer(missing).lcut("北京")
    with pytest.raises(ValueError, match="missing.txt"):
        qieci.Tokenizer().set_dictionary(missing)
    with pytest.raises(ValueError, match="missing.txt"):
        qieci.Tokenizer().load_userdict(str(missing))
    bad = tmp_path / "user.txt"
    bad.write_bytes("好词 3\n".encode() + b"\xff\xfe 2\n")
    with pytest.raises(
        ValueError,
        match=r"user.txt:2: invalid UTF-8 at byte 0 of the line: a user dictionary is "
        r"UTF-8 text \(convert it",
    ):
        qieci.Tokenizer().load_userdict(str(bad))
    # the byte is counted from the start of the line, leading spaces included
    bad.write_bytes("好词 3\n".encode() + b"  ok\xff 2\n")
    with pytest.raises(ValueError, match=r"user.txt:2: invalid UTF-8 at byte 4 of the line"):
        qieci.Tokenizer().load_userdict(str(bad))


def test_freq_view_is_read_only_mapping():
    freq = qieci.Tokenizer().FREQ
    assert freq["北京"] > 0 and freq["清华大"] == 0
    assert "清华大" in freq and "不存在的词" not in freq
    with pytest.raises(KeyError):
        freq["不存在的词"]
    assert len(freq) > 300000


def test_dictionary_view_needs_the_jieba_engine():
    tok = qieci.Tokenizer(engine="learned")
    with pytest.raises(ValueError, match="jieba engine"):
        tok.FREQ["北京"]
    with pytest.raises(ValueError, match="jieba engine"):
        "北京" in tok.FREQ


def test_str_subclasses_are_taken_as_their_text():
    # numpy.str_ (iterating a numpy array, pandas .values) and any str
    # subclass: jieba takes them, and so does every entry point here
    import numpy as np

    from qieci import analyse, posseg

    class Text(str):
        pass

    plain = "我来到北京清华大学，Color OS很好"
    for s in (np.str_(plain), Text(plain)):
        assert qieci.lcut(s) == qieci.lcut(plain)
        assert qieci.lcut(s, cut_all=True) == qieci.lcut(plain, cut_all=True)
        assert qieci.lcut_for_search(s) == qieci.lcut_for_search(plain)
        assert list(qieci.tokenize(s, mode="search")) == list(qieci.tokenize(plain, mode="search"))
        assert list(qieci.dt.tokenize(s, pos=True)) == list(qieci.dt.tokenize(plain, pos=True))
        assert qieci.dt.cut_lines(s) == qieci.dt.cut_lines(plain)
        assert posseg.lcut(s) == posseg.lcut(plain)
        assert posseg.dt.tokenize(s) == posseg.dt.tokenize(plain)
        assert analyse.extract_tags(s) == analyse.extract_tags(plain)
        assert qieci.suggest_freq(s) == qieci.suggest_freq(plain)
        learned = qieci.Tokenizer(engine="learned")
        assert learned.lcut(s) == learned.lcut(plain)
        assert learned.cut_lines(s) == learned.cut_lines(plain)
        tok = qieci.Tokenizer()
        tok.add_word(type(s)("清华大学城"))
        assert type(tok._edits[-1][0]) is str
    with pytest.raises(TypeError, match="takes a str"):
        qieci.dt.cut_lines(b"x")  # type: ignore[arg-type]
