"""The cost of the vector state ISA-L leaves behind, and of clearing it.

ISA-L (``isal``) returns from its AVX-512 checksum and inflate routines with
the vector registers' upper halves still in use. Until a ``vzeroupper``,
every legacy-SSE instruction after it pays a false dependency, so the whole
process runs slower. ``qieci.binfile`` therefore calls
``qieci._cpu.clear_upper_state()`` after each call into ISA-L.

Input: the raw text of ``shared/corpora/test/*.txt`` (as ``bench_cut.py``),
cut by the jieba engine's ``lcut`` line by line, ``--repeat`` times, in a
fresh process per run, pinned to core 0; best of ``--runs`` alternating
runs. After loading the dictionary and before the cut, each process:

* ``none``: does nothing else;
* ``isal``: inflates a 1 MB stream with ISA-L directly and leaves the state;
* ``isal+clear``: the same, then ``clear_upper_state()``.

(The tokenizer itself loads its dictionary through ``binfile``, which now
clears after its own ISA-L checksum, so ``none`` is what users get.)

Rerun::

    python bench/bench_upper_state.py      # writes bench/results/upper_state.md
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from common import machine

CHILD = """
import sys, time, zlib
from common import corpus_lines
mode, repeat = sys.argv[1], int(sys.argv[2])
import qieci
t = qieci.Tokenizer()
t.initialize()
if mode != "none":
    from isal import isal_zlib
    isal_zlib.decompress(zlib.compress(bytes(range(256)) * 4096))
    if mode == "isal+clear":
        from qieci import _cpu
        _cpu.clear_upper_state()
lines = corpus_lines()
t0 = time.perf_counter()
for _ in range(repeat):
    for line in lines:
        t.lcut(line)
print(time.perf_counter() - t0, sum(map(len, lines)) * repeat)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results") / "upper_state.md"))
    args = ap.parse_args()
    modes = ["none", "isal", "isal+clear"]
    best = dict.fromkeys(modes, float("inf"))
    chars = 0
    for _ in range(args.runs):
        for mode in modes:
            out = subprocess.run(
                ["taskset", "-c", "0", sys.executable, "-c", CHILD, mode, str(args.repeat)],
                check=True,
                capture_output=True,
                text=True,
                cwd=Path(__file__).parent,
            ).stdout.split()
            best[mode] = min(best[mode], float(out[0]))
            chars = int(out[1])
    rows = [
        "# ISA-L's vector state and lcut (jieba engine)",
        "",
        f"Input: raw text of shared/corpora/test/*.txt, cut {args.repeat} times by `lcut`, "
        f"{chars:,} chars, in a fresh process per run pinned to core 0, best of {args.runs} "
        f"alternating runs. {machine()}. Command: `python bench/bench_upper_state.py`.",
        "",
        "| before the cut | lcut chars/s | vs none |",
        "|---|---|---|",
    ]
    for mode in modes:
        rows.append(
            f"| {mode} | {chars / best[mode] / 1e6:.2f}M | {best['none'] / best[mode]:.2f}x |"
        )
    text = "\n".join(rows) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
