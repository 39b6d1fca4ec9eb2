"""This checkout's speed against another revision of qieci, side by side.

Input: the raw text of every file in ``shared/corpora/test/`` (as
``bench_cut.py``), cut line by line on one pinned core, in every mode of the
jieba engine and with the learned engine, by the installed qieci ("this")
and by a build of REV ("rev") run in alternating subprocesses, so that drift
hits both alike. rjieba's ``cut`` is timed in the same rounds as the
reference of ``bench_cut.py``'s ratios. Each figure is the best of the
rounds.

Rerun::

    git worktree add /tmp/qieci-rev REV
    (cd /tmp/qieci-rev && python setup.py build_ext --inplace)
    python bench/bench_vs_rev.py /tmp/qieci-rev/src   # writes bench/results/vs_rev.md
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUNDS = 5

# Run in a child: time every mode over the corpus lines, print JSON.
CHILD = r"""
import json, sys, time
sys.path.insert(0, {bench!r})
from common import corpus_lines, pin_one_core
pin_one_core()
lines = corpus_lines()
which = {which!r}
if which == "rjieba":
    import rjieba
    fns = {{"cut (HMM)": rjieba.cut}}
    rjieba.cut("预热")
else:
    import qieci
    qieci.initialize()
    learned = qieci.Tokenizer(engine="learned")
    learned.initialize()
    fns = {{
        "cut (HMM)": qieci.lcut,
        "cut HMM=False": lambda s: qieci.lcut(s, HMM=False),
        "cut_all": lambda s: qieci.lcut(s, cut_all=True),
        "cut_for_search": qieci.lcut_for_search,
        "learned lcut": learned.lcut,
    }}
out = {{}}
for name, fn in fns.items():
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        for s in lines:
            fn(s)
        best = min(best, time.perf_counter() - t)
    out[name] = best
print(json.dumps({{"chars": sum(map(len, lines)), "secs": out}}))
"""


def run(which: str, pythonpath: str | None) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = CHILD.format(bench=str(HERE), which=which)
    # run outside the checkout, so that "this" is the installed package
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd="/", check=True
    )
    return json.loads(res.stdout)


def main() -> None:
    rev_src = sys.argv[1]
    best: dict[str, dict[str, float]] = {"this": {}, "rev": {}, "rjieba": {}}
    chars = 0
    for _ in range(ROUNDS):
        for which, path in (("this", None), ("rev", rev_src), ("rjieba", None)):
            got = run("rjieba" if which == "rjieba" else "qieci", path)
            chars = got["chars"]
            for mode, s in got["secs"].items():
                best[which][mode] = min(best[which].get(mode, s), s)
        print(json.dumps(best), flush=True)
    rj = best["rjieba"]["cut (HMM)"]
    out = [
        "# This checkout against another revision (side by side)",
        "",
        f"Input: raw text of shared/corpora/test/*.txt, {chars} chars, cut line by line on "
        f"one pinned core; best of {ROUNDS} alternating rounds (3 passes each). "
        f"rev: `{rev_src}`. Command: `python bench/bench_vs_rev.py {rev_src}`.",
        "",
        "| mode | this chars/s | rev chars/s | this / rev | this / rjieba cut | rev / rjieba cut |",
        "|---|---|---|---|---|---|",
    ]
    for mode, s in best["this"].items():
        r = best["rev"][mode]
        out.append(
            f"| {mode} | {chars / s / 1e6:.2f}M | {chars / r / 1e6:.2f}M | {r / s:.3f} | "
            f"{rj / s:.2f}x | {rj / r:.2f}x |"
        )
    text = "\n".join(out) + "\n"
    (HERE / "results" / "vs_rev.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
