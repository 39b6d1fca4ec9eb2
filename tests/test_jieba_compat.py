"""Differential tests: qieci's jieba engine against the real jieba 0.42.1.

Every comparison is exact (lists of words, offsets). The oracle is jieba
itself, never qieci's own output.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qieci
from strategies import COMMON_HAN, mixed_text

# (name, qieci call, jieba call) over a Tokenizer-like object
APIS: list[tuple[str, Callable, Callable]] = [
    ("cut", lambda t, s: t.lcut(s), lambda j, s: j.lcut(s)),
    ("cut_no_hmm", lambda t, s: t.lcut(s, HMM=False), lambda j, s: j.lcut(s, HMM=False)),
    ("cut_all", lambda t, s: t.lcut(s, cut_all=True), lambda j, s: j.lcut(s, cut_all=True)),
    ("cut_all_no_hmm", lambda t, s: t.lcut(s, True, False), lambda j, s: j.lcut(s, True, False)),
    ("search", lambda t, s: t.lcut_for_search(s), lambda j, s: j.lcut_for_search(s)),
    (
        "search_no_hmm",
        lambda t, s: t.lcut_for_search(s, HMM=False),
        lambda j, s: j.lcut_for_search(s, HMM=False),
    ),
    ("tokenize", lambda t, s: list(t.tokenize(s)), lambda j, s: list(j.tokenize(s))),
    (
        "tokenize_search",
        lambda t, s: list(t.tokenize(s, mode="search")),
        lambda j, s: list(j.tokenize(s, mode="search")),
    ),
    (
        "tokenize_no_hmm",
        lambda t, s: list(t.tokenize(s, HMM=False)),
        lambda j, s: list(j.tokenize(s, HMM=False)),
    ),
    ("generator_cut", lambda t, s: list(t.cut(s)), lambda j, s: list(j.cut(s))),
    (
        "generator_search",
        lambda t, s: list(t.cut_for_search(s)),
        lambda j, s: list(j.cut_for_search(s)),
    ),
]
API_IDS = [a[0] for a in APIS]


def _diffs(lines, ours, theirs, limit=5):
    bad = []
    for s in lines:
        a, b = ours(s), theirs(s)
        if a != b:
            bad.append((s, a, b))
            if len(bad) >= limit:
                break
    return bad


@pytest.mark.parametrize("name,ours,theirs", APIS, ids=API_IDS)
def test_corpus_identical_to_jieba(test_corpus_lines, jieba, name, ours, theirs):
    """Every API on the raw text of every test corpus (about 2M chars)."""
    lines = test_corpus_lines
    if name.startswith("generator") or name == "tokenize_no_hmm":
        lines = lines[::4]  # the same engine as lcut/tokenize; a sample suffices
    bad = _diffs(lines, lambda s: ours(qieci, s), lambda s: theirs(jieba, s))
    assert not bad, bad[:2]


@pytest.mark.parametrize("name,ours,theirs", APIS, ids=API_IDS)
@given(text=mixed_text)
def test_generated_text_identical_to_jieba(jieba, name, ours, theirs, text):
    assert ours(qieci, text) == theirs(jieba, text)


@given(text=mixed_text)
def test_bytes_input_decoded_as_jieba_does(jieba, text):
    for raw in (
        text.encode("utf-8", "surrogatepass"),
        text.encode("gbk", "ignore"),
        text.encode("utf-16-le", "surrogatepass"),
    ):
        assert qieci.lcut(raw) == jieba.lcut(raw)


# -- dictionary edits ---------------------------------------------------------


def _edit_words(lines: list[str], jieba) -> dict[str, list[str]]:
    """Words to add, delete and tune, chosen from the corpus the way a user
    would (not tuned to any result): frequent two-character words jieba
    outputs, and character n-grams it does not know."""
    rng = random.Random(20261129)
    counts: dict[str, int] = {}
    for s in lines[:3000]:
        for w in jieba.lcut(s):
            if len(w) == 2 and all("\u4e00" <= c <= "\u9fd5" for c in w):
                counts[w] = counts.get(w, 0) + 1
    frequent = sorted(counts, key=counts.get, reverse=True)[:200]
    unknown = []
    for s in rng.sample(lines, 2000):
        if len(s) > 6:
            i = rng.randrange(len(s) - 4)
            gram = s[i : i + rng.choice((2, 3, 4))]
            if all("\u4e00" <= c <= "\u9fd5" for c in gram) and jieba.get_FREQ(gram) is None:
                unknown.append(gram)
    return {
        "delete": rng.sample(frequent, 25),
        "add": unknown[:150],
        "tune_whole": unknown[150:200],
        "tune_split": [w for w in frequent if w not in frequent[:60]][:25],
    }


def _apply_edits(tok, edits: dict[str, list[str]], userdict: str) -> None:
    tok.load_userdict(userdict)
    for w in edits["delete"]:
        tok.del_word(w)
    for i, w in enumerate(edits["add"]):
        tok.add_word(w, None if i % 3 == 0 else (i * 7) % 50 + 1, "nz" if i % 2 else None)
    for w in edits["tune_whole"]:
        tok.suggest_freq(w, tune=True)
    for w in edits["tune_split"]:
        tok.suggest_freq((w[0], w[1]), tune=True)


def test_corpus_identical_after_dictionary_edits(
    test_corpus_lines, jieba, isolated_force_split, tmp_path
):
    edits = _edit_words(test_corpus_lines, jieba)
    userdict = tmp_path / "user.txt"
    userdict.write_text(
        "\n".join(
            [
                f"{w} {5 + i} n" if i % 3 == 0 else (f"{w} {i + 1}" if i % 3 == 1 else w)
                for i, w in enumerate(edits["add"][::2])
            ]
            + ["", "  ", "\ufeff云计算 10 n", "Color OS 10 nz"]
        ),
        encoding="utf-8",
    )
    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    _apply_edits(ours, edits, str(userdict))
    _apply_edits(theirs, edits, str(userdict))
    assert ours.total == theirs.total
    for w in edits["add"] + edits["delete"] + edits["tune_whole"]:
        assert ours.get_FREQ(w) == theirs.FREQ.get(w), w
    # "Color OS" is a protected word in qieci (beyond jieba): compare the
    # lines that do not contain it, which is all of them here
    assert not any("Color OS" in s for s in test_corpus_lines)
    for name, our_call, their_call in APIS:
        lines = test_corpus_lines if name == "cut" else test_corpus_lines[::5]
        bad = _diffs(lines, lambda s: our_call(ours, s), lambda s: their_call(theirs, s))
        assert not bad, (name, bad[:2])


EDIT_POOL = [
    "北京",
    "清华",
    "大学",
    "清华大学",
    "来到",
    "我来",
    "华大",
    "到北",
    "abc",
    "a",
    "北",
    "学生",
    "AB型",
    "C++",
    "我们的",
    "的",
]

edit_op = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(EDIT_POOL),
        st.one_of(st.none(), st.integers(0, 10**7)),
        st.sampled_from([None, "n", "nz"]),
    ),
    st.tuples(st.just("del"), st.sampled_from(EDIT_POOL)),
    st.tuples(st.just("tune"), st.sampled_from(EDIT_POOL)),
    st.tuples(st.just("tune_split"), st.sampled_from([w for w in EDIT_POOL if len(w) > 1])),
)
pool_text = st.lists(
    st.one_of(
        st.sampled_from(EDIT_POOL),
        st.text(alphabet=COMMON_HAN, max_size=3),
        st.sampled_from([" ", "，", "1", "x", "\r\n"]),
    ),
    max_size=12,
).map("".join)


@pytest.fixture
def edit_pair(jieba):
    saved = set(jieba.finalseg.Force_Split_Words)
    yield qieci.Tokenizer(), jieba.Tokenizer()
    jieba.finalseg.Force_Split_Words.clear()
    jieba.finalseg.Force_Split_Words.update(saved)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    ops=st.lists(edit_op, min_size=1, max_size=8), texts=st.lists(pool_text, min_size=1, max_size=4)
)
def test_random_edit_sequences_identical_to_jieba(edit_pair, ops, texts):
    """Random add/del/suggest_freq sequences; after each one, every API
    agrees with jieba (the pair accumulates edits across examples)."""
    ours, theirs = edit_pair
    for op in ops:
        for tok in (ours, theirs):
            if op[0] == "add":
                tok.add_word(op[1], op[2], op[3])
            elif op[0] == "del":
                tok.del_word(op[1])
            elif op[0] == "tune":
                assert isinstance(tok.suggest_freq(op[1], tune=True), int)
            else:
                tok.suggest_freq(tuple(op[1][:1]) + (op[1][1:],), tune=True)
        assert ours.total == theirs.total
        for text, (name, our_call, their_call) in itertools.product(texts, APIS):
            assert our_call(ours, text) == their_call(theirs, text), (name, text, op)


def test_suggest_freq_values_match_jieba(jieba, isolated_force_split):
    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    for seg in [
        "台中",
        ("台", "中"),
        "清华大学",
        ("中", "将"),
        "中将",
        "今天天气",
        ("今天", "天气"),
        "不存在的词语",
        "x",
    ]:
        assert ours.suggest_freq(seg) == theirs.suggest_freq(seg), seg
        assert ours.suggest_freq(seg, tune=True) == theirs.suggest_freq(seg, tune=True), seg


def test_frequency_lookup_matches_jieba(jieba):
    for w in ["北京", "清华大学", "清华大", "的", "AT&T", "c++", "不存在的词", "", "x"]:
        assert qieci.get_FREQ(w) == jieba.get_FREQ(w), w
        assert qieci.get_FREQ(w, -7) == jieba.get_FREQ(w, -7), w
    assert qieci.dt.total == jieba.dt.total


def test_the_whole_dictionary_and_tag_table_equal_jiebas(jieba, isolated_force_split):
    """FREQ and posseg's word_tag_tab iterate as jieba's dicts do: the same
    pairs (words and prefixes), after edits too."""
    import jieba.posseg

    import qieci.posseg

    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    theirs.initialize()
    assert dict(ours.FREQ) == theirs.FREQ
    for tok in (ours, theirs):
        tok.add_word("石墨烯电池", 10, "nz")
        tok.add_word("杭研大厦", None, "nt")
        tok.del_word("北京大学")
        tok.suggest_freq(("中", "将"), tune=True)
    assert dict(ours.FREQ.items()) == theirs.FREQ and len(ours.FREQ) == len(theirs.FREQ)
    assert set(ours.FREQ.keys()) == set(theirs.FREQ)
    our_pos, their_pos = qieci.posseg.POSTokenizer(ours), jieba.posseg.POSTokenizer(theirs)
    their_pos.lcut("石墨烯电池")  # jieba takes the user tags into its table when it cuts
    assert dict(our_pos.word_tag_tab.items()) == their_pos.word_tag_tab
    assert len(our_pos.word_tag_tab) == len(their_pos.word_tag_tab)
    assert sorted(our_pos.word_tag_tab) == sorted(their_pos.word_tag_tab)


def test_custom_text_dictionary_identical_to_jieba(
    jieba, tmp_path, test_corpus_lines, isolated_force_split
):
    """A dictionary swapped in with set_dictionary / Tokenizer(dictionary=)."""
    words = {}
    for s in test_corpus_lines[:400]:
        for w in jieba.lcut(s):
            words[w] = words.get(w, 0) + 1
    path = tmp_path / "small.txt"
    path.write_text(
        "".join(f"{w} {n} n\n" for w, n in words.items() if " " not in w), encoding="utf-8"
    )
    theirs = jieba.Tokenizer(dictionary=str(path))
    ours = qieci.Tokenizer(dictionary=path)
    other = qieci.Tokenizer()
    other.set_dictionary(str(path))
    for s in test_corpus_lines[:1500:3]:
        expected = theirs.lcut(s)
        assert ours.lcut(s) == expected
        assert other.lcut(s) == expected
        assert ours.lcut(s, cut_all=True) == theirs.lcut(s, cut_all=True)
        assert ours.lcut_for_search(s) == theirs.lcut_for_search(s)


@pytest.fixture(scope="module")
def dag_pair(jieba):
    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    for tok in (ours, theirs):
        tok.add_word("杭研大厦", 50)
        tok.del_word("北京")
    return ours, theirs


@given(mixed_text)
def test_get_dag_and_calc_identical_to_jieba(jieba, dag_pair, text):
    """jieba's get_DAG and calc, of the default tokenizer and of one with
    user words."""
    ours, theirs = dag_pair
    for a, b in ((qieci, jieba), (ours, theirs)):
        dag = a.get_DAG(text)
        assert dag == b.get_DAG(text)
        r1: dict = {}
        r2: dict = {}
        a.calc(text, dag, r1)
        b.calc(text, dag, r2)
        assert r1 == r2


def test_jiebas_other_module_names_work():
    """What drop-in scripts call besides cutting: setLogLevel, the paddle
    switches (qieci has no paddle: a warning, and use_paddle cuts as
    without), initialized, DEFAULT_DICT."""
    import logging

    import qieci.posseg

    qieci.setLogLevel(logging.WARNING)
    assert logging.getLogger("qieci").level == logging.WARNING
    qieci.setLogLevel(logging.NOTSET)
    assert qieci.posseg.setLogLevel is qieci.setLogLevel
    with pytest.warns(UserWarning, match="no paddle mode"):
        qieci.enable_paddle()
    assert qieci.lcut("我来到北京清华大学", use_paddle=True) == qieci.lcut("我来到北京清华大学")
    qieci.disable_parallel()
    assert qieci.DEFAULT_DICT is None
    tok = qieci.Tokenizer()
    assert not tok.initialized
    tok.lcut("我")
    assert tok.initialized


def test_a_missing_dictionary_given_to_initialize_changes_nothing(tmp_path):
    tok = qieci.Tokenizer()
    tok.add_word("杭研大厦", 50)
    with pytest.raises(ValueError, match="nope.txt: dictionary file does not exist"):
        tok.initialize(str(tmp_path / "nope.txt"))
    assert tok.lcut("网易杭研大厦") == ["网易", "杭研大厦"]
