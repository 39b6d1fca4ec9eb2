"""qieci.dask on a real dask.distributed cluster: a scheduler and two
workers started as separate processes on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import qieci
from qieci.io.stream import CutOptions, cut_stream

distributed = pytest.importorskip("distributed")


def _corpus(tmp_path: Path, test_corpus_lines: list[str]) -> Path:
    path = tmp_path / "corpus.txt"
    lines = test_corpus_lines[:3000]
    # CRLF, an empty line, a long line and no final newline: partition edges
    # must handle every kind of line
    text = (
        "\n".join(lines[:1000])
        + "\r\n\r\n"
        + "".join(lines[1000:1400])
        + "\n"
        + "\n".join(lines[1400:])
    )
    path.write_bytes(text.encode("utf-8"))
    return path


def test_cluster_output_is_byte_identical_to_local(cluster, tmp_path, test_corpus_lines):
    from qieci.dask import cut_text_files

    client, _ = cluster
    src = _corpus(tmp_path, test_corpus_lines)
    tok = qieci.Tokenizer()
    tok.add_word("杭研大厦", 1000)
    tok.del_word("北京")
    local = tmp_path / "local.txt"
    with open(src, "rb") as f, open(local, "wb") as out:
        cut_stream(tok, f, out, CutOptions(), jobs=1)
    with distributed.get_task_stream(client) as stream:
        parts = cut_text_files(
            str(src), str(tmp_path / "out"), client=client, tokenizer=tok, partition_bytes=9_000
        )
    assert len(parts) > 5
    assert parts == sorted(parts)
    joined = b"".join(Path(p).read_bytes() for p in parts)
    assert joined == local.read_bytes()
    # both workers took part
    ran_on = {t["worker"] for t in stream.data if "cut_partition" in str(t["key"])}
    assert len(ran_on) == 2, ran_on


def test_cli_scheduler_matches_local_cli(cluster, tmp_path, test_corpus_lines):
    _, address = cluster
    src = _corpus(tmp_path, test_corpus_lines)
    local = tmp_path / "local.txt"
    run = [sys.executable, "-m", "qieci", "cut", "-q", "--search"]
    subprocess.run(run + [str(src), "-o", str(local)], check=True, timeout=300)
    out_dir = tmp_path / "parts"
    res = subprocess.run(
        run + [str(src), "-o", f"{out_dir}/", "--scheduler", address],
        capture_output=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    parts = sorted(out_dir.iterdir())
    assert b"".join(p.read_bytes() for p in parts) == local.read_bytes()


def test_invalid_utf8_on_the_cluster_names_file_line_and_byte(cluster, tmp_path):
    from qieci.dask import cut_text_files

    client, _ = cluster
    src = tmp_path / "bad.txt"
    good = "好的句子。\n" * 5000
    src.write_bytes(good.encode() + b"bad \xff line\n" + good.encode())
    with pytest.raises(
        Exception,
        match=rf"bad.txt:5001: invalid UTF-8 at byte offset "
        rf"{len(good.encode()) + 4}",
    ):
        cut_text_files(str(src), str(tmp_path / "o"), client=client, partition_bytes=20_000)
    out = tmp_path / "o"
    # the partition holding the bad line wrote nothing, and no temporary
    # files were left behind
    failed = out / f"bad.txt.part{len(good.encode()) // 20_000:05d}"
    assert not failed.exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_plugin_names_tell_apart_recipes_with_the_same_repr():
    from qieci.io.cluster import plugin_name

    a, b = qieci.Tokenizer().spec(), qieci.Tokenizer().spec()
    assert plugin_name(a) == plugin_name(b)
    tok = qieci.Tokenizer()
    tok.add_word("杭研大厦")
    c = tok.spec()
    assert plugin_name(c) != plugin_name(a)
    # a domain's repr shows only its counts: two domains of equal counts
    # and different words must not share a plugin
    from qieci.engines.learned.domain import count, with_words

    stats = count(["我们在北京大学读书", "我们在北京大学读书"])
    d1, d2 = with_words(stats, {"ctb": ["甲乙"]}), with_words(stats, {"ctb": ["丙丁"]})
    assert repr(d1) == repr(d2) and d1 != d2
    assert plugin_name(d1) != plugin_name(d2)  # type: ignore[arg-type]


def test_globs_and_their_mistakes(cluster, tmp_path):
    from qieci.dask import cut_text_files
    from qieci.io.cluster import expand
    from qieci.io.lines import InputError

    client, _ = cluster
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.txt").write_text("我来到北京\n", encoding="utf-8")
    (tmp_path / "x" / "b.txt").write_text("清华大学\n", encoding="utf-8")
    assert expand(str(tmp_path / "x" / "*.txt")) == [
        str(tmp_path / "x" / "b.txt"),
        str(tmp_path / "x" / "same.txt"),
    ]
    with pytest.raises(InputError, match="no file matches"):
        expand(str(tmp_path / "none" / "*.txt"))
    with pytest.raises(InputError, match="is a directory"):
        expand([str(tmp_path / "x")])
    with pytest.raises(InputError, match="same file name"):
        cut_text_files(str(tmp_path / "*" / "same.txt"), str(tmp_path / "out"), client=client)


@pytest.mark.parametrize("bad", [0, -5, 1.5, "64", True])
def test_a_partition_size_that_is_not_a_positive_count_is_refused_first(tmp_path, bad):
    """partition_bytes=0 never moved the split forward: the client hung,
    its memory growing; now it is a ValueError before anything is made."""
    import qieci.dask

    src = tmp_path / "a.txt"
    src.write_text("我来到北京\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="partition_bytes must be a positive whole number"):
        qieci.dask.cut_text_files([str(src)], str(out), client=object(), partition_bytes=bad)
    assert not out.exists()


def test_a_bad_dictionary_is_refused_on_the_client_first(tmp_path):
    """A missing or malformed dictionary= is the caller's ValueError before
    any work goes to the cluster (it was a traceback in every worker's log
    before the same error came back)."""
    import qieci.dask

    src = tmp_path / "a.txt"
    src.write_text("我来到北京\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("北京 x\n", encoding="utf-8")
    out = tmp_path / "out"
    for dictionary, needle in ((tmp_path / "nope.txt", "nope.txt"), (bad, "bad.txt:1")):
        with pytest.raises(ValueError, match=needle):
            qieci.dask.cut_text_files(
                [str(src)], str(out), client=object(), dictionary=str(dictionary)
            )
    assert not out.exists()
