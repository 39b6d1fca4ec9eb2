"""The worker pool: started from a fresh interpreter, so that any script can
use it, and ended cleanly when a worker dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import qieci
from qieci.io.workers import WorkerPool

SCRIPT = """\
import qieci
qieci.cut_file({src!r}, {dst!r}, jobs=2, delimiter=" ", errors="strict")
tok = qieci.Tokenizer()
tok.add_word("石墨烯")
n = 0
for words in tok.cut_many(open({src!r}, encoding="utf-8"), jobs=2):
    n += 1
print(n, "lines")
"""


def test_a_script_without_a_main_guard_finishes(tmp_path):
    """The README's parallel example, pasted into a script as it is."""
    src, dst = tmp_path / "corpus.txt", tmp_path / "corpus.seg.txt"
    src.write_text("我来到北京清华大学石墨烯\n" * 200_000, encoding="utf-8")  # > 1 block
    script = tmp_path / "example.py"
    script.write_text(SCRIPT.format(src=str(src), dst=str(dst)), encoding="utf-8")
    t = time.monotonic()
    res = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["200000", "lines"]
    assert dst.read_text(encoding="utf-8") == "我 来到 北京 清华大学 石墨 烯\n" * 200_000
    assert time.monotonic() - t < 60
    assert "Error" not in res.stderr


def double(tok, x):
    return tok.lcut(x) * 2


def test_tasks_run_in_order_with_either_start_method():
    texts = [f"第{i}句话在北京" for i in range(200)]
    for method in ("fork", "spawn"):
        with WorkerPool(qieci.Tokenizer().spec(), 2, method) as pool:
            assert list(pool.imap(double, texts)) == [qieci.lcut(t) * 2 for t in texts]


def slow_first_claimer(tok, job):
    """The worker that first claims the flag file sleeps on every task."""
    flag, i = job
    try:
        fd = os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
    except FileExistsError:
        pass
    with open(flag) as f:
        if f.read() == str(os.getpid()):
            time.sleep(0.2)
    return i, os.getpid()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_slowed_worker_gets_fewer_tasks_and_results_stay_in_order(tmp_path, method):
    flag = str(tmp_path / "slow")
    with WorkerPool(qieci.Tokenizer().spec(), 2, method) as pool:
        answers = list(pool.imap(slow_first_claimer, [(flag, i) for i in range(40)]))
    assert [i for i, _ in answers] == list(range(40))
    slow = int(open(flag).read())
    by_slow = sum(pid == slow for _, pid in answers)
    # taken in turn, each worker would do 20. Taken when free, the slow one
    # (0.2 s a task) does fewer: about one in each window of max_pending (6)
    # tasks, since results are yielded in order and the window stays bounded
    assert 1 <= by_slow <= 12
    assert len({pid for _, pid in answers}) == 2


def test_bounded_tasks_in_flight_with_a_slowed_worker(tmp_path):
    """Tasks are taken lazily: never more than max_pending ahead of the
    results yielded, even while one worker lags."""
    flag = str(tmp_path / "slow")
    taken = []

    def items():
        for i in range(30):
            taken.append(i)
            yield flag, i

    with WorkerPool(qieci.Tokenizer().spec(), 2) as pool:
        for i, _ in pool.imap(slow_first_claimer, items(), max_pending=4):
            assert len(taken) <= i + 1 + 4
            assert taken[-1] <= i + 4


def test_a_recipe_that_fails_to_build_is_an_error_not_a_hang(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("北京 x\n", encoding="utf-8")
    spec = qieci.Tokenizer(str(bad)).spec()
    with pytest.raises(ValueError, match="bad.txt:1"), WorkerPool(spec, 2) as pool:
        list(pool.imap(double, ["北京"] * 10))


def test_an_error_in_a_task_reaches_the_caller():
    with pytest.raises(TypeError), WorkerPool(qieci.Tokenizer().spec(), 2) as pool:
        list(pool.imap(double, ["北京", 42]))


def descendants(pid: int) -> list[int]:
    """The processes below ``pid``, from /proc (Linux)."""
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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_ends_the_run_with_a_clear_error(tmp_path):
    src = tmp_path / "big.txt"
    src.write_text("我来到北京清华大学，他来到了网易杭研大厦。\n" * 1_500_000, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qieci", "cut", str(src), "-j", "2", "-o", str(out / "x.txt")],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    below: list[int] = []
    deadline = time.monotonic() + 30
    while len(below) < 2 and time.monotonic() < deadline:  # the 2 workers
        below = descendants(proc.pid)
        time.sleep(0.02)
    assert len(below) >= 2, "the workers did not start"
    os.kill(below[-1], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert f"(pid {below[-1]}) was killed by SIGKILL".encode() in err, err
    assert b"Traceback" not in err
    assert sorted(os.listdir(out)) == []  # no partial output, no spill folder


FORK_CHOICE = """\
import threading, qieci
from qieci.io.workers import WorkerPool
tok = qieci.Tokenizer()
def where():
    with WorkerPool(tok.spec(), 2, tokenizer=tok) as pool:
        direct = bool(pool._pids)
        assert list(pool.imap(qieci.io.workers._cut_batch, [("default", True, ["北京"])])) == [[["北京"]]]
    return direct
alone = where()
stop = threading.Event()
t = threading.Thread(target=stop.wait)
t.start()
with_thread = where()
stop.set()
t.join()
print(alone, with_thread)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
def test_workers_fork_from_a_single_threaded_process_only():
    res = subprocess.run(
        [sys.executable, "-c", FORK_CHOICE], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["True", "False"]  # forked directly; then from the server


SERVED = """\
import sys, threading
import qieci
from qieci.io.workers import WorkerError
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()  # a thread: workers come from the server
texts = ("我来到北京清华大学" for _ in range(10**8))
try:
    for i, words in enumerate(qieci.Tokenizer().cut_many(texts, jobs=2)):
        if i == 0:
            print("ready", flush=True)
except WorkerError as exc:
    print(exc, flush=True)
    sys.exit(3)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_of_the_fork_server_ends_cut_many():
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVED], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    below = descendants(proc.pid)
    server_children = [p for p in below if p not in descendants_1(proc.pid)]
    assert len(server_children) == 2, below  # the server's two workers
    os.kill(server_children[0], signal.SIGKILL)
    t = time.monotonic()
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - t < 10
    assert proc.returncode == 3, err
    assert b"ended unexpectedly (killed, or out of memory)" in out, out
    # the server and the other worker end with it (zombies, reparented,
    # may linger until their new parent reaps them)
    deadline = time.monotonic() + 5
    while [p for p in below if running(p)] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not [p for p in below if running(p)]


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def descendants_1(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


BROKEN_RECIPE = """\
import os, threading
import qieci
with open("d.txt", "w", encoding="utf-8") as f:
    f.write("我 5\\n来到 3\\n北京 4\\n")
tok = qieci.Tokenizer("d.txt")
tok.lcut("x")
os.remove("d.txt")  # the workers cannot build the tokenizer again
threading.Thread(target=threading.Event().wait, daemon=True).start()  # a fork server
try:
    list(tok.cut_many(["我来到北京"] * 50, jobs=2))
except ValueError as exc:
    print("ValueError:", exc)
"""


def test_workers_that_cannot_build_the_tokenizer_give_its_error_only(tmp_path):
    """The workers' error in starting is the run's error, with no traceback
    of the pool's threads (one read an answer before any task was sent)."""
    for _ in range(3):
        res = subprocess.run(
            [sys.executable, "-c", BROKEN_RECIPE],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert res.returncode == 0, res.stderr
        assert "d.txt: cannot read dictionary" in res.stdout
        assert "Traceback" not in res.stderr and "Exception in thread" not in res.stderr, res.stderr
