"""File to file: ``qieci cut -j 1`` against rjieba cutting the same lines.

Input: the raw text of every file in ``shared/corpora/test/`` (each gold
line with its spaces removed, as in ``bench_cut.py``: 42,835 lines, 1.52M
characters), written ``--repeat`` times (default 10: 15.2M characters,
45 MB) into one UTF-8 file, so that starting a process is a small part of
each run.

Both sides are timed as what a user runs, one process each, pinned to one
core (``taskset -c 0``), wall clock from start to exit, best of
``--runs`` alternating runs:

* qieci: ``python -m qieci cut -j 1 -q IN -o OUT`` (bundled dictionary);
* rjieba: a Python process that imports rjieba, reads IN line by line,
  cuts each line with ``rjieba.cut`` and writes the words joined by spaces,
  one line per line, to OUT.

Both include their interpreter start and dictionary load. The table also
gives the CPU seconds (user + system, less sensitive to other load on the
machine) and qieci's peak RSS (``ru_maxrss`` of its process), and, with
``--reference FILE``, whether qieci's output is byte-identical to FILE
(for example the output of an earlier commit on the same input, made with
``--keep-input``).

Rerun::

    pip install '.[bench]'
    python bench/bench_file.py                 # writes bench/results/file.md
    python bench/bench_file.py --reference OLD_OUTPUT
    # side by side with another build of qieci, e.g. an earlier commit:
    git archive COMMIT | tar -x -C /tmp/old && (cd /tmp/old && python setup.py build_ext --inplace)
    python bench/bench_file.py --baseline /tmp/old/src
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import machine, run_process

WRITE_INPUT = """
import sys
from common import corpus_lines
lines = corpus_lines()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("".join(line + "\\n" for line in lines) * int(sys.argv[2]))
print(len(lines), sum(map(len, lines)) * int(sys.argv[2]))
"""

RJIEBA_SCRIPT = """
import sys
import rjieba
cut = rjieba.cut
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
    for line in src:
        dst.write(" ".join(cut(line.rstrip("\\n"))) + "\\n")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=10, help="copies of the corpus text in IN")
    ap.add_argument("--runs", type=int, default=3, help="alternating runs (best is kept)")
    ap.add_argument("--reference", help="compare qieci's output with this file")
    ap.add_argument(
        "--baseline",
        metavar="SRC",
        help="also time the qieci whose package is under SRC (a src/ folder of another "
        "build, put first on PYTHONPATH), and compare its output",
    )
    ap.add_argument("--keep-input", metavar="PATH", help="also write the input file here")
    ap.add_argument("--out", default=str(Path(__file__).with_name("results") / "file.md"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="qieci-bench-") as tmp:
        src = os.path.join(tmp, "in.txt")
        # written by a child process: this one stays small, so that the
        # children's ru_maxrss (which Linux carries over from the parent
        # across fork and exec) is their own
        made = subprocess.run(
            [sys.executable, "-c", WRITE_INPUT, src, str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
        )
        n_lines, chars = map(int, made.stdout.split())
        if args.keep_input:
            shutil.copyfile(src, args.keep_input)
        size = os.path.getsize(src)
        q_out, r_out = os.path.join(tmp, "qieci.txt"), os.path.join(tmp, "rjieba.txt")
        qieci_cmd = [sys.executable, "-m", "qieci", "cut", "-j", "1", "-q", src, "-o", q_out]
        rjieba_cmd = [sys.executable, "-c", RJIEBA_SCRIPT, src, r_out]
        programs: list[tuple[str, list[str], dict[str, str] | None]] = [
            ("qieci", qieci_cmd, None),
            ("rjieba", rjieba_cmd, None),
        ]
        b_out = os.path.join(tmp, "baseline.txt")
        if args.baseline:
            env = {**os.environ, "PYTHONPATH": os.path.abspath(args.baseline)}
            programs.insert(1, ("baseline", [*qieci_cmd[:-1], b_out], env))
        best = {name: float("inf") for name, _, _ in programs}
        cpu = dict(best)
        rss = 0
        for _ in range(args.runs):
            for name, cmd, env in programs:
                secs, used, peak = run_process(cmd, env, pin=True)
                best[name] = min(best[name], secs)
                cpu[name] = min(cpu[name], used)
                if name == "qieci":
                    rss = max(rss, peak)
            print({k: f"{chars / v / 1e6:.2f}M chars/s" for k, v in best.items()}, flush=True)
        identical = None
        if args.reference:
            identical = Path(q_out).read_bytes() == Path(args.reference).read_bytes()
        same_as_baseline = None
        if args.baseline:
            same_as_baseline = Path(q_out).read_bytes() == Path(b_out).read_bytes()

    rate = {k: chars / v for k, v in best.items()}
    out = [
        "# File to file (jieba engine)",
        "",
        f"Input: the raw text of shared/corpora/test/*.txt ({n_lines} lines) written "
        f"{args.repeat} times into one file: {chars:,} chars, {size / 1e6:.1f} MB. "
        f"{machine()}, every process pinned to core 0 (`taskset -c 0`), wall clock of the "
        f"whole process (start, dictionary, cut, write), best of {args.runs} alternating runs. "
        f"Command: `python bench/bench_file.py{' --reference FILE' if args.reference else ''}"
        f"{' --baseline SRC' if args.baseline else ''}`.",
        "",
        "| program | wall (s) | chars/s | vs rjieba | CPU (s) | vs rjieba (CPU) |",
        "|---|---|---|---|---|---|",
        f"| `qieci cut -j 1 IN -o OUT` | {best['qieci']:.2f} | {rate['qieci'] / 1e6:.2f}M | "
        f"{best['rjieba'] / best['qieci']:.2f}x | {cpu['qieci']:.2f} | "
        f"{cpu['rjieba'] / cpu['qieci']:.2f}x |",
        *(
            [
                f"| the same, qieci from {args.baseline} | {best['baseline']:.2f} | "
                f"{rate['baseline'] / 1e6:.2f}M | {best['rjieba'] / best['baseline']:.2f}x | "
                f"{cpu['baseline']:.2f} | {cpu['rjieba'] / cpu['baseline']:.2f}x |"
            ]
            if args.baseline
            else []
        ),
        f"| rjieba `cut` per line, joined by spaces | {best['rjieba']:.2f} | "
        f"{rate['rjieba'] / 1e6:.2f}M | 1.00x | {cpu['rjieba']:.2f} | 1.00x |",
        "",
        f"- qieci peak RSS: {rss:.1f} MiB",
    ]
    if identical is not None:
        out.append(f"- qieci output byte-identical to {args.reference}: {identical}")
    if same_as_baseline is not None:
        out.append(f"- qieci output byte-identical to the baseline's: {same_as_baseline}")
    text_md = "\n".join(out) + "\n"
    Path(args.out).write_text(text_md, encoding="utf-8")
    sys.stdout.write(text_md)


if __name__ == "__main__":
    main()
