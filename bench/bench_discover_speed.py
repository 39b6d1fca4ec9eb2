"""Speed and peak memory of ``qieci discover`` on 100 MB of text.

Input: the raw text (spaces removed) of every gold file under
``shared/corpora`` (train, dev and test: about 20 MB of UTF-8), written
again and again until the file holds 100 MB (``--mb``). Copy 0 is the text
itself; in copy ``k`` >= 1 every Han character is replaced by its image under
a random bijection of the text's Han characters (seeded by ``k``), and the
lines are shuffled. Each copy then has the statistics of real text but
n-grams of its own, so the 100 MB hold about as many distinct n-grams as
100 MB of real text would at least (plain repetition would hold only one
copy's): the counter has to prune as on a real corpus of that size.

Each run is ``qieci discover BIG -o OUT.tsv`` as a child process, timed by
the wall clock (start-up, loading the models, counting, the model's cut of
its 2M-character sample, ranking and writing included); the peak RSS is
GNU time's ``%M``: the largest resident set of the command's process and
of the children it waited for (one process's, not a sum: with ``--jobs 2``
the main process and its two workers each hold a table of half and a
quarter of ``--memory``, see the results file). ``--jobs 1`` runs pinned to one core
(``taskset -c 0``).

    flock /tmp/qieci-bench.lock python bench/bench_discover_speed.py [--mb 100] [--keep PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

from common import CORPORA, machine


def han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def build(path: str, mb: int) -> tuple[int, int]:
    """Write the input; its size in bytes and characters."""
    lines: list[str] = []
    for split in ("train", "dev", "test"):
        for f in sorted((CORPORA / split).glob("*.txt")):
            with open(f, encoding="utf-8") as fh:
                lines += [line.rstrip("\n").replace(" ", "") for line in fh if line.strip()]
    alphabet = sorted({c for line in lines for c in line if han(c)})
    target = mb << 20
    size = chars = 0
    with open(path, "w", encoding="utf-8") as out:
        k = 0
        while size < target:
            rng = random.Random(k)
            if k:
                image = alphabet[:]
                rng.shuffle(image)
                table = str.maketrans(dict(zip(alphabet, image, strict=True)))
                copy = [line.translate(table) for line in lines]
                rng.shuffle(copy)
            else:
                copy = lines
            for line in copy:
                data = line + "\n"
                n = len(data.encode("utf-8"))
                if size + n > target:
                    break
                out.write(data)
                size += n
                chars += len(line)
            else:
                k += 1
                continue
            break
    return size, chars


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, the process and the
    children it waited for) and peak RSS (bytes, GNU time's %M: the largest
    of the process and those children)."""
    with tempfile.NamedTemporaryFile("r") as rep:
        t = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-o", rep.name, "-f", "%M %U %S", *cmd], check=True)
        dt = time.perf_counter() - t
        rss, user, system = rep.read().split()[-3:]
        return dt, float(user) + float(system), int(rss) * 1024


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--keep", help="write the input here (and keep it)")
    ap.add_argument("--jobs", default="1,2")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        big = args.keep or os.path.join(tmp, "big.txt")
        t = time.perf_counter()
        size, chars = build(big, args.mb)
        print(f"machine: {machine()}; load average before the runs: {os.getloadavg()[0]:.1f}")
        print(
            f"input: {size / 1e6:.1f} MB, {chars / 1e6:.1f}M characters (built in {time.perf_counter() - t:.0f} s)\n"
        )
        print(
            "| command | wall s | CPU s | M chars/s (wall) | M chars/CPU-s | peak RSS MB | words |"
        )
        print("|---|---|---|---|---|---|---|")
        for jobs in args.jobs.split(","):
            out = os.path.join(tmp, f"words{jobs}.tsv")
            cmd = [sys.executable, "-m", "qieci", "discover", big, "-o", out, "-j", jobs]
            if jobs == "1":
                cmd = ["taskset", "-c", "0", *cmd]
            dt, cpu, peak = run(cmd)
            with open(out, encoding="utf-8") as f:
                words = sum(1 for _ in f) - 1
            shown = " ".join(c if c != big else "BIG" for c in cmd[cmd.index("-m") + 1 :]).replace(
                out, "OUT.tsv"
            )
            print(
                f"| `{shown}` | {dt:.1f} | {cpu:.1f} | {chars / dt / 1e6:.2f} | "
                f"{chars / cpu / 1e6:.2f} | {peak / 2**20:.0f} | {words} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
