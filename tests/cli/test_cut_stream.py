"""``qieci cut`` on big inputs, several files, terminals and signals, run as
a subprocess the way users run it."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qieci
from qieci.engines.base import join_lines

QIECI = [sys.executable, "-m", "qieci"]


@pytest.fixture(scope="module")
def corpus_text(test_corpus_lines) -> str:
    return "\n".join(test_corpus_lines) + "\n"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory, corpus_text) -> Path:
    """About 60 MB of real text."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    data = corpus_text.encode()
    with open(path, "wb") as f:
        for _ in range(60_000_000 // len(data) + 1):
            f.write(data)
    return path


def peak_rss_mib(cmd: list[str]) -> tuple[int, float]:
    """Exit code and peak RSS of ``cmd``, from its VmHWM. (wait4's ru_maxrss
    would report this test process's own size: Linux keeps the maximum
    across the child's fork and exec.)"""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.01)
    return proc.wait(), peak


def test_several_files_into_one_output_and_into_a_directory(tmp_path, corpus_text):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(corpus_text[:50000], encoding="utf-8")
    b.write_text(corpus_text[50000:90000], encoding="utf-8")
    expected_a = join_lines(qieci.lcut, a.read_text("utf-8"), " ")
    expected_b = join_lines(qieci.lcut, b.read_text("utf-8"), " ")
    one = tmp_path / "one.txt"
    subprocess.run(QIECI + ["cut", "-q", str(a), str(b), "-o", str(one)], check=True)
    # a.txt ends inside a line: a line break keeps b.txt's first line its own
    assert not expected_a.endswith("\n")
    assert one.read_text("utf-8") == expected_a + "\n" + expected_b
    out = tmp_path / "out"
    subprocess.run(QIECI + ["cut", "-q", str(a), str(b), "-o", f"{out}/"], check=True)
    assert (out / "a.txt").read_text("utf-8") == expected_a
    assert (out / "b.txt").read_text("utf-8") == expected_b


def test_resume_skips_complete_outputs(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("我来到北京清华大学\n", encoding="utf-8")
    b.write_text("他来到了网易杭研大厦\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("already done\n", encoding="utf-8")
    subprocess.run(QIECI + ["cut", "-q", "--resume", str(a), str(b), "-o", str(out)], check=True)
    assert (out / "a.txt").read_text("utf-8") == "already done\n"
    assert (out / "b.txt").read_text("utf-8") == " ".join(qieci.lcut("他来到了网易杭研大厦")) + "\n"
    subprocess.run(QIECI + ["cut", "-q", str(a), str(b), "-o", str(out)], check=True)
    assert (out / "a.txt").read_text("utf-8") == " ".join(qieci.lcut("我来到北京清华大学")) + "\n"


def test_no_summary_and_no_progress_when_not_a_terminal_unless_verbose(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("我来到北京清华大学\n他来到了网易杭研大厦\n", encoding="utf-8")
    res = subprocess.run(QIECI + ["cut", str(src)], capture_output=True, check=True)
    assert res.stderr == b""  # a pipe or a log file gets no chatter
    res = subprocess.run(QIECI + ["cut", "-v", str(src)], capture_output=True, check=True)
    lines = res.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qieci: 2 lines, 19 chars, ")
    assert "\r" not in res.stderr.decode()
    # a small input at a low rate still shows its digits, in the unit that fits
    rate = re.search(r", ([0-9.]+)([Mk]?) chars/s$", lines[0])
    assert rate and float(rate.group(1)) > 0, lines[0]
    quiet = subprocess.run(QIECI + ["cut", "-q", str(src)], capture_output=True, check=True)
    assert quiet.stderr == b""
    # -q and -v contradict each other: refused, as the synopsis [-q | -v] says
    both = subprocess.run(QIECI + ["cut", "-q", "-v", str(src)], capture_output=True)
    assert both.returncode == 2 and b"not allowed with argument -q/--quiet" in both.stderr


def test_progress_bar_on_a_terminal(big_file, tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        QIECI + ["cut", "-j", "1", str(big_file), "-o", str(tmp_path / "o")],
        stderr=slave,
        stdout=subprocess.DEVNULL,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=300) == 0
    shown = b"".join(chunks).decode(errors="replace")
    assert "MB/s" in shown and "ETA" in shown and "%" in shown
    assert "chars/s" in shown.splitlines()[-1]


def _size(path: Path) -> int:
    """The size of ``path``; 0 once it is gone (renamed by the run's end)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_leaves_no_output_and_a_rerun_completes(big_file, tmp_path, sig, code):
    out = tmp_path / "out.txt"
    proc = subprocess.Popen(
        QIECI + ["cut", "-q", "-j", "2", str(big_file), "-o", str(out)], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    # signalled once the first words are in the part file: the run is under
    # way, and most of it is still ahead (a fixed wait after the part file
    # appeared let a fast machine finish the run first)
    while not any(p.name.startswith(".out.txt.") and _size(p) for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.01)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == code
    assert b"Traceback" not in proc.stderr.read()
    assert list(tmp_path.iterdir()) == []
    subprocess.run(
        QIECI + ["cut", "-q", "-j", "2", str(big_file), "-o", str(out)], check=True, timeout=600
    )
    with open(big_file, encoding="utf-8") as f, open(out, encoding="utf-8") as g:
        n_in = sum(1 for _ in f)
        n_out = sum(1 for _ in g)
    assert n_in == n_out


def test_bounded_memory_on_a_big_file_and_a_huge_line(big_file, tmp_path):
    """Peak RSS is far below the input size (generous bound: 200 MiB)."""
    code, rss = peak_rss_mib(
        QIECI + ["cut", "-q", "-j", "1", str(big_file), "-o", str(tmp_path / "o1")]
    )
    assert code == 0 and rss < 200, rss
    line = tmp_path / "line.txt"
    with open(big_file, "rb") as f, open(line, "wb") as g:
        text = f.read(40_000_000).decode("utf-8", "ignore")  # whole characters only
        g.write(text.replace("\n", "。").encode())
    code, rss = peak_rss_mib(
        QIECI + ["cut", "-q", "-j", "1", str(line), "-o", str(tmp_path / "o2")]
    )
    assert code == 0 and rss < 200, rss
    with open(tmp_path / "o2", "rb") as f:
        assert sum(1 for _ in f) == 1
    # with workers, the huge line is streamed in pieces to them
    code, rss = peak_rss_mib(
        QIECI + ["cut", "-q", "-j", "2", str(line), "-o", str(tmp_path / "o3")]
    )
    assert code == 0 and rss < 200, rss
    assert (tmp_path / "o2").read_bytes() == (tmp_path / "o3").read_bytes()


def test_jobs_give_identical_output(big_file, tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}"
        subprocess.run(
            QIECI + ["cut", "-q", "--search", "-j", jobs, str(big_file), "-o", str(out)],
            check=True,
            timeout=600,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_error_modes_report_counts(tmp_path):
    src = tmp_path / "bad.txt"
    src.write_bytes("好\n".encode() + b"x\xffy\n" + "完\n".encode())
    res = subprocess.run(QIECI + ["cut", "--errors", "replace", str(src)], capture_output=True)
    assert res.returncode == 0 and b"1 lines with invalid bytes replaced" in res.stderr
    assert res.stdout.decode().count("\n") == 3
    res = subprocess.run(QIECI + ["cut", "--errors", "skip-line", str(src)], capture_output=True)
    assert res.returncode == 0 and b"1 lines with invalid bytes skipped" in res.stderr
    assert res.stdout.decode() == "好\n完\n"
    res = subprocess.run(
        QIECI + ["cut", str(src), "-o", str(tmp_path / "o.txt")], capture_output=True
    )
    assert res.returncode == 2 and f"{src}:2: invalid UTF-8 at byte offset 5".encode() in res.stderr
    assert not (tmp_path / "o.txt").exists()


def test_pos_tagging_streams_with_workers(tmp_path, corpus_text, jieba):
    import jieba.posseg

    src = tmp_path / "in.txt"
    src.write_text(corpus_text * 2, encoding="utf-8")  # over two 4 MiB ranges
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}"
        subprocess.run(
            QIECI + ["cut", "-q", "--pos", "--pos-sep", "_", "-j", jobs, str(src), "-o", str(out)],
            check=True,
            timeout=600,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    got = outs[0].decode().split("\n")
    for i in range(0, 4000, 97):  # a sample, checked against jieba.posseg itself
        line = corpus_text.split("\n")[i]
        assert got[i] == " ".join(f"{w}_{f}" for w, f in jieba.posseg.lcut(line))
