"""What a new user trips on: each mistake gets a clear message and exit 2
before any work, never a traceback or a silent surprise."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

import qieci


def qieci_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "qieci", *args], input=stdin, capture_output=True, timeout=120
    )


def assert_user_error(res: subprocess.CompletedProcess[bytes], *needles: str) -> str:
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.fixture
def corpus(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("我 来到 北京 清华大学\n他 来到 了 网易 杭研 大厦\n" * 20, encoding="utf-8")
    return gold


def test_an_output_folder_that_does_not_exist(tmp_path, corpus):
    missing = tmp_path / "no" / "such" / "out.txt"
    src = tmp_path / "in.txt"
    src.write_text("我来到北京\n", encoding="utf-8")
    for args in (
        ["cut", str(src), "-o", str(missing)],
        ["keywords", str(src), "-o", str(missing)],
        ["train", "--corpus", f"toy={corpus}", "-o", str(missing)],
    ):
        assert_user_error(qieci_cli(*args), "output folder", "does not exist", "mkdir -p")
    assert not (tmp_path / "no").exists()
    # cut -o DIR/ makes the folder, parents included
    res = qieci_cli("cut", str(src), "-o", str(tmp_path / "made" / "here") + "/")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "made" / "here" / "in.txt").read_text("utf-8") == "我 来到 北京\n"


def test_an_output_that_is_an_input_is_refused_and_the_input_kept(tmp_path, corpus):
    src = tmp_path / "in.txt"
    text = "我来到北京清华大学\n"
    src.write_text(text, encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(src)
    for args in (
        ["cut", str(src), "-o", str(src)],
        ["cut", str(src), "-o", str(link)],  # another name of the same file
        ["cut", str(src), "-o", str(tmp_path) + "/"],  # DIR/in.txt is the input
        ["keywords", str(src), "-o", str(src)],
        ["discover", str(src), "-o", str(src)],
        ["adapt", str(src), "-o", str(src)],
        ["cut", "--adapt-self", str(src), "-o", str(tmp_path) + "/"],  # before the adapt pass
        ["train", "--corpus", f"toy={corpus}", "-o", str(corpus)],
        ["train", "--corpus", f"toy={corpus}", "--lexicon", str(src), "-o", str(src)],
    ):
        assert_user_error(qieci_cli(*args), "is also the input", "another file")
        assert src.read_text("utf-8") == text
    assert corpus.read_text("utf-8").startswith("我 来到 北京")


def test_train_refuses_epochs_or_patience_below_one(tmp_path, corpus):
    for flag in ("--epochs", "--patience"):
        for value in ("0", "-1"):
            res = qieci_cli(
                "train", "--corpus", f"toy={corpus}", flag, value, "-o", str(tmp_path / "m.qc")
            )
            assert_user_error(res, f"argument {flag}", "must be at least 1")
    assert not (tmp_path / "m.qc").exists()


def test_train_checks_its_output_before_reading_the_corpus(tmp_path):
    # the corpus does not exist either: the output is what is reported
    res = qieci_cli(
        "train",
        "--corpus",
        f"toy={tmp_path / 'missing.txt'}",
        "-o",
        str(tmp_path / "nowhere" / "m.qc"),
    )
    assert_user_error(res, "output folder")


def test_output_files_honour_the_umask(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京\n", encoding="utf-8")
    code = (
        "import os, sys\n"
        "os.umask(0o022)\n"
        "from qieci.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    outs = [tmp_path / "a.txt", tmp_path / "d" / "in.txt", tmp_path / "k.txt"]
    for args in (
        ["cut", str(src), "-o", str(outs[0])],
        ["cut", str(src), "-o", str(tmp_path / "d") + "/"],
        ["keywords", str(src), "-o", str(outs[2])],
    ):
        res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, timeout=120)
        assert res.returncode == 0, res.stderr
    for out in outs:
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o644, out


def test_user_dictionary_lines_that_look_like_mistakes(tmp_path):
    ud = tmp_path / "user.txt"
    ud.write_text(
        "负数 -3\n词 3 n extra\nColor OS 10 nz\n石墨烯 5 n\niPhone 15 Pro 5\n", encoding="utf-8"
    )
    res = qieci_cli("cut", "-u", str(ud), stdin="新的Color OS系统\n".encode())
    err = res.stderr.decode()
    assert res.returncode == 0, err
    assert f"{ud}:1:" in err and f"{ud}:2:" in err and f"{ud}:3:" not in err
    assert f"{ud}:5:" not in err  # iPhone 15 Pro: a word with spaces, and a frequency
    assert err.count("warning") == 2 and "Traceback" not in err
    assert res.stdout.decode() == "新 的 Color OS 系统\n"
    assert_user_error(qieci_cli("cut", "-u", str(ud), "--strict", stdin=b"x\n"), f"{ud}:1:")
    # the library: a warning, or with strict=True an error, naming file and line
    with pytest.warns(qieci.UserDictWarning) as caught:
        qieci.Tokenizer().load_userdict(str(ud))
    assert [str(w.message).split(": ")[0] for w in caught] == [f"{ud}:1", f"{ud}:2"]
    with pytest.raises(ValueError, match=r"user.txt:1: '负数 -3'"):
        qieci.Tokenizer().load_userdict(str(ud), strict=True)


def test_user_dictionary_lines_of_another_format_warn(tmp_path):
    ud = tmp_path / "user.txt"
    ud.write_text(
        "石墨烯\t5\tn\n云计算,3,n\n区块链,7\n1,000\n元宇宙 2 n\n大模型, 3\n", encoding="utf-8"
    )
    with pytest.warns(qieci.UserDictWarning) as caught:
        tok = qieci.Tokenizer()
        tok.load_userdict(str(ud))
    got = [(str(w.message).split(": ")[0], "tab" in str(w.message)) for w in caught]
    assert got == [(f"{ud}:1", True), (f"{ud}:2", False), (f"{ud}:3", False), (f"{ud}:6", False)]
    assert all("separated by spaces" in str(w.message) for w in caught)
    assert tok.get_FREQ("元宇宙") == 2  # (the jieba reading of each line stays)
    res = qieci_cli("cut", "-u", str(ud), "--strict", stdin="石墨烯\n".encode())
    assert_user_error(res, f"{ud}:1:", "tab-separated")


def test_train_refuses_raw_text(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text("我来到北京清华大学读书\n他来到了网易杭研大厦工作\n" * 10, encoding="utf-8")
    assert_user_error(
        qieci_cli("train", "--corpus", f"toy={raw}", "-o", str(tmp_path / "m.qc")),
        "raw.txt",
        "raw text, not a segmented corpus",
    )
    assert not (tmp_path / "m.qc").exists()


def test_eval_refuses_an_empty_gold_file_and_says_what_it_scored(tmp_path, corpus):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert_user_error(qieci_cli("eval", str(empty)), "empty.txt", "nothing to score")
    res = qieci_cli("eval", str(corpus), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["scored"]["engine"] == "jieba"
    res = qieci_cli("eval", str(corpus), "--standard", "pku")
    assert res.returncode == 0, res.stderr
    assert (
        res.stdout.decode().splitlines()[0] == "scored: engine learned, standard pku, model bundled"
    )
    mismatched = tmp_path / "pred.txt"
    mismatched.write_text("我 来到 北京\n", encoding="utf-8")
    assert_user_error(qieci_cli("eval", str(corpus), "--pred", str(mismatched)), "line 1")


def test_a_gbk_file_gets_a_hint_to_use_encoding(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("我来到北京清华大学\n".encode("gbk"))
    err = assert_user_error(
        qieci_cli("cut", str(gbk)), "gbk.txt:1: invalid UTF-8", "--encoding gb18030"
    )
    assert "byte offset 0" in err
    res = qieci_cli("cut", str(gbk), "--encoding", "gb18030")
    assert res.returncode == 0 and res.stdout.decode() == "我 来到 北京 清华大学\n"
    # bytes that are no Chinese in GB18030 either get no such hint
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"abc\xff\n")
    err = assert_user_error(qieci_cli("cut", str(junk)), "junk.txt:1: invalid UTF-8")
    assert "gb18030" not in err
    # ... but what to do next, which works
    assert "--errors replace" in err and "--errors skip-line" in err
    res = qieci_cli("cut", str(junk), "--errors", "replace")
    assert res.returncode == 0 and res.stdout.decode() == "abc \ufffd\n"


def test_utf16_is_refused_up_front_and_its_bom_named(tmp_path):
    u16 = tmp_path / "u16.txt"
    u16.write_bytes("我来到北京\n清华大学\n".encode("utf-16"))
    for cmd in ("cut", "keywords", "discover"):
        # lines are found at the byte \n: a codec where ASCII is not ASCII
        # would give garbage that exits 0 with --errors replace
        res = qieci_cli(cmd, "--encoding", "utf-16", "--errors", "replace", str(u16))
        assert_user_error(res, "not ASCII-compatible", "iconv -f utf-16 -t utf-8")
        assert res.stdout == b""
    assert_user_error(qieci_cli("cut", "--encoding", "no-such-codec", str(u16)), "unknown encoding")
    assert_user_error(qieci_cli("cut", str(u16)), "UTF-16 byte-order mark", "iconv")
    sig = tmp_path / "sig.txt"  # utf-8-sig: ASCII is ASCII, a byte-order mark aside
    sig.write_bytes("我来到北京\n".encode("utf-8-sig"))
    res = qieci_cli("cut", "--encoding", "utf-8-sig", str(sig))
    assert res.returncode == 0 and res.stdout.decode() == "我 来到 北京\n", res.stderr
    with pytest.raises(ValueError, match="not ASCII-compatible"):
        qieci.cut_file(u16, tmp_path / "out.txt", encoding="utf-32")
    assert not (tmp_path / "out.txt").exists()


def test_a_utf16_byte_order_mark_is_named_only_at_the_start_of_a_file(tmp_path):
    """The bytes FF FE in the middle of a file are no byte-order mark: the
    message says how to read past them, not to convert from UTF-16; a user
    dictionary or main dictionary that is UTF-16 gets the UTF-16 hint, not
    the GB18030 one."""
    mid = tmp_path / "mid.txt"
    mid.write_bytes("我来到\n".encode() + b"\xff\xfe" + "北京\n".encode())
    for jobs in ("1", "2"):
        err = assert_user_error(
            qieci_cli("cut", "-j", jobs, str(mid)), "mid.txt:2: invalid UTF-8 at byte offset 10"
        )
        assert "byte-order mark" not in err and "--errors replace" in err
    err = assert_user_error(qieci_cli("discover", str(mid)), "mid.txt:2:")
    assert "byte-order mark" not in err
    u16 = tmp_path / "user16.txt"
    u16.write_bytes("清华 5\n".encode("utf-16"))
    src = tmp_path / "in.txt"
    src.write_text("我来到北京\n", encoding="utf-8")
    for option in ("-u", "-D"):
        err = assert_user_error(
            qieci_cli("cut", option, str(u16), str(src)),
            "user16.txt:1: invalid UTF-8",
            "UTF-16 byte-order mark",
            "iconv -f UTF-16 -t UTF-8",
        )
        assert "GB18030" not in err
    gbk = tmp_path / "user_gbk.txt"
    gbk.write_bytes("清华 5\n".encode("gbk"))
    assert_user_error(qieci_cli("cut", "-u", str(gbk), str(src)), "iconv -f GB18030 -t UTF-8")


def test_an_empty_input_is_the_same_with_one_job_or_two(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for args in (
        ["discover", str(empty)],
        ["adapt", str(empty), "-o", str(tmp_path / "d.qcd")],
        ["cut", "--adapt-self", str(empty)],
    ):
        one, two = qieci_cli(*args, "-j", "1"), qieci_cli(*args, "-j", "2")
        assert "Traceback" not in two.stderr.decode(), two.stderr.decode()
        assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    assert qieci_cli("discover", str(empty), "-j", "2").stdout == b"word\tfreq\tscore\n"
    assert_user_error(
        qieci_cli("adapt", str(empty), "-j", "2", "-o", str(tmp_path / "d")), "no text"
    )


def test_keywords_checks_its_inputs_and_k_before_any_output(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("我来到北京清华大学，清华大学很好\n", encoding="utf-8")
    res = qieci_cli("keywords", str(src), str(tmp_path / "nosuch.txt"))
    assert_user_error(res, "nosuch.txt", "no such file")
    assert res.stdout == b""  # a.txt's keywords were printed before the error
    for k in ("-1", "-3"):
        assert_user_error(qieci_cli("keywords", "-k", k, str(src)), "must be 0 (all) or more")
    assert_user_error(qieci_cli("keywords", "-", "-", stdin=b"x\n"), "only once")
    assert qieci_cli("keywords", "-k", "1", str(src)).stdout.decode() == "清华大学\n"


def test_options_that_need_another_are_refused_not_ignored(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京\n", encoding="utf-8")
    out = tmp_path / "x.out"
    out.write_text("keep\n", encoding="utf-8")
    assert_user_error(qieci_cli("cut", str(src), "-o", str(out), "--resume"), "--resume", "-o DIR/")
    assert out.read_text("utf-8") == "keep\n"
    assert_user_error(qieci_cli("cut", str(src), "--pos-sep", "_"), "--pos-sep works with --pos")
    res = qieci_cli("cut", str(src), "--pos", "--pos-sep", "_")
    assert res.returncode == 0 and res.stdout.decode() == "我_r 来到_v 北京_ns\n"


def test_options_that_would_do_nothing_are_refused_not_ignored(tmp_path, corpus):
    """Each of these runs used to succeed, the option silently without
    effect; now each is one line naming it, exit 2, before any output."""
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    idf = tmp_path / "idf.txt"
    idf.write_text("来到 1.0\n北京 5.0\n清华大学 9.0\n", encoding="utf-8")
    userdict = tmp_path / "user.txt"
    userdict.write_text("清华 5\n", encoding="utf-8")
    pred = tmp_path / "pred.txt"
    pred.write_text(corpus.read_text("utf-8"), encoding="utf-8")
    out = tmp_path / "out.txt"
    for args, needles in (
        (["keywords", str(src), "--textrank", "--idf", str(idf)], ["--idf", "TextRank"]),
        (["cut", str(src), "--strict"], ["--strict", "-u USERDICT"]),
        (["keywords", str(src), "--strict"], ["--strict", "-u USERDICT"]),
        (["discover", str(src), "--no-model", "--standard", "pku"], ["--standard", "--no-model"]),
        (
            ["discover", str(src), "--no-model", "--model", str(idf), "-o", str(out)],
            ["--model", "--no-model"],
        ),
        (["eval", str(corpus), "--pred", str(pred), "--engine", "jieba"], ["--engine jieba"]),
        (["eval", str(corpus), "--pred", str(pred), "-u", str(userdict)], ["-u/--user-dict"]),
        (["eval", str(corpus), "--pred", str(pred), "-D", str(idf)], ["-D/--dict"]),
        (
            ["eval", str(corpus), "--pred", str(pred), "--standard", "pku", "--vocab", str(idf)],
            ["--standard", "--vocab"],
        ),
    ):
        assert_user_error(qieci_cli(*args), *needles)
        assert not out.exists()
    # what these options are for still works
    res = qieci_cli("keywords", str(src), "--idf", str(idf), "-k", "1")
    assert res.returncode == 0 and res.stdout.decode() == "清华大学\n", res.stderr
    res = qieci_cli("cut", str(src), "--strict", "-u", str(userdict))
    assert res.returncode == 0 and res.stdout.decode() == "我 来到 北京 清华大学\n", res.stderr
    res = qieci_cli("eval", str(corpus), "--pred", str(pred), "--engine", "learned", "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["f1"] == 1.0, res.stderr


def test_several_inputs_into_one_output_keep_one_line_per_input_line(tmp_path):
    """A file whose last line has no line break does not run into the next
    file's first line; the last input's missing line break is kept."""
    a = tmp_path / "a.txt"
    a.write_bytes("我来到北京".encode())
    b = tmp_path / "b.txt"
    b.write_bytes("北京\n".encode())
    want = "我 来到 北京\n北京\n我 来到 北京"
    for jobs in ("1", "2"):
        res = qieci_cli("cut", "-j", jobs, str(a), str(b), str(a))
        assert res.returncode == 0 and res.stdout.decode() == want, res.stderr
        out = tmp_path / f"out{jobs}.txt"
        res = qieci_cli("cut", "-j", jobs, str(a), str(b), str(a), "-o", str(out))
        assert res.returncode == 0 and out.read_text("utf-8") == want, res.stderr
    # stdin in the middle, without a final line break
    res = qieci_cli("cut", str(a), "-", str(b), stdin="他来了".encode())
    assert res.returncode == 0 and res.stdout.decode() == "我 来到 北京\n他来 了\n北京\n"


def test_cut_options_an_engine_would_ignore_are_refused(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    for args, needle in (
        (["--engine", "learned", "--cut-all"], "--cut-all: changes nothing with the learned"),
        (["--standard", "pku", "--no-hmm"], "--no-hmm: changes nothing with the learned"),
        (["--engine", "chars", "--search"], "--search: changes nothing with the chars"),
        (["--engine", "chars", "--no-hmm"], "--no-hmm: changes nothing with the chars"),
    ):
        assert_user_error(qieci_cli("cut", str(src), *args), needle, "--engine jieba")
    # search mode, which the learned engine has, still adds sub-words
    plain = qieci_cli("cut", str(src), "--engine", "learned").stdout.decode().split()
    res = qieci_cli("cut", str(src), "--engine", "learned", "--search")
    search = res.stdout.decode().split()
    assert res.returncode == 0 and set(plain) < set(search) and "大学" in search, res.stderr
    res = qieci_cli("cut", str(src), "-q", "-v")
    assert res.returncode == 2 and b"not allowed with argument -q/--quiet" in res.stderr


def test_dash_as_output_is_stdout_where_the_output_is_text(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    env = {**os.environ}
    for args in (["cut", str(src)], ["keywords", "-k", "2", str(src)]):
        plain = qieci_cli(*args)
        dashed = subprocess.run(
            [sys.executable, "-m", "qieci", *args, "-o", "-"],
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
        assert dashed.returncode == 0 and dashed.stdout == plain.stdout != b"", dashed.stderr
        assert not (tmp_path / "-").exists()
    res = subprocess.run(
        [sys.executable, "-m", "qieci", "adapt", str(src), "-o", "-"],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert_user_error(res, "-o -: this command writes a binary file", "name a file")
    assert not (tmp_path / "-").exists()


def test_keyword_tags_are_read_as_a_list_and_an_empty_list_is_refused(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    tight = qieci_cli("keywords", "--allow-pos", "ns,v", "-k", "5", str(src))
    spaced = qieci_cli("keywords", "--allow-pos", " ns, v ", "-k", "5", str(src))
    assert tight.returncode == 0 and spaced.stdout == tight.stdout
    assert set(tight.stdout.decode().split()) == {"北京", "来到"}
    for args in (["--allow-pos", ""], ["--textrank", "--allow-pos", " , "]):
        assert_user_error(qieci_cli("keywords", *args, str(src)), "names no tag")
    assert_user_error(qieci_cli("keywords", "--allow-pos", "n ns", str(src)), "'n ns' is not a tag")


def test_discover_refuses_sample_chars_without_the_model(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n" * 5, encoding="utf-8")
    assert_user_error(
        qieci_cli("discover", "--no-model", "--sample-chars", "5", str(src)),
        "--sample-chars: chooses what the learned model does",
    )


def test_messages_name_what_is_wrong_where(tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    assert_user_error(qieci_cli("cut", "-u", str(folder), stdin=b"x\n"), "is a directory")
    gold, pred = tmp_path / "g.txt", tmp_path / "p.txt"
    gold.write_text("我 来到\n", encoding="utf-8")
    pred.write_text("你 好\n", encoding="utf-8")
    assert_user_error(qieci_cli("eval", str(gold), "--pred", str(pred)), "p.txt against", "g.txt")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("我 来到 北京\n".encode("gbk"))
    res = qieci_cli("train", "--corpus", f"x={gbk}", "-o", str(tmp_path / "m.qc"))
    assert_user_error(res, "gbk.txt:1: invalid UTF-8 at byte offset 0", "iconv")


def test_train_reads_a_corpus_from_a_pipe(tmp_path, corpus):
    res = qieci_cli(
        "train",
        "--corpus",
        "toy=/dev/stdin",
        "--epochs",
        "1",
        "-o",
        str(tmp_path / "m.qc"),
        stdin=corpus.read_bytes(),
    )
    assert res.returncode == 0, res.stderr.decode()
    assert (tmp_path / "m.qc").exists()


def test_an_output_that_is_a_data_file_of_the_run_is_refused_and_the_file_kept(tmp_path):
    """-o naming the model, domain, user dictionary, main dictionary, IDF
    table or stop-word list that the same run reads: refused before any
    work, as for a text input, and the file is left as it was."""
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学，石墨烯很好。\n", encoding="utf-8")
    user = tmp_path / "user.txt"
    user.write_text("石墨烯 3\n", encoding="utf-8")
    idf = tmp_path / "idf.txt"
    idf.write_text("北京 5.0\n清华大学 7.0\n", encoding="utf-8")
    stop = tmp_path / "stop.txt"
    stop.write_text("的\n", encoding="utf-8")
    domain = tmp_path / "d.qcd"
    assert qieci_cli("adapt", str(src), "-o", str(domain)).returncode == 0
    bundled = os.path.join(os.path.dirname(qieci.__file__), "engines", "learned", "data")
    model = tmp_path / "m.qc"
    model.write_bytes(open(os.path.join(bundled, "learned.qc"), "rb").read())
    cases = [
        (["cut", str(src), "-u"], user),
        (["cut", str(src), "--engine", "learned", "--model"], model),
        (["cut", str(src), "--engine", "learned", "--domain"], domain),
        (["keywords", str(src), "--idf"], idf),
        (["keywords", str(src), "--stop-words"], stop),
        (["discover", str(src), "--model"], model),
        (["adapt", str(src), "--model"], model),
    ]
    for args, data in cases:
        before = data.read_bytes()
        assert_user_error(qieci_cli(*args, str(data), "-o", str(data)), "is also the input")
        assert data.read_bytes() == before, args
    # -o DIR/ whose output for an input would be a data file of the run
    (tmp_path / "user.txt").write_text("石墨烯 3\n", encoding="utf-8")
    same = tmp_path / "sub"
    same.mkdir()
    (same / "user.txt").write_text("石墨烯很好\n", encoding="utf-8")
    assert_user_error(
        qieci_cli("cut", str(same / "user.txt"), "-u", str(user), "-o", str(tmp_path) + "/"),
        "is also the input",
    )
    assert user.read_text(encoding="utf-8") == "石墨烯 3\n"


def test_an_output_naming_a_folder_is_refused_before_the_work(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    for cmd in (["adapt", str(src)], ["discover", str(src)], ["keywords", str(src)]):
        for out in (str(tmp_path / "newdir") + "/", str(tmp_path)):
            assert_user_error(qieci_cli(*cmd, "-o", out), "names a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt"]


def test_cut_file_refuses_to_replace_its_input(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n", encoding="utf-8")
    for jobs in (1, 2):
        with pytest.raises(Exception, match="is also the input"):
            qieci.cut_file(str(src), str(src), jobs=jobs)
        assert src.read_text(encoding="utf-8") == "我来到北京清华大学\n"


def test_eval_names_the_file_lines_of_a_mismatch_across_blank_lines(tmp_path):
    head = "我 爱\n\n北京 天安门\n\n\n"  # blank lines 2, 4, 5: the 4th sentence is on line 6
    gold, pred, short = tmp_path / "g.txt", tmp_path / "p.txt", tmp_path / "s.txt"
    gold.write_text(head + "他 说\n", encoding="utf-8")
    pred.write_text(head + "你 说\n", encoding="utf-8")
    short.write_text(head, encoding="utf-8")
    err = assert_user_error(qieci_cli("eval", str(gold), "--pred", str(pred)), ": line 6: ")
    assert "line 3" not in err and len(err.splitlines()) == 1
    err = assert_user_error(qieci_cli("eval", str(gold), "--pred", str(short)), "gold line 6 ")
    assert "line 3" not in err
    pred.write_text("我 爱\n北京 天安门\n你 说\n", encoding="utf-8")
    assert_user_error(
        qieci_cli("eval", str(gold), "--pred", str(pred)), "gold line 6, prediction line 3"
    )


def test_eval_refuses_an_empty_word_list(tmp_path, corpus):
    for text in ("", "\n \n"):
        words = tmp_path / "words.txt"
        words.write_text(text, encoding="utf-8")
        for pred in ([], ["--pred", str(corpus)]):
            err = assert_user_error(
                qieci_cli("eval", str(corpus), *pred, "--vocab", str(words)),
                "words.txt: ",
                "no words",
                "one word per line",
                "leave --vocab out",
            )
            assert len(err.splitlines()) == 1


# gold and prediction whose scores were worked out by hand (tests/test_evaluate.py):
# 7 gold words, 6 predicted, 2 right: P 1/3, R 2/7, F1 4/13; with the word
# list 我 爱 北京 说, OOV recall 1/3 (of 天安门 他 ：) and IV recall 1/4
EVAL_GOLD = "我 爱 北京 天安门\n他 说 ：\n"
EVAL_PRED = "我 爱北京 天安 门\n他说 ：\n"
EVAL_WORDS = "我\n爱\n北京\n说\n"


def test_eval_reads_one_input_from_stdin(tmp_path):
    files = {"gold": EVAL_GOLD, "pred": EVAL_PRED, "words": EVAL_WORDS}
    for stdin_name in files:
        args = {}
        for name, text in files.items():
            if name == stdin_name:
                args[name] = "-"
            else:
                (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
                args[name] = str(tmp_path / f"{name}.txt")
        res = qieci_cli(
            "eval",
            args["gold"],
            "--pred",
            args["pred"],
            "--vocab",
            args["words"],
            "--json",
            stdin=files[stdin_name].encode(),
        )
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout)
        assert (out["gold_words"], out["pred_words"]) == (7, 6)
        assert out["precision"] == pytest.approx(1 / 3)
        assert out["recall"] == pytest.approx(2 / 7)
        assert out["f1"] == pytest.approx(4 / 13)
        assert out["oov_recall"] == pytest.approx(1 / 3)
        assert out["iv_recall"] == pytest.approx(1 / 4)
    # GOLD from stdin, segmented by the engine (jieba gets this one right)
    res = qieci_cli("eval", "-", "--json", stdin="我 来到 北京 清华大学\n".encode())
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["f1"] == 1.0


def test_eval_stdin_mistakes(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text(EVAL_GOLD, encoding="utf-8")
    for args in (
        ["-", "--pred", "-"],
        ["-", "--vocab", "-"],
        [str(gold), "--pred", "-", "--vocab", "-"],
    ):
        err = assert_user_error(qieci_cli("eval", *args, stdin=EVAL_GOLD.encode()), "only once")
        assert len(err.splitlines()) == 1
    # bad bytes on stdin: named "<stdin>", with the line and byte ("我 来到\n\n" is 12 bytes)
    bad = "我 来到\n\n".encode() + "北京 大学\n".encode("gbk")
    for args in (["-"], [str(gold), "--pred", "-"], [str(gold), "--vocab", "-"]):
        assert_user_error(
            qieci_cli("eval", *args, stdin=bad), "<stdin>:3: invalid UTF-8 at byte offset 12"
        )
    # an empty stdin is an empty gold file, a mismatched one is named as the prediction
    assert_user_error(qieci_cli("eval", "-"), "<stdin>: ", "nothing to score")
    assert_user_error(
        qieci_cli("eval", str(gold), "--pred", "-", stdin="我 爱\n".encode()),
        "<stdin> against ",
        "gold.txt",
    )


def test_eval_names_an_input_it_cannot_read(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text(EVAL_GOLD, encoding="utf-8")
    missing = str(tmp_path / "missing.txt")
    for args, needle in (
        ([missing], "missing.txt: cannot read segmented file: No such file"),
        ([str(gold), "--pred", missing], "missing.txt: cannot read segmented file"),
        ([str(gold), "--vocab", missing], "missing.txt: cannot read word list"),
        ([str(gold), "--pred", str(tmp_path)], ": cannot read segmented file: Is a directory"),
    ):
        err = assert_user_error(qieci_cli("eval", *args), needle)
        assert len(err.splitlines()) == 1
