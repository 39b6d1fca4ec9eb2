"""qieci.posseg: the compiled tagger against its pure-Python reference
(qieci.engines.jieba.reference_posseg) and both against jieba.posseg 0.42.1 (the oracle)."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qieci
from qieci.engines.jieba import _core, _posseg
from qieci.engines.jieba.posmodel import (
    DEFAULT_POSHMM_RESOURCE,
    PosHMMTables,
    default_poshmm_bytes,
    default_tables,
)
from qieci.engines.jieba.reference import ReferenceEngine
from qieci.engines.jieba.reference_posseg import ReferencePosHMM, ReferenceTagger
from qieci.posseg import POSTokenizer, default_model, pair
from qieci.tokenizer import Tokenizer
from strategies import COMMON_HAN, mixed_text

# Han characters the POS HMM does not list (so every state is possible)
# or does not emit at all, besides common ones
RARE_HAN = "\u4e28\u4e44\u9fd5\u9fa0\u5c6e\u9f98\u7228\u4e02"
han_run = st.text(alphabet=COMMON_HAN + RARE_HAN, min_size=1, max_size=30)
# text mixing posseg's block characters with '%' and '-' (cut's block, not posseg's)
pos_text = st.lists(
    st.one_of(
        mixed_text,
        st.text(alphabet=COMMON_HAN + RARE_HAN + "abZ09.+#&_%- \r\n，", max_size=20),
    ),
    max_size=3,
).map("".join)


def as_tuples(pairs) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in pairs]


@pytest.fixture(scope="module")
def ref_hmm() -> ReferencePosHMM:
    return ReferencePosHMM.from_tables(default_tables())


@pytest.fixture(scope="module")
def bundled_ref(ref_hmm) -> ReferenceTagger:
    """The reference tagger over the bundled dictionary."""
    from qieci.engines.jieba.dictionary import load_data

    data = load_data(None)
    freq, tags = {}, {}
    for w, f, t in data.entries():
        freq[w] = f
        if t:
            tags[w] = t
    return ReferenceTagger(ReferenceEngine(freq, data.total, {}, {}, {}), tags, ref_hmm)


# -- kernel == reference -------------------------------------------------------


@given(run=han_run)
def test_viterbi_matches_reference(ref_hmm, run):
    model = default_model()
    states = default_tables().states
    got = [states[i] for i in _posseg.viterbi_states(model.hmm, run)]
    assert got == ref_hmm.decode(run)


@pytest.fixture(scope="module")
def fresh_tagger() -> POSTokenizer:
    return POSTokenizer(Tokenizer())


@given(text=pos_text)
def test_bundled_tagger_matches_reference(bundled_ref, fresh_tagger, text):
    tagger = fresh_tagger
    for hmm in (True, False):
        assert as_tuples(tagger.lcut(text, hmm)) == bundled_ref.lcut(text, hmm)


ALPHABET = "北京大学生来到清华abAB1.+#_%- ，\r\n我"
small_dict = st.dictionaries(
    st.text(alphabet="北京大学生来到清华abAB1.+#_我", min_size=1, max_size=4),
    st.tuples(
        st.sampled_from([0, 1, 2, 3, 5, 100, 4096, 2**31, 2**40]),
        st.sampled_from(["", "n", "v", "ns", "eng"]),
    ),
    min_size=1,
    max_size=20,
).filter(lambda d: sum(f for f, _ in d.values()) > 0)


@given(words=small_dict, text=st.text(alphabet=ALPHABET, max_size=40), hmm=st.booleans())
def test_small_dictionaries_match_reference(ref_hmm, words, text, hmm):
    """Ties, zero frequencies and prefixes on tiny dictionaries."""
    trie = _core.Trie()
    names = ["", "n", "v", "ns", "eng"]
    freq: dict[str, int] = {}
    for w, (f, tag) in words.items():
        trie.set(w, f, names.index(tag))
        freq[w] = f
        for i in range(1, len(w)):
            freq.setdefault(w[:i], 0)
    trie.total = sum(f for f, _ in words.values())
    ref = ReferenceTagger(
        ReferenceEngine(freq, trie.total, {}, {}, {}),
        {w: t for w, (_, t) in words.items() if t},
        ref_hmm,
    )
    model = default_model()
    got = _posseg.lcut(trie, model.hmm, text, hmm, tuple(names), {}, model.tags)
    assert as_tuples(got) == ref.lcut(text, hmm)


# -- against jieba -------------------------------------------------------------


@pytest.fixture(scope="module")
def jpos(jieba):
    import jieba.posseg as jp

    return jp


def _first_diff(lines, ours, theirs):
    for s in lines:
        a, b = ours(s), theirs(s)
        if a != b:
            return s, a, b
    return None


@pytest.mark.parametrize("hmm,step", [(True, 12), (False, 6)])
def test_corpus_sample_identical_to_jieba(test_corpus_lines, jpos, hmm, step):
    """A sample of every test corpus (the full run: bench/posseg_diff.py)."""
    lines = test_corpus_lines[::step]
    bad = _first_diff(
        lines,
        lambda s: as_tuples(qieci.posseg.lcut(s, hmm)),
        lambda s: as_tuples(jpos.lcut(s, hmm)),
    )
    assert bad is None, bad


@given(text=pos_text)
def test_generated_text_identical_to_jieba(jpos, text):
    for hmm in (True, False):
        assert as_tuples(qieci.posseg.lcut(text, hmm)) == as_tuples(jpos.lcut(text, hmm))


USER_DICT = """\
云计算 5 n
创新办 3 i
凱特琳 nz
台中
韩玉赏鉴 3 nz
easy_install 3 eng
好用 300
韩玉鉴赏 3 nz
八一双鹿 3 nz
石墨烯
李小福 2 nr
"""

USER_TEXTS = [
    "李小福是创新办主任也是云计算方面的专家; 什么是八一双鹿",
    "例如我输入一个带“韩玉赏鉴”的标题，在自定义词库中也增加了此词为N类",
    "「台中」正確應該不會被切開。mac上可分出「石墨烯」；此時又可以分出來凱特琳了。",
    "easy_install is great, 好用的工具 100% 2019-10",
]


@pytest.fixture
def user_pair(jieba, jpos, tmp_path, isolated_force_split):
    """A fresh jieba POSTokenizer and a qieci one, both with USER_DICT."""
    path = tmp_path / "user.txt"
    path.write_text(USER_DICT, encoding="utf-8")
    jt = jieba.Tokenizer()
    jt.load_userdict(str(path))
    qt = Tokenizer()
    qt.load_userdict(path)
    return POSTokenizer(qt), jpos.POSTokenizer(jt)


def test_user_dictionary_tags_identical_to_jieba(user_pair, test_corpus_lines):
    ours, theirs = user_pair
    lines = USER_TEXTS + test_corpus_lines[::97]
    for hmm in (True, False):
        bad = _first_diff(
            lines, lambda s: as_tuples(ours.lcut(s, hmm)), lambda s: as_tuples(theirs.lcut(s, hmm))
        )
        assert bad is None, bad
    assert ("云计算", "n") in as_tuples(ours.lcut(USER_TEXTS[0]))


def test_add_and_delete_words_identical_to_jieba(user_pair):
    ours, theirs = user_pair
    for tagger in (ours, theirs):
        tagger.tokenizer.add_word("专家组", 1000, "nt")
        tagger.tokenizer.add_word("主任", 5, "zz")  # a new tag for a known word
        tagger.tokenizer.del_word("方面")
        tagger.tokenizer.suggest_freq(("中", "将"), True)
    texts = USER_TEXTS + ["专家组的主任在方面上说，我们中将出现", "台中将军"]
    for s in texts:
        for hmm in (True, False):
            assert as_tuples(ours.lcut(s, hmm)) == as_tuples(theirs.lcut(s, hmm)), s


def test_word_tag_table_override(jieba, jpos, isolated_force_split):
    ours, theirs = POSTokenizer(Tokenizer()), jpos.POSTokenizer(jieba.Tokenizer())
    for tagger in (ours, theirs):
        tagger.lcut("x")  # load
        tagger.word_tag_tab["北京"] = "zz"
    s = "我来到北京清华大学"
    assert as_tuples(ours.lcut(s)) == as_tuples(theirs.lcut(s))
    assert ours.word_tag_tab["北京"] == "zz" and ours.word_tag_tab.get("清华大学") == "nt"


def test_user_tags_live_in_the_tokenizer_for_every_tagger():
    tok = Tokenizer()
    tok.add_word("杭研大厦", tag="nt")
    first, second = POSTokenizer(tok), POSTokenizer(tok)
    s = "他来到了网易杭研大厦"
    assert ("杭研大厦", "nt") in as_tuples(first.lcut(s))
    # jieba would have moved the tag into `first`: the others still see it
    assert ("杭研大厦", "nt") in as_tuples(second.lcut(s))
    assert ("杭研大厦", "nt", 6, 10) in list(tok.tokenize(s, pos=True))
    assert tok.user_word_tag_tab == {"杭研大厦": "nt"}
    # a tag set on one tagger is the tokenizer's, seen by all and pickled
    first.word_tag_tab["网易"] = "nz"
    assert ("网易", "nz") in as_tuples(second.lcut(s))
    again = pickle.loads(pickle.dumps(tok))
    assert ("网易", "nz") in as_tuples(POSTokenizer(again).lcut(s))
    # the latest tag of a word wins, however it was set
    tok.add_word("网易", tag="ORG")
    assert first.word_tag_tab["网易"] == "ORG"
    second.word_tag_tab.update({"网易": "nt"})
    assert ("网易", "nt") in list((w, f) for w, f, _, _ in tok.tokenize(s, pos=True))
    with pytest.raises(TypeError, match="str to a str"):
        first.word_tag_tab["网易"] = 3  # type: ignore[assignment]


# -- API --------------------------------------------------------------------------


def test_pair_behaves_like_jiebas(jpos):
    p = pair("北京", "ns")
    word, flag = p
    assert (word, flag) == ("北京", "ns")
    assert str(p) == "北京/ns" and repr(p) == "pair('北京', 'ns')"
    assert p == pair("北京", "ns") and p != pair("北京", "n") and p != ("北京", "ns")
    assert hash(p) == hash("北京")
    assert sorted([pair("b", "x"), pair("a", "y")])[0].word == "a"
    assert pickle.loads(pickle.dumps(p)) == p
    assert p.encode("utf-8") == "北京/ns".encode()
    j = jpos.pair("北京", "ns")
    assert (str(j), repr(j), hash(j), tuple(j)) == (str(p), repr(p), hash(p), tuple(p))


def test_module_functions_and_bytes_input(jpos):
    s = "我来到北京清华大学"
    assert as_tuples(qieci.posseg.cut(s)) == as_tuples(jpos.cut(s))
    assert as_tuples(qieci.posseg.lcut(s.encode("utf-8"))) == as_tuples(jpos.lcut(s))
    assert qieci.posseg.lcut("") == []
    assert qieci.posseg.dt is POSTokenizer.of(qieci.dt)


@given(text=pos_text)
def test_tokenize_offsets_reconstruct_input(text):
    toks = list(qieci.dt.tokenize(text, pos=True))
    assert "".join(w for w, _, _, _ in toks) == text
    pos = 0
    for w, _, s, e in toks:
        assert (s, e) == (pos, pos + len(w)) and text[s:e] == w
        pos = e
    assert [(w, f) for w, f, _, _ in toks] == as_tuples(qieci.posseg.lcut(text))


def test_tokenize_search_mode_adds_grams():
    toks = list(qieci.dt.tokenize("中华人民共和国", mode="search", pos=True))
    words = [t[0] for t in toks]
    assert words[-1] == "中华人民共和国" and "中华" in words and "共和国" in words
    assert all("中华人民共和国"[s:e] == w for w, _, s, e in toks)


def test_protected_user_words_come_out_whole():
    tok = Tokenizer()
    tok.add_word("Color OS", 10, "nz")
    got = as_tuples(POSTokenizer(tok).lcut("我用Color OS系统"))
    assert ("Color OS", "nz") in got and "".join(w for w, _ in got) == "我用Color OS系统"


def test_corrupt_model_names_the_file():
    data = bytearray(default_poshmm_bytes())
    data[-10] ^= 0xFF
    with pytest.raises(ValueError, match="broken.qc"):
        PosHMMTables.from_bytes(bytes(data), "broken.qc")
    with pytest.raises(ValueError, match="x.qc"):
        PosHMMTables.from_bytes(b"QIECI\x1a\n\x00" + b"\0" * 30, "x.qc")
    assert DEFAULT_POSHMM_RESOURCE.endswith(".qc")


def test_import_qieci_does_not_import_posseg_or_analyse():
    code = (
        "import sys, qieci; qieci.lcut('我来到北京');"
        "print(any(m in sys.modules for m in ('qieci.posseg', 'qieci.analyse')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_viterbi_fallback_matches_reference_and_jieba(ref_hmm, jpos):
    """Runs where no listed state of a character can follow the previous
    states (the decoder then takes every reachable state)."""
    from jieba.posseg.viterbi import viterbi

    only_b = [c for c, s in ref_hmm.char_states.items() if all(p == "B" for p, _ in s)]
    runs = []
    for a in only_b[:40]:
        reach = {y for x in ref_hmm.char_states[a] if ref_hmm.trans[x] for y in ref_hmm.trans[x]}
        c = next(c for c, s in ref_hmm.char_states.items() if not set(s) & reach)
        runs += [a + c, "我" + a + c + "了", (a + c) * 2]
    model, states = default_model(), default_tables().states
    for run in runs:
        got = [states[i] for i in _posseg.viterbi_states(model.hmm, run)]
        assert (
            got
            == ref_hmm.decode(run)
            == viterbi(run, jpos.char_state_tab_P, jpos.start_P, jpos.trans_P, jpos.emit_P)[1]
        ), run


@given(pos_text)
def test_tag_set_holds_every_tag_the_tagger_gives(text):
    tok = Tokenizer()
    tok.add_word("切词工具", tag="qtool")
    tags = tok.engine.tag_set(tok.pos_tags())
    for t in ("qtool", "ns", "eng", "m", "x"):
        assert t in tags
    assert "" not in tags
    for w in tok.engine.pos_lcut(text + "切词工具 C++ 3.5", True, tok.pos_tags()):
        assert w.flag in tags, w
