"""The compiled kernels against the pure-Python reference (qieci.engines.jieba.reference)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qieci.engines.base import join_lines
from qieci.engines.jieba import _core
from qieci.engines.jieba.dictionary import default_hmm, default_hmm_bytes, hmm_tables, load_data
from qieci.engines.jieba.reference import RE_BLOCK, ReferenceEngine, hmm_dicts
from strategies import any_text, mixed_text

HMM_TABLES = hmm_dicts(*hmm_tables(default_hmm_bytes(), "bundled"))


def build(words: dict[str, int], force_split: set[str] = frozenset()):
    """A Trie and the equivalent reference engine for ``words``."""
    trie = _core.Trie()
    freq: dict[str, int] = {}
    total = 0
    for w, f in words.items():
        trie.set(w, f)
        total += f
        freq[w] = f
        for i in range(1, len(w)):
            freq.setdefault(w[:i], 0)
    trie.total = total
    for w in force_split:
        trie.mark_force_split(w)
    ref = ReferenceEngine(freq, total, *HMM_TABLES, force_split=set(force_split))
    return trie, ref


# a tiny alphabet makes dictionary hits, ties and long words likely
ALPHABET = "北京大学生来到清华abAB1.%-+ ，\u3000\r\n我"
small_text = st.text(alphabet=ALPHABET, max_size=40)
small_dict = st.dictionaries(
    st.text(alphabet="北京大学生来到清华abAB1.%-+我", min_size=1, max_size=4),
    st.sampled_from([0, 1, 2, 3, 5, 8, 100, 4095, 4096, 5000, 2**31 - 1, 2**31, 2**40]),
    min_size=1,
    max_size=25,
).filter(lambda d: sum(d.values()) > 0)


@given(words=small_dict, text=small_text, hmm=st.booleans())
def test_lcut_matches_reference_on_small_dictionaries(words, text, hmm):
    trie, ref = build(words)
    assert _core.lcut(trie, default_hmm(), text, hmm, False) == ref.lcut(text, hmm)
    assert _core.lcut(trie, default_hmm(), text, hmm, True) == ref.lcut_for_search(text, hmm)
    assert _core.tokenize(trie, default_hmm(), text, hmm, True) == ref.tokenize(text, hmm, True)
    assert _core.lcut_all(trie, text) == ref.lcut(text, cut_all=True)


@given(words=small_dict, text=small_text, data=st.data())
def test_force_split_matches_reference(words, text, data):
    gone = set(data.draw(st.lists(st.sampled_from(sorted(words)), max_size=3)))
    for w in gone:
        words[w] = 0
    if not sum(words.values()):
        words["我"] = 1
    trie, ref = build(words, gone)
    assert _core.lcut(trie, default_hmm(), text, True, False) == ref.lcut(text, True)


@pytest.fixture(scope="module")
def bundled():
    data = load_data(None)
    freq = {w: f for w, f, _ in data.entries()}
    return data.build(), ReferenceEngine(freq, data.total, *HMM_TABLES)


@given(text=mixed_text)
def test_bundled_dictionary_matches_reference(bundled, text):
    trie, ref = bundled
    for hmm in (True, False):
        assert _core.lcut(trie, default_hmm(), text, hmm, False) == ref.lcut(text, hmm)
    assert _core.lcut(trie, default_hmm(), text, True, True) == ref.lcut_for_search(text)
    assert _core.lcut_all(trie, text) == ref.lcut(text, cut_all=True)


# every range a word's characters can come from: ASCII, Latin-1, the BMP
# (Han among it), astral planes, and lone surrogates
word_chars = st.text(
    alphabet=st.sampled_from("ab1.%-\x80\xe9\xff\u0100\u4e00\u5927\uffff\ud800")
    | st.sampled_from(["\U00010000", "\U0001f600", "\U0010ffff"]),
    max_size=12,
)


@given(text=st.one_of(word_chars, any_text))
def test_words_are_the_texts_own_slices_in_their_compact_form(bundled, text):
    """A word is made from the kernel's code points, not sliced from the
    text: it must still be the very str a slice gives, in the same compact
    form (the kind and ASCII flag every str has, which ``==`` alone does
    not fully check: ``isascii`` and the size tell)."""
    import sys

    trie, _ = bundled
    for word, s, e in _core.tokenize(trie, default_hmm(), text, True, False):
        piece = text[s:e]
        assert word == piece
        assert word.isascii() == piece.isascii()
        assert sys.getsizeof(word) == sys.getsizeof(piece)
    for search in (False, True):
        for word in _core.lcut(trie, default_hmm(), text, True, search):
            copy = "".join(list(word))  # built afresh, so in its compact form
            assert sys.getsizeof(word) == sys.getsizeof(copy)
            assert word.isascii() == copy.isascii()


@given(text=any_text)
def test_char_classes_match_the_block_pattern(text):
    for ch in text:
        in_block, is_han, is_eng = _core.char_class(ch)
        assert in_block == bool(RE_BLOCK.fullmatch(ch))
        assert is_han == ("\u4e00" <= ch <= "\u9fd5")
        assert is_eng == (ch.isascii() and ch.isalnum())


def test_trie_semantics_are_jiebas_freq_dict():
    trie = _core.Trie()
    trie.set("清华大学", 7)
    assert [trie.get(w) for w in ("清", "清华", "清华大", "清华大学", "华")] == [0, 0, 0, 7, -1]
    trie.set("清华", 3)
    assert trie.get("清华") == 3 and trie.get("清华大学") == 7
    trie.set("清华大学", 0)
    assert trie.get("清华大学") == 0
    trie.set("𠀀𠀁", 2**40)  # beyond the BMP, and beyond 32 bits
    assert trie.get("𠀀𠀁") == 2**40 and trie.get("𠀀") == 0
    with pytest.raises(ValueError):
        trie.set("x", -1)
    with pytest.raises(ValueError):
        trie.set("", 1)
    assert len(trie) == 6


def test_trie_add_word_is_one_edit():
    """Frequency, total and the force-split mark change in one call (what
    Tokenizer.add_word relies on for concurrent readers)."""
    trie = _core.Trie()
    trie.set("北京", 3, 2)
    trie.total = 3
    trie.add_word("北京人", 7)
    assert trie.get("北京人") == 7 and trie.total == 10
    assert trie.get("北京") == 3 and trie.get_tag("北京") == 2
    assert not trie.is_force_split("北京人")
    trie.add_word("北京", 0)  # jieba's del_word: frequency 0, never emitted by the HMM
    assert trie.get("北京") == 0 and trie.total == 10 and trie.is_force_split("北京")
    with pytest.raises(ValueError, match="negative"):
        trie.add_word("上海", -1)
    assert trie.total == 10 and trie.get("上海") == -1


def test_trie_round_trips_through_arrays_and_copies_independently():
    trie = _core.Trie()
    for i, w in enumerate(["ab", "abc", "b", "北京", "北京人", "\U00020000x"]):
        trie.set(w, i + 1, i % 3)
    trie.total = 99
    again = _core.Trie.from_arrays(
        *(memoryview(b).cast(c) for b, c in zip(trie.to_arrays(), "IIqH")), 99
    )
    copy = trie.copy()
    copy.set("ab", 50)
    for w in ["a", "ab", "abc", "b", "北", "北京", "北京人", "\U00020000", "\U00020000x", "zz"]:
        assert again.get(w) == trie.get(w), w
        assert again.get_tag(w) == trie.get_tag(w), w
    assert trie.get("ab") == 1 and copy.get("ab") == 50 and again.total == 99


def test_trie_grows_past_its_initial_capacity():
    trie = _core.Trie(4)
    words = [f"{i}词{i * 7}" for i in range(20000)]
    for i, w in enumerate(words):
        trie.set(w, i + 1)
    assert all(trie.get(w) == i + 1 for i, w in enumerate(words))


def test_corrupt_node_arrays_are_rejected():
    ok = [
        memoryview(bytes(b)).cast(c)
        for b, c in zip((b"\x01\0\0\0", b"a\0\0\0", b"\x01" + bytes(7), b"\0\0"), "IIqH")
    ]
    _core.Trie.from_arrays(*ok, 1)
    bad_parent = memoryview(b"\x05\0\0\0").cast("I")
    with pytest.raises(ValueError):
        _core.Trie.from_arrays(bad_parent, *ok[1:], 1)
    bad_char = memoryview(b"\xff\xff\xff\x00").cast("I")
    with pytest.raises(ValueError):
        _core.Trie.from_arrays(ok[0], bad_char, *ok[2:], 1)
    with pytest.raises(ValueError):
        _core.Trie.from_arrays(*ok[:3], memoryview(b"\x05\0").cast("H"), 1, 2)


def test_empty_dictionary_is_an_error_not_a_crash():
    with pytest.raises(ValueError, match="empty"):
        _core.lcut(_core.Trie(), default_hmm(), "北京", True, False)
    assert _core.lcut(_core.Trie(), default_hmm(), "", True, False) == []


# -- the byte path ---------------------------------------------------------------


def byte_path_reference(ref, text: str, delimiter: str, hmm: bool, search: bool, crlf: bool):
    """What cut_lines_utf8 must give: the reference's words of every line,
    joined and encoded, with the lines and characters counted."""
    cut = (lambda s: ref.lcut_for_search(s, hmm)) if search else (lambda s: ref.lcut(s, hmm))
    out = join_lines(cut, text, delimiter, crlf).encode("utf-8")
    lines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    chars = len(text) - text.count("\n") - text.count("\r\n")
    return out, lines, chars


lines_text = st.lists(st.one_of(small_text, mixed_text), max_size=6).map("\n".join)


@given(
    words=small_dict, text=lines_text, hmm=st.booleans(), search=st.booleans(), crlf=st.booleans()
)
def test_cut_lines_utf8_matches_reference(words, text, hmm, search, crlf):
    trie, ref = build(words)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 text
        data = text.encode("utf-8", "surrogatepass")
        assert _core.cut_lines_utf8(trie, default_hmm(), data, b" ", hmm, search, crlf) is None
        return
    got = _core.cut_lines_utf8(trie, default_hmm(), data, "\u2063".encode(), hmm, search, crlf)
    assert got == byte_path_reference(ref, text, "\u2063", hmm, search, crlf)


@given(text=st.lists(mixed_text, max_size=6).map("\n".join), crlf=st.booleans())
def test_cut_lines_utf8_matches_cut_lines_on_the_bundled_dictionary(bundled, text, crlf):
    trie, _ = bundled
    data = text.encode("utf-8", "surrogatepass")
    for hmm, search in ((True, False), (False, False), (True, True)):
        got = _core.cut_lines_utf8(trie, default_hmm(), data, b" ", hmm, search, crlf)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            assert got is None
            continue
        assert got is not None and got[0] == _core.cut_lines(
            trie, default_hmm(), text, " ", hmm, search, crlf
        ).encode("utf-8")


# lines of very different lengths, in any order (the per-line buffers grow
# as longer lines come), with words of any byte length: runs of Latin letters
# and digits are single words, so words longer than 16 bytes (copied another
# way) and words ending at the last byte of the input both occur
long_piece = st.one_of(
    st.text(alphabet="abcXYZ019", min_size=1, max_size=40),
    st.text(alphabet="北京大学生来到清华我。", min_size=1, max_size=30),
    st.sampled_from(["\U0001f600", "é", " ", "\t", "\r"]),
)
varied_lines = st.lists(st.lists(long_piece, max_size=30).map("".join), min_size=1, max_size=8).map(
    "\n".join
)


@given(
    text=varied_lines,
    delimiter=st.sampled_from(["", " ", "\u2063", " / "]),
    crlf=st.booleans(),
)
def test_cut_lines_utf8_on_lines_and_words_of_every_length(bundled, text, delimiter, crlf):
    """The byte path gives the str path's output, encoded, whatever the
    lengths of the lines (short after long, long after empty) and of the
    words, and with any delimiter, the empty one included."""
    trie, ref = bundled
    for hmm, search in ((True, False), (False, False), (True, True)):
        got = _core.cut_lines_utf8(
            trie, default_hmm(), text.encode(), delimiter.encode(), hmm, search, crlf
        )
        assert got == byte_path_reference(ref, text, delimiter, hmm, search, crlf)


# bytes near UTF-8's edges: valid sequences of every length, overlong forms,
# surrogates, code points past U+10FFFF, stray continuation and lead bytes
utf8_piece = st.one_of(
    mixed_text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"\xc0\xaf",
            b"\xc1\xbf",
            b"\xe0\x80\xaf",
            b"\xe0\x9f\xbf",
            b"\xed\xa0\x80",
            b"\xed\x9f\xbf",
            b"\xf0\x8f\xbf\xbf",
            b"\xf0\x90\x80\x80",
            b"\xf4\x8f\xbf\xbf",
            b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80",
            b"\xff",
            b"\x80",
            b"\xbf",
            b"\xc2",
            b"\xe4\xb8",
            b"\xf0\x9f\x98",
            b"\n",
            b"\r\n",
            b"\xef\xbb\xbf",
        ]
    ),
    st.binary(max_size=4),
)


@given(data=st.lists(utf8_piece, max_size=12).map(b"".join))
def test_cut_lines_utf8_refuses_exactly_what_python_refuses(bundled, data):
    trie, _ = bundled
    got = _core.cut_lines_utf8(trie, default_hmm(), data, b" ", True, False, False)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        assert got is None
        return
    assert got is not None
    assert got[0] == _core.cut_lines(trie, default_hmm(), text, " ").encode("utf-8")


def test_thousands_of_distinct_frequencies_route_as_the_reference():
    """Each frequency has a class (its log read from a table): thousands of
    distinct ones, set, reset and copied, give jieba's routes."""
    import random

    rng = random.Random(5)
    chars = "北京大学生来到清华我们的人"
    words = {
        "".join(rng.choice(chars) for _ in range(rng.randint(1, 4))): rng.randint(1, 10**9)
        for _ in range(3000)
    }
    trie, ref = build(words)
    texts = ["".join(rng.choice(chars + "a1，") for _ in range(60)) for _ in range(40)]
    for text in texts:
        assert _core.lcut(trie, default_hmm(), text, True, False) == ref.lcut(text, True)
    copy = trie.copy()
    changed = dict(words)
    for w in list(words)[:500]:  # new frequencies in the copy only
        changed[w] = rng.randint(1, 10**12)
        copy.set(w, changed[w])
    copy.total = sum(changed.values())
    _, ref_changed = build(changed)
    for text in texts:
        assert _core.lcut(copy, default_hmm(), text, True, False) == ref_changed.lcut(text, True)
        assert _core.lcut(trie, default_hmm(), text, True, False) == ref.lcut(text, True)
