"""A ``qieci serve`` in a child process, on a free port of 127.0.0.1: what
the tests, the benchmarks and the screenshot script start (and what a
program of one's own can use to test against the real server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from types import TracebackType


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _PortTaken(Exception):
    pass


class ServerProcess:
    """``python -m qieci serve ARGS --port P`` until the ``with`` block ends.

    Entering waits until ``/healthz`` answers (``ready_after`` is then the
    seconds from the start of the process) and raises RuntimeError, with
    the server's output, when it exits or does not answer in ``wait``
    seconds. ``url`` is the server's base address."""

    def __init__(
        self, args: Sequence[str] = (), *, wait: float = 60.0, env: dict[str, str] | None = None
    ) -> None:
        self.args = list(args)
        self.wait = wait
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_after = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> ServerProcess:
        for _ in range(3):  # another process may take the free port first
            try:
                return self._start()
            except _PortTaken:
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"
        return self._start()

    def _start(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "qieci", "serve", "--port", str(self.port), *self.args]
        env = {**os.environ, **(self.env or {})}
        started = time.perf_counter()
        # the server's output goes to a file (a pipe nobody reads could fill)
        self._output = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self._output, stderr=subprocess.STDOUT, env=env)
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
        while True:
            if self.proc.poll() is not None:
                out = self.output()
                if f"cannot listen on 127.0.0.1:{self.port}" in out:
                    raise _PortTaken
                raise RuntimeError(f"qieci serve exited with {self.proc.returncode}:\n{out}")
            try:
                with direct.open(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.perf_counter() - started > self.wait:
                self.stop()
                raise RuntimeError(f"qieci serve did not answer within {self.wait} s")
            time.sleep(0.02)
        self.ready_after = time.perf_counter() - started
        return self

    def output(self) -> str:
        """What the server has printed so far."""
        self._output.seek(0)
        return self._output.read().decode("utf-8", "replace")

    def stop(self) -> str:
        """End the server (SIGTERM, then SIGKILL after 10 s); its output."""
        proc = self.proc
        if proc is None:
            return ""
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return self.output()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
