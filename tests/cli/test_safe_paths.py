"""Safe paths: what ``-o`` does with special files and symlinks, temporary
names an attacker planted, an input that changes during a ``-j 2`` run, and
the leftovers of a run that was killed."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import qieci
from qieci.engines.learned.model import Model
from qieci.io.lines import AtomicOutput
from qieci.io.stream import cut_text

QIECI = [sys.executable, "-m", "qieci"]
LINE = "我来到北京清华大学，他来到了网易杭研大厦。\n"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX, /proc")


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*QIECI, *args], capture_output=True, timeout=timeout, input=b"")


def refused(res, code: int, needle: str) -> None:
    err = res.stderr.decode(errors="replace")
    assert res.returncode == code, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert needle in err, err


@pytest.fixture
def small(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(LINE * 100, encoding="utf-8")
    return src


# -- -o onto special files and symlinks ----------------------------------------------


@pytest.mark.parametrize("command", ["cut", "keywords", "train"])
def test_o_onto_a_fifo_is_refused_at_once_and_the_fifo_kept(command, small, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    args = {
        "cut": ["cut", str(small)],
        "keywords": ["keywords", str(small)],
        "train": ["train", "--corpus", f"toy={small}"],
    }[command]
    t = time.monotonic()
    res = run(*args, "-o", str(fifo), timeout=10)
    assert time.monotonic() - t < 5
    refused(res, 2, "is not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero", "/dev/full"])
def test_o_onto_a_device_or_a_link_to_one_is_refused(device, small, tmp_path):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    refused(run("cut", str(small), "-o", device), 2, "is not a regular file")
    link = tmp_path / "link"
    link.symlink_to(device)
    refused(run("cut", str(small), "-o", str(link)), 2, "is not a regular file")
    assert os.readlink(link) == device and stat.S_ISCHR(os.stat(device).st_mode)


def test_o_onto_a_pipe_of_proc_self_fd_is_refused(small):
    res = subprocess.run(
        [*QIECI, "cut", str(small), "-o", "/proc/self/fd/1"], capture_output=True, timeout=60
    )
    refused(res, 2, "is not a regular file")


# -- planted temporary names ---------------------------------------------------------


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """Make the first temporary name any writer draws ``planted``, and put
    a symlink there to a file that must stay untouched."""
    target = tmp_path / "victim.txt"
    target.write_text("untouched\n", encoding="utf-8")
    names = iter(["planted0", "planted0", "fresh001", "fresh002", "fresh003"])
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: names)

    def plant(output: Path, suffix: str) -> Path:
        trap = output.parent / f".{output.name}.planted0{suffix}"
        trap.symlink_to(target)
        return trap

    yield plant, target


def test_atomic_output_never_writes_through_a_planted_symlink(planted, tmp_path):
    plant, target = planted
    out = tmp_path / "out.txt"
    trap = plant(out, ".part")
    with AtomicOutput(str(out)) as f:
        f.file.write(b"new\n")
    assert out.read_bytes() == b"new\n"
    assert target.read_text(encoding="utf-8") == "untouched\n" and trap.is_symlink()


def test_model_save_never_writes_through_a_planted_symlink(planted, tmp_path):
    plant, target = planted
    out = tmp_path / "model.qc"
    # the fixed name of old releases, and the first name drawn now
    (tmp_path / "model.qc.tmp").symlink_to(target)
    trap = plant(out, ".tmp")
    model = Model(
        bits=8,
        standards=["x"],
        weights=np.zeros(256 * 4, dtype=np.int16),
        trans=np.zeros(40, dtype=np.int64),
        lexicon="",
    )
    model.save(out)
    assert out.read_bytes() == model.to_bytes()
    assert target.read_text(encoding="utf-8") == "untouched\n" and trap.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [trap.name]


# -- an input that changes during a run ----------------------------------------------------


@pytest.fixture
def big(tmp_path):
    src = tmp_path / "big.txt"
    src.write_text(LINE * 400_000, encoding="utf-8")  # 24 MB: byte ranges for the workers
    return src


def descendants(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


def during_a_run(src: Path, out: Path, change) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(
        [*QIECI, "cut", "-q", "-j", "2", str(src), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while len(descendants(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "no workers"
        time.sleep(0.002)
    change()
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize("how", ["replaced", "truncated", "modified"])
def test_an_input_changed_during_a_j2_run_fails(how, big, tmp_path):
    out = tmp_path / "out.txt"
    other = tmp_path / "other.txt"
    other.write_text("另一个文件。\n" * 900_000, encoding="utf-8")

    def change() -> None:
        if how == "replaced":
            os.replace(other, big)
        elif how == "truncated":
            os.truncate(big, big.stat().st_size // 3)
        else:  # the same size, other bytes
            with open(big, "r+b") as f:
                f.write("另".encode())
            st = big.stat()
            os.utime(big, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))

    res = during_a_run(big, out, change)
    refused(res, 1, f"the input file was {how} during the run")
    assert "nothing was written under the output name" in res.stderr.decode()
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["big.txt"] + (["other.txt"] * (how != "replaced"))
    )


# -- leftovers of killed runs --------------------------------------------------------------


def make_stale(folder: Path, output: str) -> list[Path]:
    part = folder / f".{output}.abcd1234.part"
    part.write_bytes(b"half")
    spill = folder / f".{output}.efgh5678.spill"
    spill.mkdir()
    (spill / "0.out").write_bytes(b"x")
    return [part, spill]


def test_stale_temporary_files_are_removed_by_the_next_run(small, tmp_path):
    out = tmp_path / "out.txt"
    stale = make_stale(tmp_path, "out.txt")
    # kept: a live run's file (locked), another output's, a symlink, a
    # name that only looks alike
    live = tmp_path / ".out.txt.live0000.part"
    live.write_bytes(b"")
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    others = make_stale(tmp_path, "other.txt")
    link = tmp_path / ".out.txt.link0000.part"
    link.symlink_to(small)
    alike = tmp_path / ".out.txt.toolongname.part"
    alike.write_bytes(b"")
    try:
        res = run("cut", "-q", "-j", "2", str(small), "-o", str(out))
        assert res.returncode == 0, res.stderr
    finally:
        os.close(fd)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in [live, *others, alike]) and link.is_symlink()
    assert small.read_text(encoding="utf-8") == LINE * 100


def test_resume_removes_what_a_killed_run_left(big, tmp_path):
    """SIGKILL the main process of ``-o DIR/`` (its workers then end on
    their own); the next ``--resume`` clears its temporary files, also
    beside outputs it skips."""
    inputs = [big, tmp_path / "b.txt"]
    inputs[1].write_text(LINE * 50_000, encoding="utf-8")
    out = tmp_path / "out"
    args = [*QIECI, "cut", "-q", "-j", "2", *map(str, inputs), "-o", f"{out}/"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(workers := descendants(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.002)

    def started() -> bool:  # a part file and a spill folder exist (load-independent)
        names = os.listdir(out) if out.exists() else []
        return any(n.endswith(".part") for n in names) and any(n.endswith(".spill") for n in names)

    while not started():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    for pid in workers:  # they notice their closed pipes and exit
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.01)
    left = sorted(os.listdir(out))
    assert any(n.endswith(".part") for n in left) and any(n.endswith(".spill") for n in left)
    stale_b = make_stale(out, "b.txt")
    res = subprocess.run([*args, "--resume"], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert sorted(os.listdir(out)) == ["b.txt", "big.txt"]
    assert not any(p.exists() for p in stale_b)
    for p in inputs:
        assert (out / p.name).read_text(encoding="utf-8") == cut_text(
            qieci.Tokenizer(), p.read_text(encoding="utf-8")
        )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_at_the_last_flush_leaves_no_temporary_file(tmp_path):
    """A short output is written to disk only when the file is closed: a
    full disk then fails the commit, which must remove the temporary file
    (here the kernel's own ENOSPC, from /dev/full put in the file's place)."""
    out = tmp_path / "out.txt"
    f = AtomicOutput(str(out))
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        os.dup2(full, f.file.fileno())
    finally:
        os.close(full)
    f.file.write(LINE.encode())
    with pytest.raises(OSError) as err:
        f.commit()
    assert err.value.errno == 28  # ENOSPC
    assert sorted(os.listdir(tmp_path)) == []
