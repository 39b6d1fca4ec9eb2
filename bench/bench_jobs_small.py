"""``qieci cut --jobs 2`` against ``--jobs 1`` on a small corpus file (25 MB).

Input: the raw text of shared/corpora/test/*.txt (gold lines, spaces
removed) repeated to 25 MB, one sentence per line, in a temporary folder.
Each command is the whole process, start-up included, as a user runs it:
``qieci cut FILE -j N -q -o OUT``. The two commands run in turn (B A B A
...), and the ratio is taken pair by pair, so that a drift in the machine's
speed hits both; the median is quoted. The two outputs must be
byte-identical.

The package's bytecode is compiled first and the runs may write it (as a
``pip install`` leaves a package): with ``PYTHONDONTWRITEBYTECODE`` set and no
bytecode, every start would compile qieci's sources again.

The fixed part of a run, ``qieci cut`` of a one-line file (start-up, imports,
the dictionary), is timed as well: with it, the best ratio that two workers
could give is ``(S + W) / (S + W / 2)``, where S is that fixed part and W
the rest of ``-j 1``'s time.

Rerun::

    flock /tmp/qieci-bench.lock python bench/bench_jobs_small.py   # writes bench/results/jobs_small.md
"""

from __future__ import annotations

import compileall
import filecmp
import os
import shutil
import tempfile
from pathlib import Path
from statistics import median

import qieci
from common import corpus_lines, machine, run_process

MB = 25
PAIRS = 11


def main() -> None:
    lines = corpus_lines()
    qieci_exe = shutil.which("qieci")
    assert qieci_exe, "install qieci first (pip install .)"
    for path in qieci.__path__:
        compileall.compile_dir(path, quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "c25.txt"
        with open(src, "w", encoding="utf-8") as f:
            size = 0
            while size < MB * 10**6:
                for line in lines:
                    f.write(line + "\n")
                    size += len(line.encode()) + 1
        tiny = Path(tmp) / "one-line.txt"
        tiny.write_text(lines[0] + "\n", encoding="utf-8")
        one, two, small = (Path(tmp) / n for n in ("one.txt", "two.txt", "small.txt"))
        a = [qieci_exe, "cut", str(src), "-j", "2", "-q", "-o", str(two)]
        b = [qieci_exe, "cut", str(src), "-j", "1", "-q", "-o", str(one)]
        s = [qieci_exe, "cut", str(tiny), "-q", "-o", str(small)]
        for cmd in (a, b, s):  # warm-up: page cache, bytecode
            run_process(cmd, env)
        runs: dict[str, list[tuple[float, float, float]]] = {"A": [], "B": [], "S": []}
        for _ in range(PAIRS):
            runs["B"].append(run_process(b, env))
            runs["A"].append(run_process(a, env))
            runs["S"].append(run_process(s, env))
        identical = filecmp.cmp(one, two, shallow=False)
        size_mb = src.stat().st_size / 1e6
    ratios = [rb[0] / ra[0] for ra, rb in zip(runs["A"], runs["B"], strict=True)]
    fixed = median([r[0] for r in runs["S"]])
    one_wall = median([r[0] for r in runs["B"]])
    rest = one_wall - fixed
    bound = one_wall / (fixed + rest / 2)
    rows = [
        "| command | wall s (median) | min | max | CPU s (median) | peak RSS MiB |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in (("B", "`-j 1`"), ("A", "`-j 2`"), ("S", "one-line file (fixed part)")):
        walls = [r[0] for r in runs[key]]
        rows.append(
            f"| {label} | {median(walls):.3f} | {min(walls):.3f} | {max(walls):.3f} | "
            f"{median([r[1] for r in runs[key]]):.3f} | {max(r[2] for r in runs[key]):.1f} |"
        )
    out = [
        "# `--jobs 2` against `--jobs 1` on a 25 MB file",
        "",
        f"Input: raw text of shared/corpora/test/*.txt repeated to {size_mb:.1f} MB. {machine()}. "
        f"Command: `python bench/bench_jobs_small.py` ({PAIRS} pairs, whole processes, "
        "start-up included, timed by the benchmark itself with `os.wait4`).",
        "",
        "`qieci cut FILE -j N -q -o OUT`, N = 1 and 2 in turn; outputs byte-identical: "
        f"{identical}. Load average at the end: {os.getloadavg()[0]:.2f}.",
        "",
        *rows,
        "",
        f"**`-j 2` is {median(ratios):.2f}x `-j 1`** (median of the pairs' ratios; range "
        f"{min(ratios):.2f}x to {max(ratios):.2f}x). The fixed part of a run is {fixed:.3f} s, "
        f"so two workers could at best give {bound:.2f}x on this file.",
    ]
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("jobs_small.md").write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
