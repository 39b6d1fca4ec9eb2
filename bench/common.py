"""Helpers shared by the benchmarks: the input text, timing, one core."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("QIECI_CORPORA", REPO.parent / "shared" / "corpora"))


def pin_one_core() -> str:
    """Run on one core, so that peers are compared single-threaded."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return f"pinned to core {min(os.sched_getaffinity(0))}"
    except (AttributeError, OSError):
        return "not pinned"


def corpus_lines(split: str = "test") -> list[str]:
    """Raw text of every gold file of ``split``: one line each, spaces removed."""
    lines: list[str] = []
    for path in sorted((CORPORA / split).glob("*.txt")):
        with open(path, encoding="utf-8") as f:
            lines += [line.rstrip("\n").replace(" ", "") for line in f if line.strip()]
    if not lines:
        raise SystemExit(f"no corpora under {CORPORA / split} (set QIECI_CORPORA)")
    return lines


def time_lines(fn: Callable[[str], object], lines: Sequence[str]) -> float:
    """Seconds to call ``fn`` on every line (results are discarded, as when
    streaming a corpus)."""
    t = time.perf_counter()
    for s in lines:
        fn(s)
    return time.perf_counter() - t


def best_of(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


def machine() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"


def run_process(
    cmd: Sequence[str], env: Mapping[str, str] | None = None, pin: bool = False
) -> tuple[float, float, float]:
    """Run ``cmd`` to its end (output thrown away; with ``pin``, on core 0
    through ``taskset``) and give its wall seconds, its CPU seconds (user +
    system, children included) and its peak RSS in MiB (the largest
    process), as the kernel accounts them (``os.wait4``)."""
    import shutil
    import subprocess

    full = ["taskset", "-c", "0", *cmd] if pin and shutil.which("taskset") else list(cmd)
    t = time.perf_counter()
    proc = subprocess.Popen(
        full,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=None if env is None else dict(env),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(full)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
