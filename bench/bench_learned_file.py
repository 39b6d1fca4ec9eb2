"""The learned engine's file path, this checkout against another revision,
with jieba and rjieba as peers, side by side in one run.

Input: the raw text of every file in ``shared/corpora/test/`` (each gold line
with its spaces removed, as ``bench_cut.py``), written once to a temporary
file, ``--repeat`` times over (default 1). Every command runs as its own
process pinned to one core (``taskset -c 0``), in alternating rounds so that
drift hits all alike; each figure is the best of the rounds:

* ``this``: ``python -m qieci cut --engine learned -j 1 IN -o OUT`` of this
  checkout;
* ``rev``: the same command with ``PYTHONPATH=REV_SRC`` (a build of another
  revision: the baseline); its output must be byte-identical to ``this``'s
  (checked after every round, and for ``-d /`` and ``--newline lf`` on a
  CRLF copy of the input), or the run fails;
* ``jieba`` 0.42.1 and ``rjieba``: a script that reads IN line by line, cuts
  each line (``jieba.lcut``, ``rjieba.cut``), joins the words with a space
  and writes OUT; jieba (slow) runs in the first two rounds only (the first
  one with ``--repeat``).

Each command is timed whole (wall clock and CPU time of the process:
start-up, model load, read, cut, write) and on a one-line input; the
difference is the cost of cutting the text (``net``), the rate a large
corpus sees once the model is loaded.

Rerun::

    git worktree add /tmp/lk-base 52b25d3
    (cd /tmp/lk-base && python setup.py build_ext --inplace)
    flock /tmp/qieci-bench.lock python bench/bench_learned_file.py /tmp/lk-base/src \
        --model /tmp/lk-base/src/qieci/engines/learned/data/learned.qc
    # bench/results/learned_file.md; --repeat 10 for a 10x longer input
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import corpus_lines, machine, run_process

HERE = Path(__file__).resolve().parent
ROUNDS = 5

PEER = r"""
import sys
which, src, dst = sys.argv[1:4]
if which == "jieba":
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    cut = jieba.lcut
else:
    import rjieba
    cut = rjieba.cut
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
    for line in f:
        out.write(" ".join(cut(line.rstrip("\n"))) + "\n")
"""


def commands(rev_src: str, model: str | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (argv with IN and OUT placeholders, extra environment)."""
    cut = [sys.executable, "-m", "qieci", "cut", "--engine", "learned", "-j", "1", "-q"]
    if model:
        cut += ["--model", model]
    return {
        "this": (cut + ["IN", "-o", "OUT"], {}),
        "rev": (cut + ["IN", "-o", "OUT"], {"PYTHONPATH": rev_src}),
        "rjieba": ([sys.executable, "-c", PEER, "rjieba", "IN", "OUT"], {}),
        "jieba": ([sys.executable, "-c", PEER, "jieba", "IN", "OUT"], {}),
    }


def run(argv: list[str], env: dict[str, str], src: Path, dst: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one pinned run of ``argv``."""
    argv = [str(src) if a == "IN" else str(dst) if a == "OUT" else a for a in argv]
    wall, cpu, _ = run_process(argv, {**os.environ, **env}, pin=True)
    return wall, cpu


def same(a: Path, b: Path, what: str) -> None:
    if a.read_bytes() != b.read_bytes():
        raise SystemExit(f"outputs differ ({what}): {a} {b}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev_src", help="the src/ folder of a build of the baseline revision")
    ap.add_argument(
        "--repeat", type=int, default=1, help="the input is the test text this many times"
    )
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument(
        "--model",
        help="one model file for both builds (default: each its bundled model; the bundled "
        "model changed after 52b25d3: give that revision's file to compare with it)",
    )
    args = ap.parse_args()
    lines = corpus_lines()
    chars = sum(map(len, lines)) * args.repeat
    cmds = commands(args.rev_src, args.model)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        src, one = d / "in.txt", d / "one.txt"
        src.write_text(("\n".join(lines) + "\n") * args.repeat, encoding="utf-8")
        one.write_text(lines[0] + "\n", encoding="utf-8")
        jieba_rounds = 2 if args.repeat == 1 else 1  # jieba is slow
        whole: dict[str, list[float]] = {}
        start: dict[str, list[float]] = {}
        for r in range(args.rounds):
            for name, (argv, env) in cmds.items():
                if name == "jieba" and r >= jieba_rounds:
                    continue
                w, c = run(argv, env, src, d / f"{name}.out")
                ws, cs = run(argv, env, one, d / f"{name}.one")
                old = whole.get(name, [1e9, 1e9])
                whole[name] = [min(old[0], w), min(old[1], c)]
                old = start.get(name, [1e9, 1e9])
                start[name] = [min(old[0], ws), min(old[1], cs)]
            same(d / "this.out", d / "rev.out", f"round {r + 1}")
            print(
                f"round {r + 1}: " + ", ".join(f"{k} {v[0]:.2f}s" for k, v in whole.items()),
                flush=True,
            )
        # the same bytes with other options too, on a CRLF copy
        crlf = d / "crlf.txt"
        crlf.write_bytes(src.read_bytes().replace(b"\n", b"\r\n"))
        for extra in (["-d", "/"], ["--newline", "lf"], []):
            outs = []
            for name in ("this", "rev"):
                argv, env = cmds[name]
                out = d / f"{name}.crlf"
                subprocess.run(
                    [str(crlf) if a == "IN" else str(out) if a == "OUT" else a for a in argv]
                    + extra,
                    check=True,
                    env={**os.environ, **env},
                )
                outs.append(out)
            same(outs[0], outs[1], f"CRLF input, options {extra}")

    def rate(sec: float) -> str:
        return f"{chars / sec / 1e6:.2f}M"

    net = {k: max(whole[k][0] - start[k][0], 1e-9) for k in whole}
    net_cpu = {k: max(whole[k][1] - start[k][1], 1e-9) for k in whole}
    out = [
        "# Learned engine: file to file",
        "",
        f"{machine()}; every command pinned to core 0 (taskset); {time.strftime('%Y-%m-%d')}; "
        f"best of {args.rounds} alternating rounds (jieba: {2 if args.repeat == 1 else 1}). "
        "Standard 'cnc' of "
        + (
            f"the model file `{args.model}`, for both builds."
            if args.model
            else "the bundled model."
        ),
        "",
        f"Input: the raw text of all test corpora{f', {args.repeat} times over' if args.repeat > 1 else ''}: "
        f"{len(lines) * args.repeat} lines, {chars} chars. `this` and `rev` "
        f"(`{args.rev_src}`) wrote byte-identical output in every round, and with "
        "`-d /` and `--newline lf` on a CRLF copy.",
        "",
        "| command | whole run s | chars/s | CPU s | one-line run s | net s | net chars/s | net CPU chars/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k in whole:
        out.append(
            f"| {k} | {whole[k][0]:.2f} | {rate(whole[k][0])} | {whole[k][1]:.2f} | "
            f"{start[k][0]:.2f} | {net[k]:.2f} | {rate(net[k])} | {rate(net_cpu[k])} |"
        )
    out += [
        "",
        f"this / rev: whole run {whole['rev'][0] / whole['this'][0]:.2f}x, "
        f"net {net['rev'] / net['this']:.2f}x (CPU {net_cpu['rev'] / net_cpu['this']:.2f}x).",
        "",
        "| net chars/s ratio | rev | rjieba | jieba |",
        "|---|---|---|---|",
    ]
    for k in ("this", "rev"):
        out.append(
            f"| {k} | {net['rev'] / net[k]:.2f}x | {net['rjieba'] / net[k]:.2f}x | "
            f"{net['jieba'] / net[k]:.2f}x |"
        )
    out += [
        "",
        "`net`: whole run minus the run on a one-line input (start-up and model load).",
        "",
        f"Command: `flock /tmp/qieci-bench.lock python bench/bench_learned_file.py {args.rev_src}"
        f"{f' --repeat {args.repeat}' if args.repeat > 1 else ''}"
        f"{f' --model {args.model}' if args.model else ''}`",
    ]
    name = "learned_file.md" if args.repeat == 1 else f"learned_file_x{args.repeat}.md"
    (HERE / "results" / name).write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
