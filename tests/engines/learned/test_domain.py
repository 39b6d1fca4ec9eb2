"""Domain statistics (``qieci adapt``): the counting kernel and the domain
features against the pure-Python reference, the domain file format, and
the API and CLI that use them."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qieci import Tokenizer, binfile
from qieci.cli import main
from qieci.engines.learned import reference as ref
from qieci.engines.learned._learned import (
    Decoder,
    Domain,
    DomainCounter,
    Lexicon,
    Perceptron,
    feature_buckets,
    fold,
)
from qieci.engines.learned.domain import DOMAIN_KIND, count, load, with_words
from qieci.engines.learned.train import word_tags

# few characters, so that grams repeat and entropies vary; ， 。 a 1 break Han runs
ALPHABET = "北京大学生人民中国的了是在年十，。a1 "
lines = st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=12)
BITS = 10


def table_of(texts: list[str], min_count: int = 2) -> dict[int, int]:
    c = DomainCounter()
    for t in texts:
        c.add(t)
    keys, values = c.table(min_count)
    assert keys.tolist() == sorted(keys.tolist())
    return dict(zip(keys.tolist(), values.tolist(), strict=True))


@settings(max_examples=150)
@given(lines, st.integers(1, 3))
def test_counter_matches_reference(texts, min_count):
    assert table_of(texts, min_count) == ref.domain_table(texts, min_count)


def test_entropy_buckets_by_hand():
    """北京 is followed by 4 different chars, once each: right entropy log 4
    = 1.39 nats, bucket int(2 * 1.39) = 2; always preceded by the start of
    a run (each a neighbour of its own): left entropy log 4, bucket 2.
    京大, always followed by 学 and preceded by 北, has entropies 0."""
    got = table_of(["北京大学", "北京人", "北京的", "北京年"])
    assert got[ref.gram_key("北京")] == 2 | 2 << 3
    assert ref.gram_key("京大") not in got  # seen once only
    got = table_of(["北京大学"] * 3)
    assert ref.gram_key("京大") not in got  # entropies 0: value 0, left out
    # 3 runs end and start at 北京大学: log 3 = 1.10 nats, bucket 2
    assert got[ref.gram_key("北京大学")] == 2 | 2 << 3
    got = table_of(["北京大学"] * 8)  # log 8 = 2.08 nats: bucket 4
    assert got[ref.gram_key("北京大学")] == 4 | 4 << 3


@given(lines, st.text(alphabet=ALPHABET, max_size=30))
def test_domain_features_match_reference(texts, text):
    t = ref.domain_table(texts)
    keys = np.array(sorted(t), dtype=np.uint64)
    dom = Domain(keys, np.array([t[k] for k in sorted(t)], dtype=np.uint8))
    assert dom.values(text) == ref.domain_values(t, text)
    ws = ["北京", "大学", "人民"]
    assert feature_buckets(Lexicon(ws), text, BITS, None, dom) == ref.feature_buckets(
        ws, text, BITS, None, t
    )


@given(st.integers(0, 500), lines, st.text(alphabet=ALPHABET, max_size=30))
def test_decoder_and_perceptron_with_a_domain_match_reference(seed, texts, text):
    t = ref.domain_table(texts)
    stats = count(texts)
    rng = np.random.default_rng(seed)
    raw = rng.integers(-300, 300, size=(1 << BITS) * 4).astype(np.int16)
    table = fold(raw, BITS, 1)
    dec = Decoder(table, [0] * 20, Lexicon([]), BITS, 1)
    dec.domain = stats.table()
    assert dec.tags(text) == ref.decode(table.tolist(), [0] * 20, [], text, BITS, 1, None, None, t)
    sent = [w for w in text.split(" ") if w]
    p = Perceptron(BITS, 1, Lexicon([]))
    N = (1 << BITS) * 4
    W, U, TW, TU = [0] * N, [0] * N, [0] * 40, [0] * 40
    s = "".join(sent)
    assert p.train(s, word_tags(sent), 1, None, 1, 1, stats.table()) == ref.train_step(
        W, U, TW, TU, 1, [], s, word_tags(sent), 1, BITS, None, 1, 1, t
    )
    assert p.W.tolist() == W and p.TW.tolist() == TW


def test_domain_table_refuses_bad_entries():
    with pytest.raises(ValueError, match="one value per key"):
        Domain(np.array([3], dtype=np.uint64), np.array([], dtype=np.uint8))
    with pytest.raises(ValueError, match="out of range"):
        Domain(np.array([3], dtype=np.uint64), np.array([64], dtype=np.uint8))


def test_file_round_trip(tmp_path):
    stats = count(["北京大学北京人北京的", "北京大学很美北京大学的学生"] * 4)
    path = tmp_path / "d.qcd"
    stats.save(path)
    back = load(path)
    assert back.keys.tolist() == stats.keys.tolist()
    assert back.values.tolist() == stats.values.tolist()
    assert (back.min_count, back.chars, back.full) == (2, stats.chars, False)
    # honours the umask (not mkstemp's 0600)
    assert path.stat().st_mode & 0o777 == 0o666 & ~binfile.current_umask()


def test_damaged_files_are_refused_naming_them(tmp_path):
    stats = count(["北京大学北京人北京的"] * 4)
    good = stats.to_bytes()
    bad = tmp_path / "bad.qcd"
    for data, message in [
        (good[: len(good) // 2], "truncated"),
        (good[:-3] + bytes([good[-3] ^ 0xFF]) + good[-2:], "checksum"),
        (binfile.pack("model", {"meta": b"{}"}), "expected 'domain'"),
        (binfile.pack(DOMAIN_KIND, {"meta": b"{}", "table": b""}), "corrupt domain metadata"),
    ]:
        bad.write_bytes(data)
        with pytest.raises(ValueError, match=message) as err:
            load(bad)
        assert str(bad) in str(err.value)
    # keys out of order
    meta = (
        b'{"format": 1, "hash": "fnv1a64-norm-mix-len", "min_count": 2, '
        b'"chars": 9, "grams": 2, "full": false}'
    )
    table = np.array([5, 3], dtype="<u8").tobytes() + bytes([1, 1])
    bad.write_bytes(binfile.pack(DOMAIN_KIND, {"meta": meta, "table": table}))
    with pytest.raises(ValueError, match="unsorted"):
        load(bad)


NOVEL = [
    "韩立 看着 墨大夫 ， 心中 一动 。",
    "墨大夫 笑 了 ， 韩立 点头 。",
    "韩立 走 进 七玄门 的 大门 。",
    "七玄门 的 弟子 都 认识 韩立 。",
    "墨大夫 是 七玄门 的 大夫 。",
] * 6


@pytest.fixture(scope="module")
def domain_model(tmp_path_factory):
    """A tiny model trained to read domain statistics (two folds)."""
    d = tmp_path_factory.mktemp("dm")
    corpus = d / "c.txt"
    corpus.write_text("\n".join(NOVEL) + "\n", encoding="utf-8")
    model = d / "m.qc"
    args = ["train", "--corpus", f"toy={corpus}", "--epochs", "3", "--bits", "12"]
    args += ["--no-jieba-lexicon", "--domain-folds", "2", "-o", str(model)]
    assert main(args) == 0
    return model


def test_tokenizer_reads_a_domain(tmp_path, domain_model):
    """domain= implies the learned engine, travels in the spec (a path, no
    data) and pickles; the output stays lossless; a missing file is named."""
    path = tmp_path / "d.qcd"
    count(line.replace(" ", "") for line in NOVEL).save(path)
    tok = Tokenizer(model=domain_model, domain=path)
    assert tok.engine.name == "learned"
    text = "韩立看了一眼墨大夫。"
    words = tok.lcut(text)
    assert "".join(words) == text
    assert ("domain", str(path)) in tok.engine.spec().options
    assert pickle.loads(pickle.dumps(tok)).lcut(text) == words
    with pytest.raises(ValueError, match="d2.qcd"):
        Tokenizer(model=domain_model, domain=tmp_path / "d2.qcd").lcut(text)


def test_a_domain_that_would_change_nothing_is_refused(tmp_path):
    """A model that reads a domain's words but not its statistics refuses a
    domain without words for its standard, saying what to do; a model
    that reads neither says that. (The bundled model reads both.)"""
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(NOVEL) + "\n", encoding="utf-8")
    lex = tmp_path / "lex.txt"
    lex.write_text("韩立\n七玄门\n", encoding="utf-8")
    args = ["train", "--corpus", f"toy={corpus}", "--epochs", "1", "--bits", "10"]
    args += ["--no-jieba-lexicon"]
    words_only, plain = tmp_path / "words.qc", tmp_path / "plain.qc"
    assert main([*args, "--std-lexicon", f"toy={lex}", "-o", str(words_only)]) == 0
    assert main([*args, "-o", str(plain)]) == 0
    stats_only = count(["北京大学北京人"] * 3)
    with pytest.raises(
        ValueError, match=r"of a domain \(words\) for standard 'toy'.*adapt --standard toy"
    ):
        Tokenizer(model=words_only, domain=stats_only).lcut("北京")
    other = with_words(stats_only, {"msr": ["北京人"]})
    with pytest.raises(ValueError, match="it has words for: msr"):
        Tokenizer(model=words_only, domain=other).lcut("北京")
    assert Tokenizer(model=words_only, domain=with_words(stats_only, {"toy": ["北京"]})).lcut(
        "北京"
    )
    words = with_words(count(["北京"]), {"*": ["北京"]})
    with pytest.raises(ValueError, match="reads neither.*--domain-folds"):
        Tokenizer(model=plain, domain=words).lcut("北京")
    # the bundled model reads the statistics alone too
    assert "".join(Tokenizer(standard="pku", domain=stats_only).lcut("北京大学")) == "北京大学"


def test_domain_words_join_the_standard_lexicon():
    """Words of the domain are evidence, not forced cuts: with the bundled
    model, names it splits come out whole under ctb, while pku keeps its
    own finer 墨 大夫 (a surname and a title) even when the domain has
    墨大夫; the statistics of the text alone change nothing for it."""
    raw = ["韩立走进七玄门的大门。", "七玄门的弟子都认识韩立。", "墨大夫是七玄门的大夫。"]
    plain = {s: Tokenizer(standard=s) for s in ("pku", "ctb")}
    assert "七玄门" not in plain["pku"].lcut(raw[0])
    domain = with_words(count(raw), {"*": ["七玄门", "墨大夫", "韩立"]})
    for std, tok in plain.items():
        adapted = Tokenizer(standard=std, domain=domain)
        for line in raw:
            words = adapted.lcut(line)
            assert "".join(words) == line
            assert "七玄门" in words
    assert Tokenizer(standard="ctb", domain=domain).lcut(raw[2])[0] == "墨大夫"
    assert Tokenizer(standard="pku", domain=domain).lcut(raw[2])[:2] == ["墨", "大夫"]
    # words for another standard only do not reach this one
    ctb_only = with_words(count(raw), {"ctb": ["七玄门"]})
    assert Tokenizer(standard="ctb", domain=ctb_only).lcut(raw[1])[0] == "七玄门"


def test_words_round_trip_pickle_and_equality(tmp_path):
    stats = with_words(count(["韩立走进七玄门"] * 3), {"*": ["七玄门"], "pku": ["韩立", "韩立"]})
    assert stats.words == {"*": ("七玄门",), "pku": ("韩立",)}  # duplicates dropped
    path = tmp_path / "d.qcd"
    stats.save(path)
    back = load(path)
    assert back.words == stats.words and back == stats and hash(back) == hash(stats)
    assert back.words_for("pku") == ["七玄门", "韩立"] and back.words_for("msr") == ["七玄门"]
    assert pickle.loads(pickle.dumps(stats)) == stats
    assert with_words(stats, {"*": ["七玄"]}) != stats
    # a tokenizer with an in-memory domain pickles it by value
    tok = Tokenizer(standard="pku", domain=stats)
    assert pickle.loads(pickle.dumps(tok)).lcut("韩立走进七玄门") == tok.lcut("韩立走进七玄门")


def test_format_1_files_still_load(tmp_path):
    stats = count(["北京大学北京人北京的"] * 4)
    meta = (
        '{"format": 1, "hash": "fnv1a64-norm-mix-len", "min_count": 2, '
        f'"chars": {stats.chars}, "grams": {stats.keys.size}, "full": false}}'
    ).encode()
    table = stats.keys.astype("<u8").tobytes() + stats.values.tobytes()
    path = tmp_path / "v1.qcd"
    path.write_bytes(binfile.pack(DOMAIN_KIND, {"meta": meta, "table": table}))
    back = load(path)
    assert back.words == {} and back.keys.tolist() == stats.keys.tolist()


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (b"[1, 2]", "JSON object of word lists"),
        (b'{"*": "abc"}', "must be a list"),
        (b'{"*": ["a b"]}', "is not a word"),
        (b'{"*": [""]}', "is not a word"),
        (b'{"*": ["\\u0000x"]}', "is not a word"),
        ('{"*": ["' + "长" * 17 + '"]}', "is not a word"),
        (b'{"": ["x"]}', "bad standard name"),
        (b'{"*": [3]}', "is not a word"),
        (b"{", "corrupt domain words"),
        (b"\xff", "corrupt domain words"),
    ],
)
def test_damaged_words_are_refused_naming_the_file(tmp_path, words, message):
    stats = count(["北京大学北京人"] * 3)
    good = binfile.unpack(stats.to_bytes(), kind=DOMAIN_KIND, source="x")
    raw = words.encode("utf-8") if isinstance(words, str) else words
    bad = tmp_path / "bad.qcd"
    bad.write_bytes(binfile.pack(DOMAIN_KIND, {**good, "words": raw}))
    with pytest.raises(ValueError, match=message) as err:
        load(bad)
    assert str(bad) in str(err.value)
    missing = {k: v for k, v in good.items() if k != "words"}
    bad.write_bytes(binfile.pack(DOMAIN_KIND, missing))
    with pytest.raises(ValueError, match="words"):
        load(bad)


def test_the_domain_changes_the_decoder_scores(tmp_path, domain_model):
    """With the statistics loaded, the model's emission scores differ from
    without them (the features are read), here and in the reference."""
    from qieci.engines.learned.engine import LearnedEngine

    path = tmp_path / "d.qcd"
    count(line.replace(" ", "") for line in NOVEL).save(path)
    text = "韩立看着墨大夫"
    with_dom = LearnedEngine(model=domain_model, domain=path)
    without = LearnedEngine(model=domain_model)
    with_dom.load()
    without.load()
    a = with_dom._ready().decoder.scores(text)
    b = without._ready().decoder.scores(text)
    assert a != b


def test_cli_adapt_then_cut(tmp_path, capsys, domain_model):
    """qieci adapt writes the words and the statistics; cut --domain reads
    them; cut --adapt-self is the same two steps on the input itself (the
    same bytes out, with -j 1 and -j 2); a model trained to read the
    statistics reads them from the same file."""
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "韩立看着墨大夫。\n墨大夫笑了，韩立点头。\n七玄门的韩立。\n" * 5, encoding="utf-8"
    )
    dom = tmp_path / "d.qcd"
    assert main(["adapt", str(raw), "--standard", "ctb", "-o", str(dom)]) == 0
    err = capsys.readouterr().err
    assert "model words over 1 standard(s)" in err and "grams, from" in err
    got = load(dom)
    assert set(got.words) == {"*", "ctb"} and len(got.keys) > 0
    assert "韩立" in got.words_for("ctb")
    outs = []
    for extra in (["--domain", str(dom)], ["--adapt-self"], ["--adapt-self", "-j", "2"]):
        out = tmp_path / f"out{len(outs)}.txt"
        assert main(["cut", str(raw), "--standard", "ctb", *extra, "-o", str(out)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    lines = outs[0].decode("utf-8").splitlines()
    assert [ln.replace(" ", "") for ln in lines] == raw.read_text(encoding="utf-8").splitlines()
    # the statistics, for a model that reads them
    args = ["cut", str(raw), "--model", str(domain_model), "--domain", str(dom), "-o", str(out)]
    assert main(args) == 0
    capsys.readouterr()


def test_cli_adapt_self_mistakes(tmp_path, capsys):
    raw = tmp_path / "raw.txt"
    raw.write_text("韩立看着墨大夫。\n", encoding="utf-8")
    for args, message in [
        (["cut", "-", "--adapt-self"], "stdin can be read only once: save the text to a file"),
        (["cut", str(raw), "--adapt-self", "--domain", str(raw)], "give it or --domain"),
        (["cut", str(raw), "--adapt-self", "--engine", "jieba"], "for the learned engine"),
        (["cut", str(raw), "--adapt-self", "--standard", "nope"], "no standard 'nope'"),
    ]:
        assert main(args) == 2
        assert message in capsys.readouterr().err
    # nothing to learn from one character: said, then cut as without a domain
    one = tmp_path / "one.txt"
    one.write_text("我\n", encoding="utf-8")
    assert main(["cut", str(one), "--adapt-self", "-o", str(tmp_path / "o.txt")]) == 0
    assert "no words: cutting without a domain" in capsys.readouterr().err
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == "我\n"


@pytest.mark.parametrize(
    "args",
    [
        ["cut", "--adapt-self", "FIFO", "-o", "out.txt"],
        ["adapt", "FIFO", "-o", "d.qcd"],
        ["adapt", "raw.txt", "FIFO", "-o", "d.qcd"],
    ],
)
def test_cli_a_fifo_that_two_passes_would_read_is_refused_at_once_never_waited_on(tmp_path, args):
    # a FIFO with no writer: opening it would wait for ever
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "raw.txt").write_text("韩立看着墨大夫。\n", encoding="utf-8")
    argv = [str(fifo) if a == "FIFO" else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "qieci", *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert f"{fifo}" in done.stderr and "Traceback" not in done.stderr
    assert "can be read only once" in done.stderr or "pipe it to stdin" in done.stderr
    assert not (tmp_path / "out.txt").exists() and not (tmp_path / "d.qcd").exists()


def test_cli_mistakes(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["adapt", str(empty), "-o", str(tmp_path / "d.qcd")]) == 2
    assert "no text" in capsys.readouterr().err
    assert not (tmp_path / "d.qcd").exists()
    bad = tmp_path / "bad.txt"
    # (enough text to learn a domain from: adapt refuses an empty domain)
    bad.write_bytes("\n".join(NOVEL * 5).encode() + b"\n\xff\n")
    assert main(["adapt", str(bad), "-o", str(tmp_path / "d.qcd")]) != 0
    assert f"bad.txt:{len(NOVEL) * 5 + 1}" in capsys.readouterr().err
    # repaired or skipped lines are said, even with -q
    for policy, verb in (("replace", "repaired"), ("skip-line", "skipped")):
        args = ["adapt", str(bad), "-o", str(tmp_path / "d.qcd"), "--standard", "pku", "-q"]
        assert main([*args, "--errors", policy]) == 0
        assert capsys.readouterr().err == f"qieci: {verb} 1 line(s) with invalid input bytes\n"
    # stdin too (read once, before the counting pass)
    import subprocess
    import sys

    out = str(tmp_path / "s.qcd")
    args = ["-m", "qieci", "adapt", "-", "-o", out, "--standard", "pku", "--errors", "replace"]
    done = subprocess.run(
        [sys.executable, *args], input=bad.read_bytes(), capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert b"repaired 1 line(s)" in done.stderr and load(out).chars > 0
    assert main(["cut", str(bad), "--engine", "jieba", "--domain", "x.qcd"]) == 2
    assert "learned engine only" in capsys.readouterr().err


def test_an_empty_domain_is_named_empty_and_adapt_writes_none(tmp_path):
    """A text too small to learn from gives a domain of no words and no
    grams: qieci adapt refuses to write it, and a tokenizer given one says
    it is empty (it used to say the domain had no words for the standard
    while listing that standard, and to suggest the very adapt command)."""
    import subprocess
    import sys

    from qieci.discover import adapt

    empty = adapt(texts=["我来到北京"], standards="pku")
    assert empty.keys.size == 0 and not any(empty.words.values())
    with pytest.raises(ValueError, match=r"^the domain is empty .*from 5 characters.*more text"):
        Tokenizer(standard="pku", domain=empty).lcut("我来到北京")
    small = tmp_path / "small.txt"
    small.write_text("我来到北京", encoding="utf-8")
    out = tmp_path / "d.qcd"
    res = subprocess.run(
        [sys.executable, "-m", "qieci", "adapt", str(small), "--standard", "pku", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 2 and "5 characters gave an empty domain" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and not out.exists()
