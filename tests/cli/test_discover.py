"""``qieci discover``: TSV and user-dictionary output that ``qieci cut``
uses, and one-line errors (exit 2) for the user's mistakes."""

from __future__ import annotations

import pytest

from qieci.cli import main

LINES = [
    f"{a}说氪晶石在沐川镇{b}。"
    for a in ("他", "我", "大家", "老师", "记者")
    for b in ("出现", "很贵", "卖光了", "有")
]
LINES += ["沐川镇的人都见过氪晶石，", "氪晶石！", "去沐川镇吧"]


@pytest.fixture
def raw(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_tsv_then_userdict_then_cut(tmp_path, raw, capsys):
    out = tmp_path / "words.tsv"
    assert main(["discover", str(raw), "-o", str(out), "--no-model", "--min-score", "0"]) == 0
    rows = [r.split("\t") for r in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["word", "freq", "score"]
    got = {r[0]: int(r[1]) for r in rows[1:]}
    assert got["氪晶石"] == 22 and got["沐川镇"] == 22
    assert all(0 <= float(r[2]) <= 1 for r in rows[1:])

    udict = tmp_path / "words.dict"
    assert main(["discover", str(raw), "--format", "userdict", "--top", "2", "-o", str(udict)]) == 0
    assert sorted(udict.read_text(encoding="utf-8").split()) == ["氪晶石", "沐川镇"]
    cut = tmp_path / "cut.txt"
    for engine in ("jieba", "learned"):
        assert (
            main(["cut", "--engine", engine, "--user-dict", str(udict), str(raw), "-o", str(cut)])
            == 0
        )
        first = cut.read_text(encoding="utf-8").splitlines()[0].split(" ")
        assert "氪晶石" in first and "沐川镇" in first, (engine, first)
    # the TSV itself is a user dictionary too (its header says what it is)
    tsv = tmp_path / "top.tsv"
    assert main(["discover", str(raw), "--top", "2", "-o", str(tsv)]) == 0
    for engine in ("jieba", "learned"):
        assert (
            main(["cut", "--engine", engine, "--user-dict", str(tsv), str(raw), "-o", str(cut)])
            == 0
        )
        first = cut.read_text(encoding="utf-8").splitlines()[0].split(" ")
        assert "氪晶石" in first and "沐川镇" in first and "word" not in first, (engine, first)
    capsys.readouterr()
    assert main(["discover", str(raw), "--top", "1", "-j", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split("\t")[0] in {"氪晶石", "沐川镇"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_utf8_names_file_line_and_byte(tmp_path, raw, capsys, jobs):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(("好\n" * 3000).encode() + b"ok \xff\n")
    out = tmp_path / "words.tsv"
    assert main(["discover", str(raw), str(bad), "-j", jobs, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"qieci: error: {bad}:3001: invalid UTF-8 at byte offset 12003; ")
    assert "--errors replace" in err and "--errors skip-line" in err
    assert not out.exists()
    assert main(["discover", str(bad), "--errors", "replace", "-o", str(out)]) == 0
    assert "repaired 1 line(s)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["/nonexistent.txt"], "/nonexistent.txt: no such file"),
        (["{tmp}"], "is a directory"),
        (["{raw}", "-o", "{tmp}/no/such/dir/w.tsv"], "the output folder"),
        (["{raw}", "--standard", "nope"], "no standard 'nope'"),
        (["{raw}", "--lexicon", "/nonexistent/words"], "no such lexicon"),
        (["-", "-"], "stdin ('-') can be read only once"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(tmp_path, raw, capsys, argv, message):
    argv = [a.format(tmp=tmp_path, raw=raw) for a in argv]
    assert main(["discover", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qieci: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--max-len", "9"], "argument --max-len: must be 2..6, not 9"),
        (["--min-score", "3"], "argument --min-score: must be a probability, 0..1, not 3"),
    ],
)
def test_option_values_out_of_range_are_argparse_errors_naming_the_option(
    raw, capsys, argv, message
):
    with pytest.raises(SystemExit) as exc:
        main(["discover", str(raw), *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: qieci discover")
    assert err.splitlines()[-1] == f"qieci discover: error: {message}"


def test_a_pipe_is_read_as_stdin_is(tmp_path, raw, capsys):
    """A FIFO (what the shell's ``<(...)`` gives) is read once, as stdin: the
    same words as from the file."""
    import os
    import threading

    args = ["--no-model", "--min-score", "0"]
    assert main(["discover", str(raw), *args]) == 0
    from_file = capsys.readouterr().out
    assert from_file.count("\n") > 1  # (words were found)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(raw.read_bytes()), daemon=True)
    writer.start()
    try:
        assert main(["discover", str(fifo), "-j", "2", *args]) == 0
    finally:
        writer.join(timeout=30)
    assert capsys.readouterr().out == from_file
