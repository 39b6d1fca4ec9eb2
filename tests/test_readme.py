"""Every Python example of the README runs as pasted, as a script of its
own, in a fresh folder holding the files it names."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S)
# the address of the Dask example: run against a real local cluster (the
# conftest's), its address put in its place
NEEDS_A_CLUSTER = "tcp://scheduler:8786"


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs_as_pasted(index, tmp_path, request):
    code = textwrap.dedent(BLOCKS[index])  # list items indent their blocks
    if NEEDS_A_CLUSTER in code:
        _, address = request.getfixturevalue("cluster")
        code = code.replace(NEEDS_A_CLUSTER, address)
        (tmp_path / "corpus").mkdir()
        for name, line in (("a.txt", "我来到北京清华大学"), ("b.txt", "他来到了网易杭研大厦")):
            (tmp_path / "corpus" / name).write_text((line + "\n") * 300, encoding="utf-8")
        # the parts hold each file's lines cut as qieci.lcut cuts them
        code += textwrap.dedent(
            """
            import qieci
            names = [p.rsplit("/", 1)[1] for p in parts]
            assert names == ["a.txt.part00000", "b.txt.part00000"], names
            expected = " ".join(qieci.lcut("他来到了网易杭研大厦")) + "\\n"
            assert open(parts[1], encoding="utf-8").read() == expected * 300
            """
        )
    lines = ["我来到北京清华大学", "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所"] * 400
    (tmp_path / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "userdict.txt").write_text("石墨烯 5 n\n云计算\n", encoding="utf-8")
    for name in ("dict.txt.big", "my_dict.txt"):  # jieba's text format
        (tmp_path / name).write_text("北京 10 ns\n清华 5 nt\n大学 5 n\n", encoding="utf-8")
    (tmp_path / "my_idf.txt").write_text("北京 8.5\n线程 9.1\n", encoding="utf-8")
    (tmp_path / "stop_words.txt").write_text("的\n是\n", encoding="utf-8")
    if "corpus.seg.txt" in code and "cut_file" not in code:  # "after: qieci cut ..."
        subprocess.run(
            [sys.executable, "-m", "qieci", "cut", "corpus.txt", "-o", "corpus.seg.txt"],
            cwd=tmp_path,
            check=True,
            timeout=120,
        )
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    res = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, f"README example {index}:\n{code}\n{res.stderr}"
