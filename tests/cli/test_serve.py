"""``qieci serve``: its options, its mistakes (one line, exit 2; a port in
use: exit 1), user dictionaries in every setting, --workers N, and SIGTERM
(a clean shutdown, exit 0, whatever the number of workers)."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from qieci.serve.child import ServerProcess, free_port


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qieci", "serve", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--standard", "xyz"], "pku"),
        (["--engine", "hanlp"], "hanlp"),
        (["-u", "/no/such/userdict.txt"], "/no/such/userdict.txt"),
        (["--engine", "jieba", "--standard", "pku"], "--engine learned"),
        (["--workers", "0"], "--workers"),
        (["--timeout", "-1"], "--timeout"),
        (["--preload", "learned:xyz"], "xyz"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(args, needle):
    res = serve("--port", str(free_port()), *args)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and needle in res.stderr, res.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--standard", "xyz"], "pku"),
        (["--engine", "learned", "-u", "/no/such/userdict.txt"], "/no/such/userdict.txt"),
        (["--preload", "learned:xyz"], "xyz"),
        (["--engine", "learned", "--strict", "-u", "MISTAKE"], "is not 'word [freq] [tag]'"),
    ],
)
def test_mistakes_with_workers_are_one_line_and_exit_2(tmp_path, args, needle):
    # found once by the supervisor (which does not load the learned model
    # for that), before any worker starts
    mistake = tmp_path / "userdict.txt"
    mistake.write_text("好 词 3 n extra\n", encoding="utf-8")
    args = [str(mistake) if a == "MISTAKE" else a for a in args]
    res = serve("--port", str(free_port()), "--workers", "2", *args)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and needle in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Started parent process" not in res.stderr


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "80.5", "http"])
def test_a_port_that_is_not_one_is_an_argument_error(port):
    res = serve("--port", port)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("qieci serve: error: argument --port: "), res.stderr
    assert "must be 0-65535" in last or f"not a whole number: '{port}'" in last, last


def test_a_port_in_use_is_one_line_and_exit_1():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        res = serve("--port", str(port))
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0], res.stderr
    assert "--port" in lines[0]


def test_user_words_hold_in_every_setting(tmp_path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("石墨烯很 5 n\n", encoding="utf-8")
    with ServerProcess(["-u", str(userdict)]) as srv, httpx.Client(base_url=srv.url) as c:
        for setting in ({}, {"engine": "learned"}, {"standard": "msr"}):
            r = c.post("/v1/cut", json={"text": "石墨烯很好", **setting})
            assert "石墨烯很" in r.json()["words"], (setting, r.text)


def test_learned_by_default_with_its_standard():
    with ServerProcess(["--standard", "msr"]) as srv, httpx.Client(base_url=srv.url) as c:
        body = c.get("/v1/standards").json()
        assert body["default"] == {"engine": "learned", "standard": "msr"}
        assert body["loaded"] == ["learned:msr"]  # only what was asked for
        assert c.post("/v1/cut", json={"text": "北京"}).json()["setting"] == "learned:msr"
        # a learned request without a standard gets the server's
        r = c.post("/v1/cut", json={"text": "北京", "engine": "learned"})
        assert r.json()["setting"] == "learned:msr"


def test_workers_share_the_port_and_each_answer():
    with ServerProcess(["--workers", "2"]) as srv, httpx.Client(base_url=srv.url) as c:
        pids = set()
        for _ in range(200):
            with httpx.Client(base_url=srv.url) as fresh:  # a new connection each
                m = re.search(r'qieci_worker_info\{pid="(\d+)"\}', fresh.get("/metrics").text)
                pids.add(m.group(1))
                assert fresh.post("/v1/cut", json={"text": "我来到北京清华大学"}).json()[
                    "words"
                ] == ["我", "来到", "北京", "清华大学"]
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids
        assert str(srv.pid) not in pids  # the supervisor serves nothing itself
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(30) == 0
        with pytest.raises(httpx.TransportError):  # nothing answers any more
            c.get("/healthz")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_shuts_down_cleanly_and_exits_0_with_any_number_of_workers(workers):
    """With one worker, uvicorn re-raised the signal after its shutdown and
    the command exited 143; with --workers 2 its supervisor exited 0."""
    with ServerProcess(["--workers", workers]) as srv, httpx.Client(base_url=srv.url) as c:
        assert c.post("/v1/cut", json={"text": "我来到北京"}).status_code == 200
        srv.proc.send_signal(signal.SIGTERM)
        status = srv.proc.wait(30)
        out = srv.output()
        assert status == 0, out
        assert "Traceback" not in out
        # every worker shut down (its lifespan ended), none was killed
        assert out.count("Application shutdown complete.") == int(workers), out
        with pytest.raises(httpx.TransportError):  # nothing answers any more
            c.get("/healthz")
