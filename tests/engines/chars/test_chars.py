"""The chars engine: one folder under engines/ and one line in the registry
give it the whole Tokenizer API, the command line and the worker pools."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given

import qieci
from qieci.io.stream import CutOptions, cut_text
from strategies import any_text

TEXT = "我来到北京清华大学\r\nIt's 2026.\n\n小明硕士毕业于中国科学院"


def chars_of(line: str, words: tuple[str, ...] = ()) -> list[str]:
    """The definition: user words whole (leftmost, then longest), every
    other character a word of its own."""
    out, i = [], 0
    while i < len(line):
        hit = max((w for w in words if line.startswith(w, i)), key=len, default=line[i])
        out.append(hit)
        i += len(hit)
    return out


@given(any_text)
def test_every_character_is_a_word(text):
    tok = qieci.Tokenizer(engine="chars")
    assert tok.lcut(text) == list(text)
    assert tok.lcut(text, cut_all=True) == tok.lcut_for_search(text) == list(text)
    assert list(tok.tokenize(text)) == [(c, i, i + 1) for i, c in enumerate(text)]


def test_the_jieba_style_api():
    tok = qieci.Tokenizer(engine="chars")
    assert list(tok.cut("北京")) == ["北", "京"]
    assert list(tok.cut_for_search(b"\xe5\x8c\x97\xe4\xba\xac")) == ["北", "京"]  # bytes: UTF-8
    tok.add_word("清华大学")
    tok.add_word("清华")
    line = "我来到北京清华大学和清华园"
    assert tok.lcut(line) == chars_of(line, ("清华大学", "清华"))
    tok.del_word("清华大学")
    assert tok.lcut(line) == chars_of(line, ("清华",))
    assert tok.suggest_freq("北京", tune=True) == 1  # no dictionary: a user word
    assert "北京" in tok.lcut(line)
    assert tok.cut_lines("北京\r\n清华\n", "/") == "北京\r\n清华\n"
    assert tok.cut_lines("我们\n", "/") == "我/们\n"


def test_user_words_reach_worker_processes(tmp_path):
    tok = qieci.Tokenizer(engine="chars")
    tok.add_word("北京")
    lines = [f"第{i}行在北京" for i in range(3000)]
    got = list(tok.cut_many(lines, jobs=2))
    assert got == [chars_of(s, ("北京",)) for s in lines]
    src, dst = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("\n".join(lines) * 50, encoding="utf-8")  # several blocks: the pool runs
    from qieci.io.stream import cut_file

    cut_file(tok, str(src), str(dst), CutOptions(delimiter="|"), jobs=2)
    want = "\n".join("|".join(chars_of(s, ("北京",))) for s in src.read_text("utf-8").split("\n"))
    assert dst.read_text(encoding="utf-8") == want
    assert cut_text(tok, "北京人\n") == "北京 人\n"


def test_the_command_line():
    res = subprocess.run(
        [sys.executable, "-m", "qieci", "cut", "--engine", "chars", "-q"],
        input=TEXT.encode(),
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    want = "\n".join(
        " ".join(chars_of(line[:-1])) + "\r" if line.endswith("\r") else " ".join(chars_of(line))
        for line in TEXT.split("\n")
    )
    assert res.stdout.decode() == want
    res = subprocess.run(
        [sys.executable, "-m", "qieci", "cut", "--engine", "chars", "--pos"],
        input=b"x",
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert b"needs the jieba engine" in res.stderr and b"Traceback" not in res.stderr
