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


def test_keywords_refuses_a_nan_idf_table(tmp_path, capsys):
    idf, text = tmp_path / "idf.txt", tmp_path / "t.txt"
    idf.write_text("石墨烯 5\n材料 nan\n", encoding="utf-8")
    text.write_text("石墨烯是一种新材料\n", encoding="utf-8")
    assert main(["keywords", "-w", "--idf", str(idf), str(text)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"qieci: error: {idf}:2: the IDF of '材料' is 'nan': ")
    assert "finite number" in err and err.count("\n") == 1


@pytest.mark.parametrize("textrank", [[], ["--textrank"]])
def test_keywords_refuses_an_unknown_allow_pos_tag(tmp_path, capsys, textrank):
    text = tmp_path / "news.txt"
    text.write_text("我来到北京清华大学\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    argv = ["keywords", *textrank, "--allow-pos", "ns,zz,QQ", str(text), "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("qieci: error: --allow-pos: unknown tags 'zz', 'QQ' ")
    assert err.count("\n") == 1 and "'ns'" not in err
    valid = err.split("the tagger's tags are ")[1].split(" ")[0].split(",")
    assert {"n", "ns", "nt", "v", "vn", "eng", "m", "x"} <= set(valid)
    assert not out.exists()


def test_allow_pos_accepts_every_tag_the_tagger_gives(tmp_path, capsys):
    """Tags of the dictionary (-D), of the POS HMM (not in that dictionary),
    the fixed tags of non-Han runs, and user tags (-u) are all valid."""
    dic, user, text = tmp_path / "dict.txt", tmp_path / "user.txt", tmp_path / "t.txt"
    dic.write_text("苹果 100 qq\n香蕉 100 n\n和 100 c\n", encoding="utf-8")
    user.write_text("西瓜 100 zz\n", encoding="utf-8")
    text.write_text("苹果和香蕉和西瓜 apple 2019\n", encoding="utf-8")
    base = ["keywords", "-D", str(dic), "-u", str(user)]
    assert run(tmp_path, *base, "--allow-pos", "qq", str(text)) == ["苹果"]
    assert run(tmp_path, *base, "--allow-pos", "zz", str(text)) == ["西瓜"]
    assert run(tmp_path, *base, "--allow-pos", "eng", str(text)) == ["apple"]
    assert run(tmp_path, *base, "--allow-pos", "m", str(text)) == ["2019"]
    # an HMM tag that no word of this text (or dictionary) has: valid, no keyword
    assert run(tmp_path, *base, "--allow-pos", "ns", str(text)) == [""]
    # the user tag is valid only with its user dictionary
    assert main(["keywords", "-D", str(dic), "--allow-pos", "zz", str(text)]) == 2
    assert "unknown tag 'zz'" in capsys.readouterr().err
