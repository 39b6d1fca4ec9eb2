"""Fault injection: workers killed at random points of ``qieci cut -j 2``, and
a full disk under every kind of output.

* SIGKILL (what the kernel's OOM killer sends) one worker of a run, at a
  point drawn from a seeded generator, 20 times per engine: the run ends
  within 10 s with exit status 1 and one line naming the worker's fate,
  leaves no temporary file, and ``--resume`` then completes it with output
  identical, byte for byte, to a run nobody disturbed.
* ENOSPC on a small tmpfs (mounted when this process may, else simulated by
  a file-size limit, which fails the same writes with EFBIG) under stdout,
  ``-o FILE``, ``-o DIR/``, ``keywords -o`` and ``train -o``: one clear
  line, a non-zero exit, no partial file, no traceback.

The inputs are small (three files of about 1.1 MB: each is two blocks, so
each is cut by the workers) and the workers fork straight from the main
process, so a run costs its start-up and little more.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc, mounts tmpfs"
)

QIECI = [sys.executable, "-m", "qieci"]
RUNS = 20
SENTENCES = [
    "我来到北京清华大学，他来到了网易杭研大厦。",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造。",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作。",
    "Python 3.12 发布了，速度提升 5%！",
    "结婚的和尚未结婚的都来了；他说：“确实在理”。",
]


def corpus_file(path: Path, seed: int, size: int = 1_150_000) -> Path:
    rng = random.Random(seed)
    lines, n = [], 0
    while n < size:
        line = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 6))) + "\n"
        lines.append(line)
        n += len(line.encode())
    path.write_text("".join(lines), encoding="utf-8")
    return path


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (from /proc)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        frontier += kids
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("fault-inputs")
    return [corpus_file(d / f"part{i}.txt", seed=i) for i in range(3)]


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A small learned model (the engine's code, a table that loads in
    milliseconds instead of a second: 40 runs stay fast)."""
    d = tmp_path_factory.mktemp("fault-model")
    gold = d / "gold.txt"
    gold.write_text(
        "我 来到 北京 清华大学 ，\n他 来到 了 网易 杭研 大厦 。\n" * 30, encoding="utf-8"
    )
    model = d / "small.qc"
    subprocess.run(
        [*QIECI, "train", "--corpus", f"toy={gold}", "--epochs", "2", "--bits", "14",
         "--no-jieba-lexicon", "-o", str(model)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return model


def engine_args(engine: str, model: Path) -> list[str]:
    return ["--engine", "jieba"] if engine == "jieba" else ["--model", str(model)]


def cut_args(engine: list[str], inputs: list[Path], out: Path) -> list[str]:
    return [*QIECI, "cut", "-q", *engine, "-j", "2", *map(str, inputs), "-o", f"{out}/"]


def start(args: list[str]) -> tuple[subprocess.Popen[bytes], list[int], float]:
    """Start a run; return it, its two workers (once both exist) and when
    they did (or no workers, when the run ended before)."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the workers did not start"
        workers = descendants(proc.pid)
        time.sleep(0.002)
    return proc, sorted(workers), time.monotonic()


def leftovers(out: Path, inputs: list[Path]) -> list[str]:
    """Whatever the output folder holds besides complete outputs."""
    names = {p.name for p in inputs}
    return sorted(n for n in os.listdir(out) if n not in names)


@pytest.mark.parametrize("engine", ["jieba", "learned"])
def test_a_worker_killed_at_random_points(engine, inputs, small_model, tmp_path):
    eng = engine_args(engine, small_model)
    ref = tmp_path / "ref"
    proc, workers, t = start(cut_args(eng, inputs, ref))
    proc.communicate(timeout=60)
    assert proc.returncode == 0 and len(workers) == 2
    work = time.monotonic() - t  # how long the workers work in a whole run
    expected = {p.name: (ref / p.name).read_bytes() for p in inputs}
    rng = random.Random(f"faults-{engine}")
    killed_in = []
    for run in range(RUNS):
        out = tmp_path / f"out{run}"
        delay = rng.uniform(0.0, 0.8) * work  # the kill point, drawn from the seed
        victim_index = rng.randrange(2)
        while True:
            proc, workers, _ = start(cut_args(eng, inputs, out))
            time.sleep(delay)
            if workers and proc.poll() is None and alive(workers[victim_index]):
                victim = workers[victim_index]
                os.kill(victim, signal.SIGKILL)
                t_kill = time.monotonic()
                _, err = proc.communicate(timeout=10)
                took = time.monotonic() - t_kill
                if proc.returncode != 0:
                    break
                # the kill came after the last task (the run was complete)
            else:
                proc.communicate(timeout=30)
            assert proc.returncode == 0
            assert {p.name: (out / p.name).read_bytes() for p in inputs} == expected
            subprocess.run(["rm", "-rf", str(out)], check=True)
            delay /= 4  # draw the point earlier
        message = err.decode(errors="replace")
        assert took < 10, f"run {run}: {took:.1f} s after the kill"
        assert proc.returncode == 1, f"run {run}: exit {proc.returncode}: {message}"
        assert "Traceback" not in message and message.count("\n") == 1, message
        assert f"(pid {victim}) was killed by SIGKILL (out of memory?)" in message, message
        assert not any(alive(pid) for pid in workers)  # no worker outlives the run
        assert leftovers(out, inputs) == [], f"run {run} left temporary files"
        killed_in.append(len(os.listdir(out)))  # the outputs completed before
        res = subprocess.run(
            [*cut_args(eng, inputs, out), "--resume"], capture_output=True, timeout=60
        )
        assert res.returncode == 0, res.stderr.decode()
        for p in inputs:
            assert (out / p.name).read_bytes() == expected[p.name], f"run {run}: {p.name}"
        assert leftovers(out, inputs) == []
        subprocess.run(["rm", "-rf", str(out)], check=True)
    # the kill points fell in different files of the run
    assert len(set(killed_in)) >= 2, killed_in


# -- a full disk ----------------------------------------------------------------


class Full:
    """A folder with almost no space left: a small tmpfs filled up (when
    this process may mount one), else an ordinary folder under a file-size
    limit (writes past it fail with EFBIG, as a full disk fails them with
    ENOSPC)."""

    def __init__(self, path: Path, free: int = 16384) -> None:
        self.path = path
        self.free = free
        path.mkdir()
        self.mounted = (
            os.geteuid() == 0
            and subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(path)],
                capture_output=True,
            ).returncode
            == 0
        )
        if self.mounted:
            try:
                self._fill(free)
            except BaseException:
                self.close()
                raise

    def _fill(self, free: int) -> None:
        """Fill the tmpfs, then free ``free`` bytes."""
        filler = self.path / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:  # full
            pass
        finally:
            os.close(fd)
        os.truncate(filler, max(0, os.path.getsize(filler) - free))

    def preexec(self):
        if self.mounted:
            return None

        def limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.free or 512, self.free or 512))

        return limit

    def contents(self) -> list[str]:
        return sorted(n for n in os.listdir(self.path) if n not in ("filler", "lost+found"))

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.path)], check=True)


@pytest.fixture
def full(tmp_path):
    f = Full(tmp_path / "full")
    yield f
    f.close()


@pytest.fixture(scope="module")
def text(tmp_path_factory):
    return corpus_file(tmp_path_factory.mktemp("enospc") / "in.txt", seed=9)


def one_error_line(res, needle: str, log: bool = False) -> None:
    """Exit 1 and one error line (after the progress log of ``log``
    commands), naming ``needle``; no traceback."""
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    last = err.splitlines()[-1] if log else err
    assert last.startswith("qieci: error: ") and last.count("\n") <= 1, err
    assert needle in last, err


NO_SPACE = ("No space left on device", "File too large")


def failed_for_space(res) -> str:
    err = res.stderr.decode(errors="replace")
    return next((n for n in NO_SPACE if n in err), NO_SPACE[0])


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("target", ["file", "dir"])
def test_a_full_disk_under_cut_o(full, text, jobs, target):
    out = full.path / "out.txt" if target == "file" else full.path / "segmented"
    res = subprocess.run(
        [
            *QIECI,
            "cut",
            "-q",
            "-j",
            jobs,
            str(text),
            "-o",
            str(out) + ("/" if target == "dir" else ""),
        ],
        capture_output=True,
        timeout=60,
        preexec_fn=full.preexec(),
    )
    one_error_line(res, failed_for_space(res))
    assert str(out) in res.stderr.decode() or "segmented" in res.stderr.decode()
    # no partial output, no temporary file, no spill folder (an -o DIR/
    # folder made for the run is left empty: it was asked for)
    leftover = full.contents()
    assert leftover in ([], ["segmented"]), leftover
    if target == "dir":
        assert os.listdir(out) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["cut", "-j", "1"], ["cut", "-j", "2"], ["keywords"]])
def test_a_full_disk_on_stdout(text, command):
    with open("/dev/full", "wb") as sink:
        res = subprocess.run(
            [*QIECI, *command, str(text)], stdout=sink, stderr=subprocess.PIPE, timeout=60
        )
    one_error_line(res, "<stdout>: No space left on device")


def test_a_full_disk_under_keywords_o(full, text):
    out = full.path / "kw.txt"
    res = subprocess.run(
        [*QIECI, "keywords", str(text), "-o", str(out)],
        capture_output=True,
        timeout=60,
        preexec_fn=full.preexec(),
    )
    one_error_line(res, failed_for_space(res))
    assert full.contents() == []


def test_a_full_disk_under_train_o(tmp_path):
    full = Full(tmp_path / "full", free=0)
    corpus = tmp_path / "gold.txt"
    corpus.write_text("我们 在 北京 大学 学习\n他 来到 了 上海\n" * 50, encoding="utf-8")
    out = full.path / "model.qc"
    res = subprocess.run(
        [*QIECI, "train", "--corpus", f"toy={corpus}", "--epochs", "1", "--bits", "14",
         "--no-jieba-lexicon", "-o", str(out)],
        capture_output=True,
        timeout=120,
        preexec_fn=full.preexec(),
    )  # fmt: skip
    try:
        one_error_line(res, failed_for_space(res), log=True)
        assert full.contents() == []
    finally:
        full.close()
