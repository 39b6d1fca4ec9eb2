"""Faults and hostile input at the edges: a full disk, special files, line
breaks in delimiters and words, numbers out of range. Each is one clear line
and a non-zero exit, never a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import qieci

HAS_DEV_FULL = os.path.exists("/dev/full")


def qieci_cli(*args: str | bytes, stdin: bytes = b"x\n", stdout=subprocess.PIPE):
    return subprocess.run(
        [sys.executable, "-m", "qieci", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=30,
    )


def no_traceback(res, code: int, needle: str) -> None:
    err = res.stderr.decode(errors="replace")
    assert res.returncode == code, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert needle in err, err


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
@pytest.mark.parametrize("command", [["cut"], ["keywords"]])
def test_a_full_disk_on_stdout(command):
    with open("/dev/full", "wb") as full:
        res = qieci_cli(*command, stdin="我来到北京清华大学\n".encode() * 20000, stdout=full)
    no_traceback(res, 1, "No space left on device")


def test_output_onto_a_device_is_refused():
    no_traceback(qieci_cli("cut", "-o", os.devnull), 2, "is not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("option", ["-u", "-D", "--model", "--idf", "--stop-words"])
def test_a_fifo_as_a_data_file_is_refused_at_once(tmp_path, option):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    command = "keywords" if option in ("--idf", "--stop-words") else "cut"
    no_traceback(qieci_cli(command, option, str(fifo)), 2, "not a regular file")


@pytest.mark.parametrize("args", [["-d", "\n"], ["-d", "a\rb"], ["--pos", "--pos-sep", "\n"]])
def test_separators_with_a_line_break_are_refused(args):
    no_traceback(qieci_cli("cut", *args), 2, "line break")


def test_a_separator_that_is_not_utf8_is_refused():
    res = subprocess.run(
        [sys.executable, "-m", "qieci", "cut", "-d", b"\xed\xa0\x80"],
        input=b"x\n",
        capture_output=True,
        timeout=30,
    )
    no_traceback(res, 2, "cannot be written as UTF-8")


def test_user_words_and_numbers_are_checked():
    tok = qieci.Tokenizer()
    with pytest.raises(ValueError, match="line break"):
        tok.add_word("北京\n大学")
    with pytest.raises(ValueError, match="out of range"):
        tok.add_word("北京大学", 2**63)
    for tag in ("n v", 3, "x" * 33):
        with pytest.raises(ValueError, match="not a short token"):
            tok.add_word("石墨烯", 5, tag)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="past 2\\*\\*63-1"):
        tok.add_word("大数", 2**63 - 1)
    assert tok.lcut("北京大学石墨烯") == qieci.Tokenizer().lcut("北京大学石墨烯")


def test_a_dictionary_frequency_beyond_int64(tmp_path):
    d = tmp_path / "dict.txt"
    d.write_text(f"北京 10 ns\n大学 {2**63} n\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"dict.txt:2: .*out of range"):
        qieci.Tokenizer(str(d)).lcut("北京大学")
    res = qieci_cli("cut", "-D", str(d))
    no_traceback(res, 2, "dict.txt:2")
