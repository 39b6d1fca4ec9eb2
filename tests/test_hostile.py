"""A generated hostile-input suite: more than 1,000 cases from a seeded
generator, over user dictionaries, delimiters, corrupt files of every
format, and special paths; in-process through the Python API, and a sample
of them through the real CLI.

Every case must end (an alarm catches a hang) with either a result or a
ValueError whose message names the file; never another exception, a crash
or a traceback. Whatever is cut stays lossless and keeps one output line
per input line.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest

import qieci
from qieci import binfile
from qieci.analyse.idf import IDFTable, load_idf, read_stop_words
from qieci.engines.jieba.dictionary import DictData, hmm_from_bytes, parse_text_dictionary
from qieci.engines.jieba.posmodel import PosHMMTables, default_tables
from qieci.io.stream import CutOptions, cut_text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX paths")

SEED = 14
HAN = "我你他的了是在北京大学生人民中国清华来到网易杭研厦石墨烯"
NASTY = [
    "\n", "\r", "\r\n", "\t", " ", "\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u3000",
    "\ufeff", "\ufffd", "\ud800", "\udfff", "😀", "\u0301", "'", '"', "\\", "/", "=", "%s", "{}",
]  # fmt: skip
QIECI = [sys.executable, "-m", "qieci"]


@contextmanager
def deadline(seconds: int = 20):
    def hung(signum, frame):
        raise TimeoutError("the case hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def outcome(fn: Callable[[], object], name: str | None) -> str:
    """ "ok", or "ValueError" (naming ``name``); anything else fails."""
    with deadline(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # user-dictionary warnings are fine
        try:
            fn()
        except ValueError as exc:
            if name is not None:
                assert name in str(exc), f"the error does not name {name}: {exc}"
            assert "\n" not in str(exc).rstrip("\n"), f"a multi-line error: {exc!r}"
            return "ValueError"
    return "ok"


def hostile_text(rng: random.Random, n: int = 12) -> str:
    parts = []
    for _ in range(rng.randint(1, n)):
        r = rng.random()
        if r < 0.5:
            parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(1, 6))))
        elif r < 0.8:
            parts.append(rng.choice(NASTY))
        else:
            parts.append(rng.choice(["abc", "3.14", "ＡＢ１", "，。", "！？", "x" * 50]))
    return "".join(parts)


def check_cut(tok: qieci.Tokenizer, text: str, opts: CutOptions | None = None) -> None:
    """Lossless words, and one output line per input line."""
    with deadline():
        for line in text.split("\n"):
            assert "".join(tok.lcut(line)) == line
        # a file holds no lone surrogates (they are not UTF-8)
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
        out = cut_text(tok, text, opts or CutOptions())
    assert out.count("\n") == text.count("\n")
    out.encode("utf-8")  # nothing unencodable written


# -- user dictionaries ---------------------------------------------------------------


def user_dict_bytes(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(0, 8)):
        kind = rng.random()
        word = "".join(rng.choice(HAN + "".join(NASTY[4:])) for _ in range(rng.randint(0, 7)))
        if kind < 0.3:
            lines.append(
                f"{word} {rng.choice([1, 0, -3, 2**63, 2**70, 10**30, 3])} {rng.choice(['n', 'nz', 'n v', '', 'x' * 40])}"
            )
        elif kind < 0.5:
            lines.append(word)
        elif kind < 0.6:
            lines.append(f"{word}  {rng.randint(1, 9)}")
        elif kind < 0.7:
            lines.append(" ".join([word, "3", "n", "extra"]))
        else:
            lines.append(f"{word} {rng.randint(1, 100)}")
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    r = rng.random()
    if r < 0.15:
        data = b"\xef\xbb\xbf" + data
    elif r < 0.3 and data:
        pos = rng.randrange(len(data))
        data = data[:pos] + bytes([rng.choice([0xFF, 0xC3, 0x80, 0xED])]) + data[pos:]
    elif r < 0.35:
        data = data.replace(b"\n", b"\r\n")
    return data


@pytest.mark.parametrize("engine", ["jieba", "learned"])
def test_hostile_user_dictionaries(engine, tmp_path):
    rng = random.Random(f"{SEED}-userdict-{engine}")
    tok = qieci.Tokenizer(engine=engine)
    tok.initialize()
    seen = {"ok": 0, "ValueError": 0}
    cases = 160
    for i in range(cases):
        path = tmp_path / f"user{i}.txt"
        path.write_bytes(user_dict_bytes(rng))
        seen[outcome(lambda p=path: tok.load_userdict(str(p)), str(path))] += 1
        word = rng.choice(HAN) * rng.randint(1, 3) + rng.choice(NASTY)
        seen[outcome(lambda w=word: tok.add_word(w, rng.choice([None, 1, 2**64])), None)] += 1
        check_cut(tok, hostile_text(rng) + "\n" + hostile_text(rng))
    assert seen["ok"] and seen["ValueError"], seen
    assert sum(seen.values()) == 2 * cases


# -- delimiters ----------------------------------------------------------------------


def test_hostile_delimiters():
    rng = random.Random(f"{SEED}-delimiters")
    tok = qieci.Tokenizer()
    tok.initialize()
    refused = 0
    cases = 240
    for i in range(cases):
        sep = "".join(rng.choice(NASTY + ["|", "  ", "词"]) for _ in range(rng.randint(1, 3)))
        field = "pos_sep" if i % 3 == 0 else "delimiter"
        mode = "pos" if field == "pos_sep" else rng.choice(["default", "search", "all"])
        try:
            opts = CutOptions(mode=mode, **{field: sep})
        except ValueError as exc:
            assert "line break" in str(exc) or "UTF-8" in str(exc), exc
            assert "\n" in sep or "\r" in sep or any(0xD800 <= ord(c) <= 0xDFFF for c in sep)
            refused += 1
            continue
        text = "\n".join(hostile_text(rng) for _ in range(rng.randint(1, 4)))
        check_cut(tok, text, opts)
    assert 0 < refused < cases


# -- corrupt files of every format ----------------------------------------------------


def small_formats(tmp: Path) -> dict[str, bytes]:
    """One small, valid file of every format qieci reads."""
    trie, tags = parse_text_dictionary(["北京 10 ns", "大学 5 n", "北京大学 3 nt", "学生 4 n"], "x")
    t = default_tables()
    pos = PosHMMTables(
        t.states, t.start, t.trans_from, t.trans_to, t.trans_p,
        t.emit_chars[:40], t.emit_ptr[:41], t.emit_state[: t.emit_ptr[40]],
        t.emit_p[: t.emit_ptr[40]], t.cs_chars[:40], t.cs_ptr[:41],
        t.cs_state[: t.cs_ptr[40]],
    )  # fmt: skip
    gold = tmp / "gold.txt"
    gold.write_text("我 来到 北京 清华大学\n他 来到 了 网易 杭研 大厦\n" * 20, encoding="utf-8")
    from qieci.engines.learned.train import TrainConfig, train

    model = train(
        {"toy": [str(gold)]}, None, TrainConfig(bits=10, epochs=1, lexicon_folds=0), log=None
    )
    return {
        "dict": DictData.from_trie(trie, tags).to_bytes(),
        "dict-table": DictData.from_trie(trie, tags).with_table().to_bytes(compress=False),
        "dict-text": "北京 10 ns\n大学 5 n\n北京大学 3 nt\n".encode(),
        "hmm": (Path(qieci.__file__).parent / "engines/jieba/data/jieba_hmm.qc").read_bytes(),
        "poshmm": pos.to_bytes(),
        "idf": IDFTable.from_mapping({"北京": 3.5, "大学": 2.0, "学生": 2.0}).to_bytes(),
        "idf-text": "北京 3.5\n大学 2.0\n".encode(),
        "stopwords": "的\n了\n是\n".encode(),
        "model": model.to_bytes(),
    }


#: How each format is loaded from a path, and which damaged files must be
#: refused: "all" (the loader reads the checksummed container only),
#: "containers" (it reads text too: a damaged container must be refused,
#: other bytes may be a valid text file), "none" (text formats).
LOADERS: dict[str, tuple[Callable[[str], object], str]] = {
    "dict": (lambda p: qieci.Tokenizer(p).lcut("北京大学"), "containers"),
    "dict-table": (lambda p: qieci.Tokenizer(p).lcut("北京大学"), "containers"),
    "dict-text": (lambda p: qieci.Tokenizer(p).lcut("北京大学"), "none"),
    "hmm": (lambda p: hmm_from_bytes(binfile.read_regular(p, "HMM"), p), "all"),
    "poshmm": (lambda p: PosHMMTables.from_bytes(binfile.read_regular(p, "POS HMM"), p), "all"),
    "idf": (lambda p: load_idf(p), "containers"),
    "idf-text": (lambda p: load_idf(p), "none"),
    "stopwords": (lambda p: read_stop_words(p), "none"),
    "model": (lambda p: qieci.Tokenizer(engine="learned", model=p).lcut("北京大学"), "all"),
}


def damaged(rng: random.Random, good: bytes, others: list[bytes]) -> tuple[str, bytes]:
    r = rng.random()
    if r < 0.3:
        return "truncated", good[: rng.randrange(len(good))]
    if r < 0.6:
        data = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return "bit flip", bytes(data)
    if r < 0.7:
        return "wrong magic", b"QIECJ\x1a\n\x00" + good[8:]
    if r < 0.8:
        return "another format", rng.choice(others)
    foreign = [
        b"", b"\x89PNG\r\n\x1a\n" + bytes(100), gzip.compress(good), pickle.dumps({"a": 1}),
        json.dumps({"bits": 28}).encode(), os.urandom(rng.randint(1, 2000)),
        "北京 10 ns\n".encode("utf-16"), "北京 10 ns\n".encode("gbk"), b"x" * 100_000,
    ]  # fmt: skip
    return "foreign", rng.choice(foreign)


def test_corrupt_files_of_every_format(tmp_path):
    rng = random.Random(f"{SEED}-corrupt")
    formats = small_formats(tmp_path)
    for name, data in formats.items():  # the fixtures themselves are valid
        path = tmp_path / f"valid-{name}"
        path.write_bytes(data)
        assert outcome(lambda p=str(path), n=name: LOADERS[n][0](p), str(path)) == "ok", name
    cases = 0
    for name, good in formats.items():
        load, strict = LOADERS[name]
        # (a dictionary with its table and one without are one format)
        others = [
            d for n, d in formats.items() if n.removesuffix("-table") != name.removesuffix("-table")
        ]
        for i in range(65):
            how, data = damaged(rng, good, others)
            if data == good:
                continue
            path = tmp_path / f"{name}-{i}"
            path.write_bytes(data)
            result = outcome(lambda p=str(path): load(p), str(path))
            if strict == "all" or (strict == "containers" and binfile.is_container(data)):
                assert result == "ValueError", f"{name}, {how}: accepted"
            cases += 1
    assert cases >= 500


#: JSON nested far past the parser's depth (it recurses once per level).
DEEP = b"[" * 100_000 + b"]" * 100_000


def with_deep_json(kind: str, good: bytes, name: str) -> bytes:
    """``good`` (a container of ``kind``) with :data:`DEEP` as its section
    ``name``, checksums valid (the learned model zlib-compresses each of its
    sections itself)."""
    import zlib

    sections = binfile.unpack(good, kind=kind, source="x")
    assert name in sections
    sections[name] = zlib.compress(DEEP) if kind == "model" else DEEP
    return binfile.pack(kind, sections, compress=kind != "model")


def test_json_nested_too_deeply_in_any_format_is_a_valueerror(tmp_path):
    """Every JSON section of every format: a one-line ValueError naming the
    file, not a RecursionError; through the CLI, exit 2 and one line."""
    from qieci.engines.learned import domain, model

    formats = small_formats(tmp_path)
    formats["domain"] = domain.count(
        ["韩立走进七玄门的大门。", "七玄门的弟子都认识韩立。"] * 3
    ).to_bytes()
    cases: list[tuple[str, str, Callable[[str], object], str]] = [
        ("dict", "meta", LOADERS["dict"][0], "corrupt dictionary metadata"),
        ("poshmm", "meta", LOADERS["poshmm"][0], "corrupt POS HMM metadata"),
        ("model", "meta", LOADERS["model"][0], "corrupt model metadata"),
        ("model", "stdlex", LOADERS["model"][0], "corrupt model section 'stdlex'"),
        ("model", "vocab", model.load, "corrupt model section 'vocab'"),
        ("domain", "meta", domain.load, "corrupt domain metadata"),
        ("domain", "words", domain.load, "corrupt domain words"),
    ]
    for fmt, name, load, message in cases:
        path = tmp_path / f"deep-{fmt}-{name}"
        path.write_bytes(with_deep_json(fmt, formats[fmt], name))
        with pytest.raises(ValueError) as err:
            load(str(path))
        assert str(err.value) == f"{path}: {message} (JSON nested too deeply)", (fmt, name)
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    for option, fmt, name, message in [
        ("-D", "dict", "meta", "corrupt dictionary metadata"),
        ("--model", "model", "meta", "corrupt model metadata"),
        ("--domain", "domain", "meta", "corrupt domain metadata"),
        ("--domain", "domain", "words", "corrupt domain words"),
    ]:
        path = tmp_path / f"deep-{fmt}-{name}"
        res = subprocess.run([*QIECI, "cut", str(src), option, str(path)], capture_output=True)
        err = res.stderr.decode()
        assert res.returncode == 2 and res.stdout == b"", err
        assert err == f"qieci: error: {path}: {message} (JSON nested too deeply)\n"


# -- special paths -------------------------------------------------------------------


def special_paths(tmp: Path) -> list[str]:
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    loop = tmp / "loop"
    loop.symlink_to(loop)
    dangling = tmp / "dangling"
    dangling.symlink_to(tmp / "nowhere")
    (tmp / "dir").mkdir()
    (tmp / "empty").write_bytes(b"")
    return [
        str(fifo), str(loop), str(dangling), str(tmp / "dir"), str(tmp / "missing"),
        "/dev/zero", "/dev/null", "/proc/self/mem", str(tmp / ("a" * 300)),
        "/" + "d/" * 3000 + "x", str(tmp / "empty"),
    ]  # fmt: skip


def test_special_paths_for_every_loader(tmp_path):
    paths = special_paths(tmp_path)
    loads = {
        "dictionary": lambda p: qieci.Tokenizer(p).initialize(),
        "user dictionary": lambda p: qieci.Tokenizer().load_userdict(p),
        "model": lambda p: qieci.Tokenizer(engine="learned", model=p).initialize(),
        "idf": load_idf,
        "stop words": read_stop_words,
        "hmm": LOADERS["hmm"][0],
        "poshmm": LOADERS["poshmm"][0],
    }
    cases = 0
    for what, load in loads.items():
        for p in paths:
            result = outcome(lambda p=p: load(p), p[:200] if len(p) < 300 else None)
            if not p.endswith("empty"):
                assert result == "ValueError", (what, p)
            cases += 1
        # a NUL byte in a path is a ValueError too
        assert outcome(lambda: load(str(tmp_path / "a\0b")), None) == "ValueError", what
        cases += 1
    assert cases == 7 * (len(paths) + 1)


# -- a sample through the CLI --------------------------------------------------------------


def test_a_sample_through_the_cli(tmp_path):
    """Bad user dictionaries, delimiters, data files and paths through the
    real command: exit 0 or 2, never a traceback, one output line per input
    line when it succeeds, one error line when it does not."""
    rng = random.Random(f"{SEED}-cli")
    formats = small_formats(tmp_path)
    text = "\n".join(hostile_text(rng).replace("\r", "") for _ in range(20)) + "\n"
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode("utf-8", "surrogatepass").replace(b"\xed\xa0\x80", b""))
    lines_in = src.read_bytes().count(b"\n")
    (tmp_path / "special").mkdir()
    specials = special_paths(tmp_path / "special")
    commands: list[list[str]] = []
    for i in range(12):
        ud = tmp_path / f"ud{i}.txt"
        ud.write_bytes(user_dict_bytes(rng))
        commands.append(["cut", str(src), "-u", str(ud)])
    for sep in ["\x01", "|", "\u2028", "\t", "😀", "\\n", "\x85", "  "]:
        commands.append(["cut", str(src), "-d", sep])
    for option, name in [("-D", "dict"), ("--model", "model"), ("-D", "dict-text")]:
        for i in range(4):
            _, data = damaged(rng, formats[name], [d for n, d in formats.items() if n != name])
            p = tmp_path / f"cli-{name}-{i}"
            p.write_bytes(data)
            commands.append(["cut", str(src), option, str(p)])
    for option in ["-D", "-u", "--model"]:
        for p in rng.sample(specials, 3):
            commands.append(["cut", str(src), option, p])
    for p in rng.sample(specials, 3):
        commands.append(["keywords", str(src), "--idf", p])
    assert len(commands) >= 40
    for args in commands:
        res = subprocess.run([*QIECI, *args], capture_output=True, timeout=60)
        err = res.stderr.decode(errors="replace")
        assert res.returncode in (0, 2), (args, err)
        assert "Traceback" not in err and "Exception ignored" not in err, (args, err)
        if res.returncode == 0 and args[0] == "cut":
            assert res.stdout.count(b"\n") == lines_in, args
            res.stdout.decode("utf-8")
        else:
            errors = [line for line in err.splitlines() if not line.startswith("qieci: warning:")]
            assert len(errors) <= 1, (args, err)
