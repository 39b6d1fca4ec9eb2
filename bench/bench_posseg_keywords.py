"""Speed of qieci.posseg and qieci.analyse against jieba 0.42.1, side by side.

Input: the raw text of ``shared/corpora/test/*.txt`` (each gold line with its
spaces removed), every 4th line of every file (about 10.7k lines, 380k
characters), processed line by line on one pinned core; plus, for
``posseg.lcut``, all of ``test/pku.txt`` alone (simplified Chinese news,
where jieba's HMM runs least). qieci takes the best of 3 runs, jieba one run
(it is slow, and its run-to-run spread is small next to the ratios).

Rerun (under the shared benchmark lock)::

    pip install '.[bench]'
    flock /tmp/qieci-bench.lock python bench/bench_posseg_keywords.py
    # writes bench/results/posseg_keywords.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import qieci
import qieci.analyse
import qieci.posseg
from common import CORPORA, best_of, corpus_lines, machine, pin_one_core, time_lines


def cases():
    import jieba
    import jieba.analyse
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()
    for fn in (
        jieba.posseg.lcut,
        qieci.posseg.lcut,
        jieba.analyse.extract_tags,
        qieci.analyse.extract_tags,
        jieba.analyse.textrank,
        qieci.analyse.textrank,
    ):
        fn("预热一下")
    nv = ("ns", "n", "vn", "v")
    return [
        ("posseg.lcut", qieci.posseg.lcut, jieba.posseg.lcut),
        (
            "posseg.lcut HMM=False",
            lambda s: qieci.posseg.lcut(s, HMM=False),
            lambda s: jieba.posseg.lcut(s, HMM=False),
        ),
        ("extract_tags", qieci.analyse.extract_tags, jieba.analyse.extract_tags),
        (
            "extract_tags withWeight",
            lambda s: qieci.analyse.extract_tags(s, withWeight=True),
            lambda s: jieba.analyse.extract_tags(s, withWeight=True),
        ),
        (
            "extract_tags allowPOS",
            lambda s: qieci.analyse.extract_tags(s, allowPOS=nv),
            lambda s: jieba.analyse.extract_tags(s, allowPOS=nv),
        ),
        ("textrank", qieci.analyse.textrank, jieba.analyse.textrank),
    ]


def measure(name, ours, theirs, lines):
    q = best_of(3, lambda: time_lines(ours, lines))
    j = time_lines(theirs, lines)
    chars = sum(map(len, lines))
    print(
        f"{name}: qieci {chars / q / 1e6:.2f}M chars/s, jieba {chars / j / 1e6:.3f}M, {j / q:.1f}x",
        flush=True,
    )
    return name, chars / q, chars / j, j / q


def main() -> None:
    pinned = pin_one_core()
    lines = corpus_lines()[::4]
    chars = sum(map(len, lines))
    with open(CORPORA / "test" / "pku.txt", encoding="utf-8") as f:
        pku = [x.rstrip("\n").replace(" ", "") for x in f if x.strip()]
    todo = cases()
    rows = [measure(name, ours, theirs, lines) for name, ours, theirs in todo]
    rows.append(measure("posseg.lcut (pku.txt only)", todo[0][1], todo[0][2], pku))
    out = [
        "# POS tagging and keyword extraction speed",
        "",
        f"Input: every 4th line of the raw text of shared/corpora/test/*.txt ({len(lines)} "
        f"lines, {chars} chars), processed line by line; last row: all of test/pku.txt "
        f"({len(pku)} lines, {sum(map(len, pku))} chars). {machine()}, {pinned}. qieci best "
        "of 3, jieba 0.42.1 one run, in the same process. Command: "
        "`flock /tmp/qieci-bench.lock python bench/bench_posseg_keywords.py`.",
        "",
        "| function | qieci chars/s | jieba chars/s | qieci / jieba |",
        "|---|---|---|---|",
    ]
    for name, q, j, ratio in rows:
        out.append(f"| {name} | {q / 1e6:.2f}M | {j / 1e6:.3f}M | {ratio:.1f}x |")
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("posseg_keywords.md").write_text(
        text, encoding="utf-8"
    )
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
