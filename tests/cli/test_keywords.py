"""``qieci cut --pos`` and ``qieci keywords`` against jieba 0.42.1."""

from __future__ import annotations

import json

import pytest

from qieci.cli import main

LINES = [
    "我来到北京清华大学",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "abc 2019年10% easy_install-3",
    "",
    "李小福是创新办主任也是云计算方面的专家",
]


@pytest.fixture
def infile(tmp_path, test_corpus_lines):
    lines = LINES + test_corpus_lines[::2000]
    path = tmp_path / "in.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


def run(tmp_path, *argv) -> list[str]:
    out = tmp_path / "out.txt"
    assert main([*argv, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8").split("\n")[:-1]


def test_cut_pos_identical_to_jieba(tmp_path, infile, jieba):
    import jieba.posseg as jp

    path, lines = infile
    got = run(tmp_path, "cut", "--pos", str(path))
    assert got == [" ".join(f"{w}/{t}" for w, t in jp.lcut(s)) for s in lines]
    got = run(tmp_path, "cut", "--pos", "--pos-sep", "_", "-d", "|", "--no-hmm", str(path))
    assert got == ["|".join(f"{w}_{t}" for w, t in jp.lcut(s, HMM=False)) for s in lines]


def test_cut_pos_rejects_other_modes(tmp_path, infile, capsys):
    path, _ = infile
    assert main(["cut", "--pos", "--search", str(path)]) == 2
    assert "--pos" in capsys.readouterr().err


def test_keywords_identical_to_jieba(tmp_path, infile, jieba):
    import jieba.analyse as ja

    path, lines = infile
    assert run(tmp_path, "keywords", str(path)) == [" ".join(ja.extract_tags(s)) for s in lines]
    assert run(tmp_path, "keywords", "--textrank", "-k", "3", str(path)) == [
        " ".join(ja.textrank(s, 3)) for s in lines
    ]
    got = [json.loads(x) for x in run(tmp_path, "keywords", "--json", "-w", str(path))]
    want = [ja.extract_tags(s, withWeight=True) for s in lines]
    assert [[w for w, _ in g] for g in got] == [[w for w, _ in x] for x in want]
    assert all(abs(a[1] - b[1]) <= 1e-9 for g, x in zip(got, want) for a, b in zip(g, x))
    got = run(tmp_path, "keywords", "--allow-pos", "ns,nt", str(path))
    assert got == [" ".join(ja.extract_tags(s, allowPOS=("ns", "nt"))) for s in lines]


def test_keywords_of_whole_documents(tmp_path, infile, jieba):
    import jieba.analyse as ja

    path, lines = infile
    got = run(tmp_path, "keywords", "--document", "-k", "5", "--json", str(path), str(path))
    doc = "\n".join(lines) + "\n"
    assert [json.loads(x) for x in got] == [ja.extract_tags(doc, 5)] * 2
