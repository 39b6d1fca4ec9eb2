"""Cold start: wall time and peak RSS of a process that imports the library
and cuts one sentence, for qieci, jieba and rjieba side by side.

Each command runs 7 times alternating; the table gives the median wall time
and the peak RSS (from wait4). jieba reads its /tmp cache after the first run,
which is its usual warm state.

Rerun::

    python bench/bench_startup.py        # writes bench/results/startup.md
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from common import machine, run_process

SENTENCE = "我来到北京清华大学"
COMMANDS = {
    "qieci": f"import qieci; qieci.lcut('{SENTENCE}')",
    "rjieba": f"import rjieba; rjieba.cut('{SENTENCE}')",
    "jieba": f"import jieba; jieba.setLogLevel(60); jieba.lcut('{SENTENCE}')",
}


def run_once(code: str) -> tuple[float, float]:
    wall, _, peak = run_process([sys.executable, "-c", code])
    return wall, peak


def main() -> None:
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in COMMANDS}
    for name, code in COMMANDS.items():  # warm the page cache and jieba's cache
        run_once(code)
    for _ in range(7):
        for name, code in COMMANDS.items():
            results[name].append(run_once(code))
    out = [
        "# Cold start and memory",
        "",
        f"`python -c \"import X; X.lcut('{SENTENCE}')\"` (rjieba: `rjieba.cut`), 7 runs each, "
        f"alternating. {machine()}. Command: `python bench/bench_startup.py`.",
        "",
        "| library | median wall (s) | peak RSS (MiB) |",
        "|---|---|---|",
    ]
    for name, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        rss = max(r for _, r in runs)
        out.append(f"| {name} | {wall:.3f} | {rss:.1f} |")
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("startup.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
