"""Streaming ``qieci cut`` at corpus scale: memory, throughput, scaling.

Inputs (generated under a temporary directory, deleted afterwards):

* ``big.txt``: the raw text of shared/corpora/test/*.txt repeated to 1 GB
  (``--gb`` to change), one sentence per line;
* ``line.txt``: 300 MB (``--line-mb``) of the same text as one single line
  (newlines replaced by "。").

Measured, side by side in one run:

* in-memory ``qieci.lcut`` over the corpus lines (the throughput baseline);
* ``qieci cut -j 1`` and ``-j 2`` on big.txt: wall time, chars/s, peak RSS
  (VmHWM, summed over the main process and its workers), identical output;
* ``qieci cut -j 1`` and ``-j 2`` on line.txt: the same.

Rerun::

    python bench/bench_stream.py            # writes bench/results/stream.md
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qieci
from common import corpus_lines, machine, time_lines


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB (main process plus workers; each
    process's VmHWM, polled, summed). ru_maxrss is not used: Linux carries
    the parent's maximum across fork and exec."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), _vm_hwm_kib(pid))
        time.sleep(0.02)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, sum(peaks.values()) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--line-mb", type=float, default=300.0)
    args = ap.parse_args()
    lines = corpus_lines()
    text = "\n".join(lines) + "\n"
    data = text.encode()

    qieci.initialize()
    chars = sum(map(len, lines))
    base = min(time_lines(qieci.lcut, lines) for _ in range(3))
    base_rate = chars / base

    rows = []
    with tempfile.TemporaryDirectory(prefix="qieci-bench-") as tmp:
        big = Path(tmp) / "big.txt"
        reps = int(args.gb * 1e9 // len(data)) + 1
        with open(big, "wb") as f:
            for _ in range(reps):
                f.write(data)
        big_chars = reps * chars
        line = Path(tmp) / "line.txt"
        line_data = text.replace("\n", "。").encode()
        line_reps = int(args.line_mb * 1e6 // len(line_data)) + 1
        with open(line, "wb") as f:
            for _ in range(line_reps):
                f.write(line_data)
        line_chars = line_reps * len(text)

        cmd = [sys.executable, "-m", "qieci", "cut", "-q"]
        outs = {}
        for label, src, n_chars in (
            ("1 GB file", big, big_chars),
            ("300 MB line", line, line_chars),
        ):
            for jobs in (1, 2):
                out = Path(tmp) / f"out-{src.stem}-{jobs}"
                wall, rss = run(cmd + ["-j", str(jobs), str(src), "-o", str(out)])
                outs[(label, jobs)] = out
                rows.append((label, jobs, src.stat().st_size, wall, n_chars / wall, rss))
                print(rows[-1], flush=True)
            same = filecmp.cmp(outs[(label, 1)], outs[(label, 2)], shallow=False)
            rows.append((label, "identical", same))
            for jobs in (1, 2):
                os.unlink(outs[(label, jobs)])

    md = [
        "# Streaming qieci cut",
        "",
        f"Inputs: the raw text of shared/corpora/test/*.txt repeated into a {args.gb:g} GB file "
        f"(one sentence per line), and {args.line_mb:g} MB of it as one single line. "
        f"{machine()}. Command: `python bench/bench_stream.py`.",
        "",
        f"Baseline: in-memory `qieci.lcut` line by line: {base_rate / 1e6:.2f}M chars/s.",
        "",
        "| input | jobs | MB | wall (s) | chars/s | vs lcut | peak RSS (MiB, all processes) |",
        "|---|---|---|---|---|---|---|",
    ]
    walls = {}
    notes = []
    for row in rows:
        if row[1] == "identical":
            notes.append(f"- {row[0]}: `-j 2` output byte-identical to `-j 1`: {row[2]}")
            continue
        label, jobs, size, wall, rate, rss = row
        walls[(label, jobs)] = wall
        md.append(
            f"| {label} | {jobs} | {size / 1e6:,.0f} | {wall:.1f} | {rate / 1e6:.2f}M | "
            f"{rate / base_rate:.2f} | {rss:.0f} |"
        )
    md.append("")
    for label in ("1 GB file", "300 MB line"):
        md.append(f"- {label}: `-j 2` is {walls[(label, 1)] / walls[(label, 2)]:.2f}x `-j 1`")
    md += notes
    out_text = "\n".join(md) + "\n"
    Path(__file__).with_name("results").joinpath("stream.md").write_text(out_text, encoding="utf-8")
    sys.stdout.write(out_text)


if __name__ == "__main__":
    main()
