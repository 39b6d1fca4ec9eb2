"""Segmentation speed of qieci's jieba engine against jieba, rjieba and jieba_fast.

Input: the raw text of every file in ``shared/corpora/test/`` (each gold line
with its spaces removed; about 43k lines, 1.5M characters), cut line by line
through each library's list-returning cut function, on one pinned core.
Every mode is timed side by side in the same run; qieci and rjieba take the
best of several alternating runs, jieba (slow) the best of two.

Rerun::

    pip install '.[bench]'
    python bench/bench_cut.py            # writes bench/results/cut.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import qieci
from common import best_of, corpus_lines, machine, pin_one_core, time_lines


def peers():
    import jieba
    import jieba_fast
    import rjieba

    jieba.setLogLevel(60)
    jieba.initialize()
    jieba_fast.setLogLevel(60)
    jieba_fast.initialize()
    rjieba.cut("预热")
    qieci.initialize()
    return {
        "cut (HMM)": {
            "qieci": qieci.lcut,
            "rjieba": rjieba.cut,
            "jieba_fast": jieba_fast.lcut,
            "jieba": jieba.lcut,
        },
        "cut HMM=False": {
            "qieci": lambda s: qieci.lcut(s, HMM=False),
            "rjieba": lambda s: rjieba.cut(s, False),
            "jieba_fast": lambda s: jieba_fast.lcut(s, HMM=False),
            "jieba": lambda s: jieba.lcut(s, HMM=False),
        },
        "cut_all": {
            "qieci": lambda s: qieci.lcut(s, cut_all=True),
            "rjieba": rjieba.cut_all,
            "jieba_fast": lambda s: jieba_fast.lcut(s, cut_all=True),
            "jieba": lambda s: jieba.lcut(s, cut_all=True),
        },
        "cut_for_search": {
            "qieci": qieci.lcut_for_search,
            "rjieba": rjieba.cut_for_search,
            "jieba_fast": jieba_fast.lcut_for_search,
            "jieba": jieba.lcut_for_search,
        },
    }


def main() -> None:
    pinned = pin_one_core()
    lines = corpus_lines()
    chars = sum(map(len, lines))
    rows = []
    for mode, fns in peers().items():
        secs = {}
        for _ in range(5):  # alternate the fast ones so drift hits both alike
            for name in ("qieci", "rjieba", "jieba_fast"):
                t = time_lines(fns[name], lines)
                secs[name] = min(secs.get(name, t), t)
        secs["jieba"] = best_of(2, lambda: time_lines(fns["jieba"], lines))
        rows.append((mode, secs))
        print(mode, {k: f"{chars / v / 1e6:.2f}M chars/s" for k, v in secs.items()}, flush=True)

    out = [
        "# Segmentation speed (jieba engine)",
        "",
        f"Input: raw text of shared/corpora/test/*.txt, {len(lines)} lines, {chars} chars, "
        f"cut line by line. {machine()}, {pinned}. Command: `python bench/bench_cut.py`.",
        "",
        "| mode | qieci chars/s | rjieba | jieba_fast | jieba | qieci / rjieba | qieci / jieba |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, s in rows:
        rate = {k: chars / v for k, v in s.items()}
        out.append(
            f"| {mode} | {rate['qieci'] / 1e6:.2f}M | {rate['rjieba'] / 1e6:.2f}M | "
            f"{rate['jieba_fast'] / 1e6:.2f}M | {rate['jieba'] / 1e6:.2f}M | "
            f"{s['rjieba'] / s['qieci']:.2f}x | {s['jieba'] / s['qieci']:.1f}x |"
        )
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("cut.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
