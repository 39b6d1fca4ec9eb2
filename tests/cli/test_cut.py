"""The command line, run as a user would: a subprocess."""

from __future__ import annotations

import subprocess
import sys

import pytest

import qieci

TEXT = "我来到北京清华大学\r\n他来到了网易杭研大厦\n\n小明硕士毕业于中国科学院计算所，后在日本京都大学深造"


def run(*args, stdin: bytes = b"", module: bool = True):
    cmd = [sys.executable, "-m", "qieci", *args] if module else ["qieci", *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)


def expected(cut, text=TEXT, delim=" "):
    out = []
    for line in text.split("\n"):
        body, term = (line[:-1], "\r") if line.endswith("\r") else (line, "")
        out.append(delim.join(cut(body)) + term)
    return "\n".join(out)


def test_stdin_to_stdout_one_line_per_line(jieba):
    res = run("cut", stdin=TEXT.encode())
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == expected(jieba.lcut)


@pytest.mark.parametrize(
    "flag,cut",
    [
        ("--no-hmm", lambda j, s: j.lcut(s, HMM=False)),
        ("--cut-all", lambda j, s: j.lcut(s, cut_all=True)),
        ("--search", lambda j, s: j.lcut_for_search(s)),
    ],
)
def test_modes_match_jieba(jieba, flag, cut):
    res = run("cut", flag, stdin=TEXT.encode())
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == expected(lambda s: cut(jieba, s))


def test_files_output_delimiter_and_user_dicts(tmp_path, jieba, isolated_force_split):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("他来到了网易杭研大厦\n", encoding="utf-8")
    b.write_text("新的Color OS系统", encoding="utf-8")
    u1, u2 = tmp_path / "u1.txt", tmp_path / "u2.txt"
    u1.write_text("杭研大厦 5000 nt\n", encoding="utf-8")
    u2.write_text("Color OS 10 nz\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    res = run("cut", str(a), str(b), "-o", str(out), "-d", "/", "-u", str(u1), "-u", str(u2))
    assert res.returncode == 0, res.stderr
    assert res.stdout == b""
    assert out.read_text(encoding="utf-8") == "他/来到/了/网易/杭研大厦\n新/的/Color OS/系统"


def test_swapped_dictionary(tmp_path):
    d = tmp_path / "dict.txt"
    d.write_text("北 5\n京 5\n北京大 100\n学 1\n", encoding="utf-8")
    res = run("cut", "-D", str(d), "--no-hmm", stdin="北京大学".encode())
    assert res.stdout.decode() == " ".join(qieci.Tokenizer(d).lcut("北京大学", HMM=False))
    assert res.stdout.decode() == "北京大 学"


def test_console_script_and_version():
    res = run("--version", module=False)
    assert res.returncode == 0 and res.stdout.decode().strip() == f"qieci {qieci.__version__}"


def test_missing_file_and_bad_dictionary_fail_clearly(tmp_path):
    res = run("cut", str(tmp_path / "nope.txt"))
    assert res.returncode == 2
    assert b"nope.txt: no such file" in res.stderr
    assert b"Traceback" not in res.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("not a dictionary\n", encoding="utf-8")
    res = run("cut", "-D", str(bad), stdin=b"x")
    assert res.returncode == 2 and b"bad.txt:1: invalid dictionary entry" in res.stderr
    res = run("cut", "-D", str(tmp_path / "gone.txt"), stdin=b"x")
    assert res.returncode == 2 and b"gone.txt" in res.stderr
    res = run("cut", "-u", str(tmp_path / "gone-user.txt"), stdin=b"x")
    assert res.returncode == 2 and b"gone-user.txt" in res.stderr
    res = run("cut", str(tmp_path))
    assert res.returncode == 2 and b"is a directory" in res.stderr


def test_invalid_utf8_fails_without_writing_output(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes("第一行\n".encode() + b"ok \xe4\xb8 bad\n")
    out = tmp_path / "out.txt"
    res = run("cut", str(src), "-o", str(out))
    assert res.returncode == 2
    assert (
        f"{src}:2: invalid UTF-8 at byte offset {len('第一行'.encode()) + 1 + 3}".encode()
        in res.stderr
    )
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]
