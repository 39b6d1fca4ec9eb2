"""Instructions per cut, this checkout against another revision of qieci.

Wall-clock ratios on a shared 2-core machine move by several percent from
run to run; instruction counts under ``valgrind --tool=callgrind`` do not.
Input: the raw text of every file in ``shared/corpora/test/`` (as
``bench_cut.py``). For each mode, a process loads qieci and cuts every line
once; a process that only loads qieci is subtracted, so each figure is the
cost of the cuts alone.

Rerun::

    git worktree add /tmp/qieci-rev REV
    (cd /tmp/qieci-rev && python setup.py build_ext --inplace)
    python bench/instructions_vs_rev.py /tmp/qieci-rev/src   # bench/results/instructions_vs_rev.md
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import sys
sys.path.insert(0, {bench!r})
from common import corpus_lines
import qieci
lines = corpus_lines()
qieci.initialize()
mode = {mode!r}
if mode == "learned lcut":
    learned = qieci.Tokenizer(engine="learned")
    learned.initialize()
fns = {{
    "load only": None,
    "cut (HMM)": qieci.lcut,
    "cut HMM=False": lambda s: qieci.lcut(s, HMM=False),
    "cut_all": lambda s: qieci.lcut(s, cut_all=True),
    "cut_for_search": qieci.lcut_for_search,
    "learned lcut": learned.lcut if mode == "learned lcut" else None,
}}
f = fns[mode]
if f is not None:
    for s in lines:
        f(s)
"""

MODES = ("cut (HMM)", "cut HMM=False", "cut_all", "cut_for_search")


def instructions(mode: str, pythonpath: str | None) -> int:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = CHILD.format(bench=str(HERE), mode=mode)
    python = os.path.realpath(sys.executable)  # not a shim: valgrind must see python
    res = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", python, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    )
    m = re.search(r"Collected : (\d+)", res.stderr)
    assert m, res.stderr[-2000:]
    return int(m.group(1))


def main() -> None:
    rev = sys.argv[1]
    base = {w: instructions("load only", p) for w, p in (("this", None), ("rev", rev))}
    rows = []
    for mode in MODES:
        this = instructions(mode, None) - base["this"]
        other = instructions(mode, rev) - base["rev"]
        rows.append((mode, this, other))
        print(mode, this, other, flush=True)
    out = [
        "# Instructions per cut: this checkout against another revision",
        "",
        f"Input: raw text of shared/corpora/test/*.txt, every line cut once; instructions "
        f"counted by callgrind, minus a process that only loads qieci. rev: `{rev}`. "
        f"Command: `python bench/instructions_vs_rev.py {rev}`.",
        "",
        "| mode | this (M instructions) | rev (M instructions) | this / rev |",
        "|---|---|---|---|",
    ]
    for mode, this, other in rows:
        out.append(f"| {mode} | {this / 1e6:.1f} | {other / 1e6:.1f} | {this / other:.3f} |")
    out.append(
        f"| load only | {base['this'] / 1e6:.1f} | {base['rev'] / 1e6:.1f} | "
        f"{base['this'] / base['rev']:.3f} |"
    )
    text = "\n".join(out) + "\n"
    (HERE / "results" / "instructions_vs_rev.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
