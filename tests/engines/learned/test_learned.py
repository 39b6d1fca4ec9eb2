"""The learned engine: compiled kernels against the pure-Python reference,
the model format, the Tokenizer API and constrained decoding."""

from __future__ import annotations

import random
import zlib
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qieci import Tokenizer, binfile
from qieci.engines.base import join_lines
from qieci.engines.learned import reference as ref
from qieci.engines.learned._learned import (
    Decoder,
    Lexicon,
    Perceptron,
    char_class,
    feature_buckets,
    fold,
    fold_into,
    fold_row,
    normalize,
    viterbi_tags,
)
from qieci.engines.learned.engine import engines_by_standard
from qieci.engines.learned.model import load
from qieci.engines.learned.train import TrainConfig, decoder_for, train, word_tags

# a small alphabet so that words, repeats and lexicon hits are frequent
ALPHABET = "我你他的了是在北京大学生人民中国１２3４aＢ，。 年月十"
texts = st.text(alphabet=ALPHABET, max_size=30)
words = st.lists(st.text(alphabet=ALPHABET.replace(" ", ""), min_size=1, max_size=5), max_size=12)
BITS = 10


@given(st.integers(0, 0x10FFFF))
def test_char_class_and_normalize(c):
    ch = chr(c)
    if 0xD800 <= c <= 0xDFFF:
        return
    assert normalize(ch) == [ref.norm(c)]
    assert char_class(c) == ref.char_class(c)


@given(words, texts)
def test_lexicon_scan_matches_reference(ws, text):
    lex = Lexicon(ws)
    assert lex.lex_features(text) == ref.lex_scan(ws, text)
    for w in ws:
        assert w in lex
    for w in {text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)}:
        norm_ws = {"".join(chr(ref.norm(ord(c))) for c in x) for x in ws}
        assert (w in lex) == ("".join(chr(ref.norm(ord(c))) for c in w) in norm_ws)


@given(words, texts)
def test_feature_buckets_match_reference(ws, text):
    assert feature_buckets(Lexicon(ws), text, BITS) == ref.feature_buckets(ws, text, BITS)
    own = ws[::2]  # a standard's own lexicon
    assert feature_buckets(Lexicon(ws), text, BITS, Lexicon(own)) == ref.feature_buckets(
        ws, text, BITS, own
    )


score_rows = st.lists(st.lists(st.integers(-50, 50), min_size=4, max_size=4), max_size=12)


@given(score_rows, st.lists(st.integers(-20, 20), min_size=20, max_size=20), st.data())
def test_viterbi_matches_reference(rows, trans, data):
    mask = data.draw(st.lists(st.integers(0, 15), min_size=len(rows), max_size=len(rows)))
    assert viterbi_tags(rows, trans, mask) == ref.viterbi(rows, trans, mask)
    free = [15] * len(rows)
    tags = viterbi_tags(rows, trans, free)
    assert tags == ref.viterbi(rows, trans, free)
    # a free decode is always a valid B/M/E/S sequence
    prev = 4
    for t in tags:
        assert ref.ALLOWED[prev][t]
        prev = t
    assert not tags or tags[-1] in (2, 3)


def _random_table(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-300, 300, size=(1 << BITS) * 4).astype(np.int16)


@given(st.integers(0, 1000), st.integers(1, 4), words, texts)
def test_decoder_matches_reference(seed, std, ws, text):
    raw = _random_table(seed)
    table = fold(raw, BITS, std)
    assert table.tolist() == ref.fold(raw.tolist(), BITS, std)
    trans = [(seed * 7 + i * 13) % 41 - 20 for i in range(20)]
    dec = Decoder(table, trans, Lexicon(ws), BITS, std)
    expect = ref.decode(table.tolist(), trans, ws, text, BITS, std)
    assert dec.tags(text) == expect
    own = ws[1::2]
    dec = Decoder(table, trans, Lexicon(ws), BITS, std, Lexicon(own))
    assert dec.tags(text) == ref.decode(table.tolist(), trans, ws, text, BITS, std, None, own)
    assert "".join(dec.lcut(text)) == text
    # a model of the 30 templates before the domain features reads only those
    dec = Decoder(table, trans, Lexicon(ws), BITS, std, None, 30)
    assert dec.tags(text) == ref.decode(
        table.tolist(), trans, ws, text, BITS, std, None, None, None, 30
    )


@given(st.integers(0, 1000), texts, st.data())
def test_decoder_with_forced_mask_matches_reference(seed, text, data):
    table = fold(_random_table(seed), BITS, 1)
    trans = [0] * 20
    dec = Decoder(table, trans, Lexicon([]), BITS, 1)
    forced = bytes(data.draw(st.lists(st.integers(0, 15), min_size=len(text), max_size=len(text))))
    assert dec.tags(text, forced) == ref.decode(table.tolist(), trans, [], text, BITS, 1, forced)


def atom_mask(n: int, atoms: list[tuple[int, int]]) -> bytes:
    """The mask that keeps each atom inside one word: its first char B or
    M, its inner chars M, its last char M or E."""
    mask = [15] * n
    for s, e in atoms:
        mask[s] &= 0b0011
        for i in range(s + 1, e - 1):
            mask[i] = 0b0010
        mask[e - 1] &= 0b0110
    return bytes(mask)


lines_text = st.lists(texts, max_size=5).flatmap(
    lambda ls: st.lists(
        st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(ls), max_size=len(ls)
    ).map(lambda ends: "".join(a + b for a, b in zip(ls, ends, strict=True)))
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 1000), st.one_of(texts, lines_text), st.data())
def test_cut_lines_with_atoms_equals_lcut_of_each_line(seed, text, data):
    """The kernel's cut_lines: each line cut as lcut cuts it, with the mask
    of its atoms; in windows too (a line longer than the window)."""
    table = fold(_random_table(seed), BITS, 2)
    trans = [(seed * 5 + i * 11) % 37 - 18 for i in range(20)]
    dec = Decoder(table, trans, Lexicon(["北京", "大学", "中国人民"]), BITS, 2)
    atoms: list[tuple[int, int]] = []
    masks: dict[int, bytes] = {}
    pos = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        content = line[:-1] if i < len(lines) - 1 and line.endswith("\r") else line
        cuts = sorted(data.draw(st.sets(st.integers(0, len(content)), max_size=6)))
        mine = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if b - a >= 2]
        atoms += [(pos + a, pos + b) for a, b in mine]
        masks[pos] = atom_mask(len(content), mine)
        pos += len(line) + 1

    def cut(line_start: list[int]):
        def one(line: str) -> list[str]:
            start = line_start[0]
            line_start[0] += (
                len(line) + 1 + (text[start + len(line) : start + len(line) + 1] == "\r")
            )
            return dec.lcut(line, masks[start])

        return one

    delimiter = data.draw(st.sampled_from([" ", "/", " | ", ""]))
    crlf = data.draw(st.booleans())
    expect = join_lines(cut([0]), text, delimiter, crlf)
    assert dec.cut_lines(text, delimiter, crlf, atoms) == expect
    dec.window = 3  # every longer line decoded window by window
    assert dec.cut_lines(text, delimiter, crlf, atoms) == expect
    if not atoms:
        assert dec.cut_lines(text, delimiter, crlf) == expect


def test_cut_lines_rejects_bad_atoms():
    dec = Decoder(fold(_random_table(1), BITS, 1), [0] * 20, Lexicon([]), BITS, 1)
    for atoms in ([(0, 1)], [(2, 4), (1, 3)], [(0, 9)], [(1, 4)]):  # "ab\ncd": (1, 4) holds \n
        with pytest.raises(ValueError):
            dec.cut_lines("ab\ncd", " ", False, atoms)


@pytest.mark.parametrize("bits", [10, 17, 18])
def test_fold_by_blocks_equals_fold(bits):
    rng = np.random.default_rng(bits)
    raw = rng.integers(-16383, 16384, size=(1 << bits) * 4).astype(np.int16)
    for std in (1, 2, 7):
        whole = fold(raw, bits, std)
        out = np.zeros_like(whole)
        block = min(1 << 16, 1 << bits) * 4
        for first in range(0, raw.size, block):
            fold_into(raw[first : first + block], out, first // 4, bits, std)
        assert np.array_equal(out, whole)
        dec = Decoder(None, [0] * 20, Lexicon(), bits, std)
        for first in range(0, raw.size, block):
            dec.fold_in(raw[first : first + block], first // 4)
        assert np.array_equal(dec.table_array(), whole)
        with pytest.raises(ValueError, match="aligned"):
            dec.fold_in(raw[4 : block + 4], 1)
        # a bucket and its partner share one folded row; rows are a bijection
        rows = [fold_row(b, bits, std) for b in range(0, 1 << bits, 97)]
        assert all(0 <= r < 1 << (bits - 1) for r in rows)
        if bits == 10:
            assert rows == [ref.fold_index(b, bits, std) for b in range(0, 1 << bits, 97)]
            assert sorted({ref.fold_index(b, bits, std) for b in range(1 << bits)}) == list(
                range(1 << (bits - 1))
            )


def test_lexicon_from_text_equals_from_words():
    ws = ["北京", "北京大学", "ＡＢ", "x" * 20, "大"]
    a = Lexicon(ws)
    b = Lexicon(text="\n".join(ws))
    for text in ["我在北京大学ab", "AB大学", "x" * 20]:
        assert a.lex_features(text) == b.lex_features(text)
    assert "AB" in b and "北京" in b and "北" not in b and "x" * 20 not in b


def _random_sentence(rng: random.Random) -> list[str]:
    """1 to 6 words of 1 to 3 characters of the test alphabet."""
    return [
        "".join(rng.choice(ALPHABET.replace(" ", "")) for _ in range(rng.randint(1, 3)))
        for _ in range(rng.randint(1, 6))
    ]


@pytest.mark.parametrize("steps", [[(1, 1)], [(1, 1), (4, 1), (3, 2), (2, 0)]])
def test_perceptron_step_matches_reference(steps):
    """One step as the reference takes it; with shared and per-standard
    update sizes (the back-off of small standards), each half of a feature
    moves by its own size."""
    rng = random.Random(3)
    ws = ["北京", "大学", "中国人", "我们"]
    lex = Lexicon(ws)
    own = {1: None, 2: ["北京大学", "人民"]}  # standard 2 has its own lexicon
    p = Perceptron(BITS, 2, lex, [None, Lexicon(own[2])])
    N = (1 << BITS) * 4
    W, U, TW, TU = [0] * N, [0] * N, [0] * 60, [0] * 60
    for step in range(40):
        sent = _random_sentence(rng)
        text, gold, std = "".join(sent), word_tags(sent), rng.randint(1, 2)
        a, b = rng.choice(steps)
        e1 = p.train(text, gold, std, None, a, b)
        e2 = ref.train_step(W, U, TW, TU, step + 1, ws, text, gold, std, BITS, own[std], a, b)
        assert e1 == e2
    assert p.W.tolist() == W and p.U.tolist() == U
    assert p.TW.tolist() == TW and p.TU.tolist() == TU
    assert p.c == 41
    with pytest.raises(ValueError, match="update steps"):
        p.train("北京", word_tags(["北京"]), 1, None, 65, 1)


def test_perceptron_step_with_a_fold_lexicon_matches_reference():
    """A per-step standard lexicon replaces the standard's own for that step."""
    rng = random.Random(5)
    ws = ["北京", "大学"]
    own, fold_words = ["北京大学", "人民", "中国人"], ["人民"]
    p = Perceptron(BITS, 2, Lexicon(ws), [None, Lexicon(own)])
    fold_lex = Lexicon(fold_words)
    N = (1 << BITS) * 4
    W, U, TW, TU = [0] * N, [0] * N, [0] * 60, [0] * 60
    pool = own + ["北京", "大学", "人", "中国"]  # words the two lexicons disagree on, and parts
    for step in range(30):
        sent = [
            rng.choice(pool)
            if rng.random() < 0.5
            else "".join(rng.choice(ALPHABET.replace(" ", "")) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(1, 6))
        ]
        text, gold = "".join(sent), word_tags(sent)
        use_fold = step % 2 == 0
        e1 = p.train(text, gold, 2, fold_lex if use_fold else None)
        e2 = ref.train_step(
            W, U, TW, TU, step + 1, ws, text, gold, 2, BITS, fold_words if use_fold else own
        )
        assert e1 == e2
    assert p.W.tolist() == W and p.TW.tolist() == TW and p.U.tolist() == U
    with pytest.raises(ValueError, match="no lexicon of its own"):
        p.train("北京", word_tags(["北京"]), 1, fold_lex)


# -- a tiny trained model -------------------------------------------------------

TINY_A = [
    "我们 在 北京 大学 学习",
    "他 是 北京 人",
    "我们 是 中国 人",
    "中国 人民 很 好",
    "他们 在 大学 学习 中文",
    "我 爱 北京",
]
TINY_B = [
    "我们在 北京大学 学习",
    "他是 北京人",
    "我们是 中国人",
    "中国人民 很好",
    "他们在 大学 学习 中文",
    "我爱 北京",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    a, b = d / "a.txt", d / "b.txt"
    a.write_text("\n".join(TINY_A * 3) + "\n", encoding="utf-8")
    b.write_text("\n".join(TINY_B * 3) + "\n", encoding="utf-8")
    cfg = TrainConfig(bits=14, epochs=8, patience=2, seed=7, lexicon_words=("北京", "大学"))
    model = train(
        {"fine": [str(a)], "coarse": [str(b)]},
        {"fine": [str(a)], "coarse": [str(b)]},
        cfg,
        log=None,
    )
    path = d / "tiny.qc"
    model.save(path)
    return model, path, a, b, cfg


def test_training_is_deterministic(tiny):
    model, _, a, b, cfg = tiny
    dev = {"fine": [str(a)], "coarse": [str(b)]}
    again = train({"fine": [str(a)], "coarse": [str(b)]}, dev, cfg, log=None)
    assert again.to_bytes() == model.to_bytes()
    other = train(
        {"fine": [str(a)], "coarse": [str(b)]},
        dev,
        TrainConfig(bits=14, epochs=8, seed=8, lexicon_words=("北京", "大学")),
        log=None,
    )
    assert other.weights.tobytes() != model.weights.tobytes()


def test_tiny_model_learns_both_standards(tiny):
    _, path, *_ = tiny
    fine = Tokenizer(engine="learned", model=path, standard="fine")
    coarse = Tokenizer(engine="learned", model=path, standard="coarse")
    for line in TINY_A:
        assert fine.lcut(line.replace(" ", "")) == line.split()
    for line in TINY_B:
        assert coarse.lcut(line.replace(" ", "")) == line.split()
    assert fine.standards() == ("fine", "coarse")
    assert set(fine.training_vocab()) == {w for line in TINY_A for w in line.split()}


def test_save_load_round_trip(tiny, tmp_path):
    model, path, *_ = tiny
    loaded = load(path)
    assert loaded.standards == model.standards and loaded.bits == model.bits
    assert np.array_equal(loaded.weights, model.weights)
    assert np.array_equal(loaded.trans, model.trans)
    assert loaded.lexicon == model.lexicon and loaded.vocab == model.vocab
    assert loaded.to_bytes() == model.to_bytes()
    copy = tmp_path / "copy.qc"
    loaded.save(copy)
    assert copy.read_bytes() == path.read_bytes()


def test_corrupt_files_are_rejected(tiny, tmp_path):
    _, path, *_ = tiny
    data = bytearray(path.read_bytes())
    bad = tmp_path / "bad.qc"
    for pos in (0, 30, len(data) // 2, len(data) - 1):
        flipped = bytearray(data)
        flipped[pos] ^= 0x40
        bad.write_bytes(bytes(flipped))
        with pytest.raises(ValueError, match="bad.qc"):
            load(bad)
        with pytest.raises(ValueError):
            Tokenizer(engine="learned", model=bad).lcut("我们")
    bad.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(ValueError, match="truncated|corrupt"):
        load(bad)
    bad.write_bytes(b"\x80\x03pickle")
    with pytest.raises(ValueError, match="not a qieci data file"):
        load(bad)
    with pytest.raises(ValueError, match="cannot read"):
        load(tmp_path / "missing.qc")


def test_wrong_metadata_is_rejected(tiny, tmp_path):
    _, path, *_ = tiny
    bad = tmp_path / "meta.qc"

    def rewrite(name, edit):
        sec = binfile.read(path, kind="model")
        sec[name] = zlib.compress(edit(zlib.decompress(sec[name])))
        bad.write_bytes(binfile.pack("model", sec, compress=False))

    rewrite("meta", lambda m: m.replace(b'"templates": 34', b'"templates": 7'))
    with pytest.raises(ValueError, match="feature templates"):
        load(bad)
    rewrite("meta", lambda m: m.replace(b'"format": 2', b'"format": 9'))
    with pytest.raises(ValueError, match="unsupported model format 9"):
        load(bad)
    # a model without back-off is written as format 2 (readable by builds
    # before format 3), which never backs off
    assert b'"format": 2' in zlib.decompress(binfile.read(path, kind="model")["meta"])
    rewrite("meta", lambda m: m.replace(b'"scale"', b'"parents": {"coarse": "fine"}, "scale"'))
    with pytest.raises(ValueError, match="back-off in a format 2 model"):
        load(bad)
    rewrite(
        "meta",
        lambda m: m.replace(b'"format": 2', b'"format": 3').replace(
            b'"scale"', b'"parents": ["coarse"], "scale"'
        ),
    )
    with pytest.raises(ValueError, match="corrupt model metadata"):
        load(bad)
    rewrite("meta", lambda m: m[:-3])
    with pytest.raises(ValueError, match="corrupt model metadata"):
        load(bad)
    for cut in (2, 8 * 4096):
        rewrite("weights", lambda w: w[:-cut])
        with pytest.raises(ValueError, match="wrong size"):
            load(bad)
        with pytest.raises(ValueError, match="wrong size"):
            Tokenizer(engine="learned", model=bad).lcut("我")
    rewrite("weights", lambda w: b"\xff\x7f" + w[2:])  # 32767: beyond the weight limit
    with pytest.raises(ValueError, match="out of range"):
        Tokenizer(engine="learned", model=bad).lcut("我")
    sec = binfile.read(path, kind="model")
    sec["trans"] = b"not zlib"
    bad.write_bytes(binfile.pack("model", sec, compress=False))
    with pytest.raises(ValueError, match="corrupt model section 'trans'"):
        load(bad)
    with pytest.raises(ValueError, match="no standard"):
        Tokenizer(engine="learned", model=path, standard="nope").lcut("我")


def test_user_words_are_forced_whole(tiny):
    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="fine")
    text = "我们在北京大学学习中文"
    assert "北京大学" not in tok.lcut(text)
    tok.add_word("北京大学")
    assert tok.lcut(text)[2] == "北京大学"
    tok.add_word("学习中")
    words = tok.lcut(text)
    assert "学习中" in words and "北京大学" in words
    # overlapping user words: leftmost-longest wins
    tok.add_word("大学学")
    assert "北京大学" in tok.lcut(text)
    tok.del_word("北京大学")
    tok.del_word("大学学")
    assert "北京大学" not in tok.lcut(text)
    # whitespace is always a word of its own: a user word holding it comes
    # out as its pieces, each whole, and the other user words still hold
    tok.add_word("京 大")
    tok.add_word("学习中")
    words = tok.lcut("北京 大学习中")
    assert "学习中" in words and " " in words and "京" in words
    assert "".join(words) == "北京 大学习中"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=texts,
    user=st.lists(
        st.text(alphabet="我你他的北京大学生 ", min_size=1, max_size=4), min_size=1, max_size=3
    ),
)
def test_user_words_property(tiny, text, user):
    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="fine")
    for w in user:
        tok.add_word(w)
    got = tok.lcut(text)
    assert "".join(got) == text
    spans = set()
    pos = 0
    for w in got:
        spans.add((pos, pos + len(w)))
        pos += len(w)
    # every leftmost-longest occurrence of a user word is a word; one that
    # holds whitespace (always a word of its own) gives its pieces between
    # the spaces, each a word
    longest_first = sorted(set(user), key=lambda w: (-len(w), w))
    i = 0
    while i < len(text):
        hit = next((w for w in longest_first if text.startswith(w, i)), None)
        if hit is None:
            i += 1
            continue
        start = i
        for j in range(i, i + len(hit) + 1):
            if j == i + len(hit) or text[j] == " ":
                if start < j:
                    assert (start, j) in spans, (text, user, got)
                start = j + 1
        i += len(hit)


def test_search_tokenize_and_cut_lines(tiny):
    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="coarse")
    text = "我们在北京大学学习"
    words = tok.lcut(text)
    assert "北京大学" in words
    search = tok.lcut_for_search(text)
    # sub-words in the lexicon come before their word
    i = search.index("北京大学")
    assert search[i - 2 : i] == ["北京", "大学"]
    assert [w for w in search if w in words] == words
    toks = list(tok.tokenize(text))
    assert [w for w, _, _ in toks] == words
    assert all(text[s:e] == w for w, s, e in toks)
    st_ = list(tok.tokenize(text, mode="search"))
    assert all(text[s:e] == w for w, s, e in st_)
    block = "我们在北京\r\n他是北京人\n\n中国人民很好"
    assert tok.cut_lines(block, "/") == join_lines(tok.lcut, block, "/")
    assert tok.cut_lines(block, " ", crlf_to_lf=True) == join_lines(tok.lcut, block, " ", True)
    assert list(tok.cut(text)) == words
    assert tok.lcut(text.encode("utf-8")) == words


def test_spec_rebuilds_the_same_tokenizer(tiny):
    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="coarse")
    tok.add_word("学习中文")
    spec = tok.spec()
    assert spec.engine.name == "learned" and dict(spec.engine.options)["standard"] == "coarse"
    again = spec.build()
    text = "他们在大学学习中文"
    assert again.lcut(text) == tok.lcut(text)
    assert "学习中文" in again.lcut(text)


def test_stream_with_learned_engine(tiny):
    from qieci.io.stream import cut_text

    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="fine")
    text = "".join(line.replace(" ", "") + "\n" for line in TINY_A)
    assert cut_text(tok, text) == "".join(
        " ".join(tok.lcut(line.replace(" ", ""))) + "\n" for line in TINY_A
    )


def test_load_userdict_does_not_load_jieba_dictionary(tiny, tmp_path):
    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="fine")
    ud = tmp_path / "user.txt"
    ud.write_text("北京大学 5 nt\n学习中文\n", encoding="utf-8")
    tok.load_userdict(str(ud))
    words = tok.lcut("我们在北京大学学习中文")
    assert "北京大学" in words and "学习中文" in words
    assert tok.user_word_tag_tab["北京大学"] == "nt"
    # in a fresh process, no jieba dictionary is ever loaded (the default
    # tokenizer's stays unread too)
    import subprocess
    import sys

    code = (
        "import qieci, sys\n"
        f"tok = qieci.Tokenizer(engine='learned', model={str(path)!r}, standard='fine')\n"
        f"tok.load_userdict({str(ud)!r})\n"
        "tok.lcut('我们在北京大学学习中文')\n"
        "print(qieci.dt.engine._state is None)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "True"
    with pytest.raises(ValueError, match="jieba engine"):
        tok.total


def test_engine_argument_errors():
    with pytest.raises(ValueError, match="unknown engine"):
        Tokenizer(engine="nope")
    with pytest.raises(ValueError, match="engine='learned'"):
        Tokenizer(engine="jieba", standard="pku")
    # standard= or model= alone mean the learned engine (as --standard does)
    assert Tokenizer(standard="pku").engine.name == "learned"


def test_long_lines_split_after_sentence_ends_for_learned_engine():
    learned = Tokenizer(engine="learned")
    text = "我们在北京。他们在上海！再见"
    assert learned.safe_split(text, 10) == 6
    assert learned.safe_split(text, 13) == 12
    assert learned.safe_split("北京大学生活", 4) is None  # no sentence end
    # the jieba engine may split after any punctuation or non-block char
    assert Tokenizer().safe_split("我们，他们", 4) == 3
    assert learned.safe_split("我们，他们", 4) is None


def test_shared_between_threads(tiny):
    from concurrent.futures import ThreadPoolExecutor

    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="fine")
    texts = [line.replace(" ", "") * (1 + i % 7) for i, line in enumerate(TINY_A * 40)]
    expect = [tok.lcut(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(tok.lcut, texts)) == expect


def test_user_words_added_while_other_threads_cut(tiny):
    """The user-word pattern is rebuilt lazily; a cut concurrent with
    add_word sees the words before or after it, never a broken pattern."""
    import threading

    _, path, *_ = tiny
    tok = Tokenizer(engine="learned", model=path, standard="fine")
    text = "我们在北京大学学习中文" * 3
    words = [f"词{i:03d}" for i in range(300)]
    stop = threading.Event()
    seen: list[list[str]] = []
    errors: list[BaseException] = []

    def cut() -> None:
        try:
            while not stop.is_set():
                seen.append(tok.lcut(text))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=cut) for _ in range(3)]
    for t in threads:
        t.start()
    tok.add_word("北京大学")
    for w in words:
        tok.add_word(w)
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert all("".join(ws) == text for ws in seen)
    assert tok.lcut(text).count("北京大学") == 3


# -- the bundled model ------------------------------------------------------------


def test_bundled_model_loads_offline_and_segments():
    from importlib import resources

    data = resources.files("qieci.engines.learned").joinpath("data", "learned.qc")
    assert data.is_file() and len(data.read_bytes()) <= 30 * 2**20
    tok = Tokenizer(engine="learned")
    assert tok.standards()[:3] == ("pku", "msr", "ctb")
    assert tok.standard == "cnc"  # the default: closest to jieba's granularity
    pku = Tokenizer(engine="learned", standard="pku")
    # the examples: no function word glued onto unknown names
    words = pku.lcut("陈继国于昨天来到北京")
    assert "于" in words and "陈继国于" not in words
    assert (
        "".join(pku.lcut("李晓鹏于帅帅说了１９９８年的事。")) == "李晓鹏于帅帅说了１９９８年的事。"
    )


def test_bundled_model_accuracy_on_a_dev_sample():
    from conftest import CORPORA, no_corpora
    from qieci.evaluate import score

    path = CORPORA / "dev" / "ctb6.txt"
    if not path.exists():
        no_corpora(path)
    with open(path, encoding="utf-8") as f:
        gold = [line.split() for line in f if line.strip()][:300]
    tok = Tokenizer(engine="learned", standard="ctb")
    assert score(gold, [tok.lcut("".join(g)) for g in gold]).f1 > 0.94


def test_huge_line_streams_in_pieces_split_after_sentence_ends():
    from qieci.io.stream import LONG_LINE_BYTES, cut_text

    tok = Tokenizer(engine="learned", standard="pku")
    line = "他们在北京大学学习中文。我们明天去上海！" * 80000
    assert len(line.encode("utf-8")) > LONG_LINE_BYTES  # so it goes in pieces
    out = cut_text(tok, line + "\n")
    assert out.count("\n") == 1 and out.replace(" ", "") == line + "\n"
    # every piece ends after 。 or ！, where the words agree with the whole line
    assert out == " ".join(tok.lcut(line)) + "\n"


@given(st.integers(0, 1000), st.sampled_from([(2, 1), (1, 3), (3, 2)]), words, texts)
def test_fold_with_a_parent_matches_reference(seed, pair, ws, text):
    """A standard that backs off to a parent: the parent's own weights of
    both features of a row are added (and saturated), as the reference adds
    them; a decoder folding block by block gets the same table."""
    std, parent = pair
    raw = _random_table(seed)
    table = fold(raw, BITS, std, parent)
    assert table.tolist() == ref.fold(raw.tolist(), BITS, std, parent)
    assert not np.array_equal(table, fold(raw, BITS, std))
    dec = Decoder(None, [0] * 20, Lexicon(ws), BITS, std, parent=parent)
    dec.fold_in(raw, 0)
    assert np.array_equal(dec.table_array(), table) and dec.parent == parent
    # saturation: weights at the limit in all four slots stay in int16
    big = np.full((1 << BITS) * 4, 16383, dtype=np.int16)
    assert set(fold(big, BITS, std, parent).tolist()) == {32767}
    assert set(fold(-big, BITS, std, parent).tolist()) == {-32768}
    expect = ref.decode(table.tolist(), [0] * 20, ws, text, BITS, std)
    assert dec.tags(text) == expect


def test_backoff_decoding_scores_are_the_four_slot_sums():
    """The definition, written out: under back-off, feature b scores
    W[b] + W[b^salt(std)] + W[b^salt(parent)] + W[b^salt(std)^salt(parent)]
    per tag, which Perceptron.train adds up (see its twin) and the folded
    table gives the decoder."""
    rng = random.Random(3)
    ws = ["北京", "大学", "中国人"]
    for _ in range(30):
        W = [rng.randint(-3000, 3000) for _ in range((1 << BITS) * 4)]
        std, parent = rng.choice([(2, 1), (1, 3), (3, 2)])
        text = "".join(
            rng.choice("我你他的北京大学生人民中国年月") for _ in range(rng.randint(1, 30))
        )
        sl, sp = ref.salt(std, BITS), ref.salt(parent, BITS)
        want = [
            [
                sum(
                    W[b * 4 + t]
                    + W[(b ^ sl) * 4 + t]
                    + W[(b ^ sp) * 4 + t]
                    + W[(b ^ sl ^ sp) * 4 + t]
                    for b in row
                )
                for t in range(4)
            ]
            for row in ref.feature_buckets(ws, text, BITS)
        ]
        table = fold(np.array(W, dtype=np.int16), BITS, std, parent)
        dec = Decoder(table, [0] * 20, Lexicon(ws), BITS, std, parent=parent)
        assert dec.scores(text) == want


def test_a_standard_is_not_its_own_parent():
    raw = _random_table(1)
    with pytest.raises(ValueError, match="parent"):
        fold(raw, BITS, 2, 2)
    with pytest.raises(ValueError, match="parent"):
        Decoder(None, [0] * 20, Lexicon(), BITS, 2, parent=2)
    p = Perceptron(BITS, 2, Lexicon())
    with pytest.raises(ValueError, match="parent"):
        p.train("北京", word_tags(["北京"]), 1, parent=1)
    with pytest.raises(ValueError, match="parent"):
        p.train("北京", word_tags(["北京"]), 1, parent=3)


def test_perceptron_step_with_a_parent_matches_reference():
    """Standard 2 backs off to standard 1: the parent's own weights count in
    its scores and transitions, and only the shared and standard 2's own
    weights move on its sentences."""
    rng = random.Random(11)
    ws = ["北京", "大学", "中国人", "我们"]
    p = Perceptron(BITS, 3, Lexicon(ws))
    N = (1 << BITS) * 4
    W, U, TW, TU = [0] * N, [0] * N, [0] * 80, [0] * 80
    for step in range(60):
        sent = _random_sentence(rng)
        text, gold = "".join(sent), word_tags(sent)
        std = rng.randint(1, 3)
        parent = 1 if std == 2 else 0
        e1 = p.train(text, gold, std, None, 1, 1, None, parent)
        e2 = ref.train_step(
            W, U, TW, TU, step + 1, ws, text, gold, std, BITS, None, 1, 1, None, parent
        )
        assert e1 == e2
    assert p.W.tolist() == W and p.U.tolist() == U
    assert p.TW.tolist() == TW and p.TU.tolist() == TU
    # standard 2's sentences never moved the parent's own transitions: a
    # run without standard 1's sentences leaves its row at zero
    q = Perceptron(BITS, 2, Lexicon(ws))
    for _ in range(10):
        q.train("我们在北京", word_tags(["我们", "在", "北京"]), 2, parent=1)
    assert not q.TW[20:40].any() and q.TW[40:60].any()


def test_backoff_is_saved_loaded_and_decoded(tiny, tmp_path):
    """A model trained with "coarse" backing off to "fine" says so in its
    file; loading it decodes "coarse" with fine's own weights added, as the
    trainer's own decoder does; bad back-off metadata is refused."""
    _, _, a, b, cfg = tiny
    corpora = {"fine": [str(a)], "coarse": [str(b)]}
    model = train(corpora, corpora, replace(cfg, parents={"coarse": "fine"}), log=None)
    assert model.parents == {"coarse": "fine"} and model.parent_index("coarse") == 1
    path = tmp_path / "fam.qc"
    model.save(path)
    assert b'"format": 3' in zlib.decompress(binfile.read(path, kind="model")["meta"])
    back = load(path)
    assert back.parents == {"coarse": "fine"}
    tok = Tokenizer(engine="learned", standard="coarse", model=path)
    dec = decoder_for(model, 2, Lexicon(text=model.lexicon))
    for line in TINY_B:
        text = line.replace(" ", "")
        assert tok.lcut(text) == dec.lcut(text)
    assert tok.engine._ready().decoder.parent == 1
    # trained to half the weight limit: a row's four slots fit in int16
    assert int(np.abs(model.weights.astype(np.int32)).max()) <= 16383 // 2
    # the engines of one read of the file decode as each standard alone
    for std, engine in zip(["coarse", "fine"], engines_by_standard(["coarse", "fine"], path)):
        alone = Tokenizer(engine="learned", standard=std, model=path)
        assert engine._ready().decoder.parent == alone.engine._ready().decoder.parent
        assert np.array_equal(
            engine._ready().decoder.table_array(), alone.engine._ready().decoder.table_array()
        )
        shared = Tokenizer(engine=engine)
        for line in TINY_B:
            text = line.replace(" ", "")
            assert shared.lcut(text) == alone.lcut(text)
    assert (
        Tokenizer(engine="learned", standard="fine", model=path).engine._ready().decoder.parent == 0
    )
    # one level only, and both standards must exist
    for parents, why in (
        ({"coarse": "nope"}, "both must be standards"),
        ({"coarse": "coarse"}, "backs off to none"),
        ({"coarse": "fine", "fine": "coarse"}, "backs off to none"),
    ):
        with pytest.raises(ValueError, match=why):
            train(corpora, corpora, replace(cfg, parents=parents), log=None)
        bad = replace(model, parents=parents)
        bad_path = tmp_path / "bad.qc"
        bad.save(bad_path)
        with pytest.raises(ValueError, match=rf"bad\.qc: corrupt model metadata .*{why}"):
            load(bad_path)


def test_the_quick_space_test_of_user_words_is_the_decoders():
    # engine._SPACE must match exactly what the decoder forces to S
    from qieci.engines.learned.engine import _SPACE
    from qieci.engines.learned.reference import is_space, norm

    for c in range(0x110000):
        if 0xD800 <= c < 0xE000:
            continue
        assert is_space(norm(c)) == bool(_SPACE.fullmatch(chr(c))), hex(c)


SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]


def test_every_whitespace_character_is_a_word_of_its_own():
    """Whatever str.isspace() takes as whitespace (U+2028, U+202F, U+1680,
    U+001C ... too) is a word of its own in every standard, on the text
    path and the line path."""
    assert len(SPACES) == 29
    text = "".join(f"ab{c}cd北京{c}大学{c}3.5" for c in SPACES if c not in "\n\r")
    for std in Tokenizer(engine="learned").standards():
        tok = Tokenizer(engine="learned", standard=std)
        words = tok.lcut(text)
        assert "".join(words) == text
        for i, w in enumerate(words):
            if any(c in SPACES for c in w):
                assert len(w) == 1, (std, words[i - 1 : i + 2])
        lines = tok.engine.cut_lines(text + "\n" + text, "|", "default", True, False)
        assert lines.split("\n") == ["|".join(words)] * 2


@pytest.mark.parametrize(
    ("user", "text", "atom"),
    [
        ("3.1", "3.14159是圆周率", "3.14159"),
        ("example", "请写信到abc@example.com", "abc@example.com"),
        ("3.1", "版本2.3.1发布", "2.3.1"),
        ("AI", "OpenAI发布了新模型", "OpenAI"),
        ("AI发", "OpenAI发布了新模型", "OpenAI"),  # straddles the atom's end
        ("le.c", "访问www.example.com", "www.example.com"),
    ],
)
def test_a_user_word_never_cuts_inside_an_atom(user, text, atom):
    """A user word whose end would fall inside an atom (a number, e-mail
    address, version, Latin word, URL) is not forced there: the atom stays
    one word, as without the user word (README: never cut inside)."""
    tok = Tokenizer(engine="learned")
    assert atom in tok.lcut(text)
    tok.add_word(user)
    words = tok.lcut(text)
    assert atom in words and "".join(words) == text
    # where it cuts no atom, the user word is forced as before
    tok.add_word("圆周率是")
    assert "圆周率是" in tok.lcut("圆周率是常数")


def test_a_user_word_holding_whole_atoms_is_kept():
    tok = Tokenizer(engine="learned")
    tok.add_word("版本2.3.1")
    assert "版本2.3.1" in tok.lcut("新版本2.3.1发布")
