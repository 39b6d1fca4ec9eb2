"""The command line speaks of its own options: a bad value is refused by
the option's name (not by the library parameter it becomes), options that
contradict each other are refused, and every command that writes a data
file writes it as ``qieci cut -o`` does (a file replaced keeps its
permissions; a symlink is written through)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from qieci import binfile
from qieci.discover import DiscoverOptions
from qieci.engines.learned.domain import load

NOVEL = "韩立看着墨大夫，心中一动。墨大夫笑道：“韩立，你过来。”\n" * 40


def run(*args: str, cwd: os.PathLike[str] | str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qieci", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture
def raw(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text(NOVEL, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cut", "-j", "-1"], "argument -j/--jobs: must be 0 (all) or more, not -1"),
        (["discover", "-j", "-2"], "argument -j/--jobs: must be 0 (all) or more, not -2"),
        (["discover", "--max-len", "1"], "argument --max-len: must be 2..6, not 1"),
        (["discover", "--max-len", "7"], "argument --max-len: must be 2..6, not 7"),
        (["discover", "--min-score", "2"], "argument --min-score: must be a probability, 0..1"),
        (["discover", "--min-score", "nan"], "argument --min-score: must be a probability"),
        (["discover", "--sample-chars", "-5"], "argument --sample-chars: must be 0 or more"),
        (["cut", "--pos", "--pos-sep", "\n"], "--pos-sep '\\n' holds a line break"),
        (["cut", "-d", "a\rb"], "-d/--delimiter 'a\\rb' holds a line break"),
    ],
)
def test_a_bad_value_is_named_by_its_option(raw, args, message):
    res = run(*args, str(raw))
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr
    for param in ("max_len", "min_score", "sample_chars", "pos_sep", "jobs must"):
        assert param not in res.stderr


def test_discover_refuses_a_dictionary_with_no_jieba_lexicon(raw, tmp_path):
    words = tmp_path / "dict.txt"
    words.write_text("韩立 100 nr\n墨大夫 50 nr\n", encoding="utf-8")
    res = run("discover", "-D", str(words), "--no-jieba-lexicon", str(raw))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "-D/--dict replaces jieba's dictionary" in res.stderr
    assert res.stdout == ""  # refused before any output
    with pytest.raises(ValueError, match="jieba_lexicon=False leaves every dictionary out"):
        DiscoverOptions(jieba_lexicon=False, dictionary=str(words))


def test_a_user_dictionary_given_as_the_main_one_says_where_it_goes(raw, tmp_path):
    user = tmp_path / "user.txt"
    user.write_text("石墨烯 5 n\nColor OS\n", encoding="utf-8")
    res = run("cut", "-D", str(user), str(raw))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{user}:2: invalid dictionary entry 'Color OS'" in res.stderr
    assert "loaded with load_userdict (qieci cut -u)" in res.stderr
    assert "invalid literal" not in res.stderr


def test_adapt_keeps_the_permissions_of_the_file_it_replaces_and_writes_through_a_link(
    raw, tmp_path
):
    out = tmp_path / "d.qcd"
    out.write_bytes(b"old")
    os.chmod(out, 0o600)
    res = run("adapt", "-q", str(raw), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    first = out.read_bytes()
    assert load(out).chars == len(NOVEL)  # the domain of the input replaced the file
    target = tmp_path / "target.qcd"
    target.write_bytes(b"old")
    link = tmp_path / "link.qcd"
    link.symlink_to(target.name)
    res = run("adapt", "-q", str(raw), "-o", str(link))
    assert res.returncode == 0, res.stderr
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_bytes() == first  # the same input: the same domain, in the target


def test_write_atomic_keeps_the_permissions_of_a_regular_file_it_replaces(tmp_path):
    path = tmp_path / "m.qc"
    path.write_bytes(b"old")
    os.chmod(path, 0o640 | stat.S_ISUID)
    binfile.write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640  # (the set-user ID bit dropped)


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("file.txt/", "file.txt is a file, not a folder: remove it"),
        ("file.txt/sub/", "file.txt is a file, not a folder (on the way to file.txt/sub/)"),
        ("file.txt/out.txt", "file.txt is a file, not a folder: remove it"),
        ("", "-o '': the output path is empty: name the file to write"),
    ],
)
def test_an_output_that_cannot_be_is_refused_before_any_work(raw, tmp_path, output, message):
    (tmp_path / "file.txt").write_text("kept\n", encoding="utf-8")
    res = run("cut", str(raw), "-o", output, cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert message in res.stderr and "mkdir -p" not in res.stderr
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "raw.txt"]


@pytest.mark.parametrize("command", ["adapt", "train", "keywords", "discover"])
def test_every_command_refuses_an_empty_output_path(raw, command):
    args = ["--corpus", f"pku={raw}"] if command == "train" else [str(raw)]
    res = run(command, *args, "-o", "")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "the output path is empty" in res.stderr
