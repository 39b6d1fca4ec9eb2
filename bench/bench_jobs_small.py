"""``qieci cut --jobs 2`` against ``--jobs 1`` on a small corpus file (25 MB).

Input: the raw text of shared/corpora/test/*.txt (gold lines, spaces
removed) repeated to 25 MB, one sentence per line, in a temporary folder.
Each command is the whole process, start-up included, as a user runs it:
``qieci cut FILE -j N -q -o OUT``, timed by ``farm-bench --vs`` (A and B
alternate; the ratio is taken pair by pair; the median is quoted). The two
outputs must be byte-identical.

Rerun::

    python bench/bench_jobs_small.py      # writes bench/results/jobs_small.md
"""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import corpus_lines, machine

MB = 25


def main() -> None:
    lines = corpus_lines()
    qieci = shutil.which("qieci")
    assert qieci, "install qieci first (pip install .)"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "c25.txt"
        with open(src, "w", encoding="utf-8") as f:
            size = 0
            while size < MB * 10**6:
                for line in lines:
                    f.write(line + "\n")
                    size += len(line.encode()) + 1
        one, two = Path(tmp) / "one.txt", Path(tmp) / "two.txt"
        a = f"{qieci} cut {src} -j 2 -q -o {two}"
        b = f"{qieci} cut {src} -j 1 -q -o {one}"
        res = subprocess.run(
            ["farm-bench", "-n", "9", "--timeout", "300", "--vs", b, "--", *a.split()],
            capture_output=True,
            text=True,
            check=True,
        )
        report = res.stdout
        identical = filecmp.cmp(one, two, shallow=False)
        size_mb = src.stat().st_size / 1e6
    wall = re.search(r"A/B wall\s+(\S+)\s+(\S+)\s+(\S+)", report)
    out = [
        "# `--jobs 2` against `--jobs 1` on a 25 MB file",
        "",
        f"Input: raw text of shared/corpora/test/*.txt repeated to {size_mb:.1f} MB. {machine()}. "
        "Command: `python bench/bench_jobs_small.py` (farm-bench, 9 paired runs).",
        "",
        f"A = `qieci cut FILE -j 2 -q -o OUT`, B = `qieci cut FILE -j 1 -q -o OUT`. "
        f"Outputs byte-identical: {identical}.",
        "",
        "```",
        report.strip(),
        "```",
        "",
    ]
    if wall:
        median = float(wall.group(2))
        out.append(
            f"Median wall A/B: {median:.3f}, so `-j 2` is {1 / median:.2f}x `-j 1` "
            f"(range {1 / float(wall.group(3)):.2f}x to {1 / float(wall.group(1)):.2f}x)."
        )
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("jobs_small.md").write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
