"""A real ``qieci serve`` on a free port of 127.0.0.1, shared by the tests
of this folder, and an HTTP client for it."""

from __future__ import annotations

import os

import httpx
import pytest

from qieci.serve.child import ServerProcess


@pytest.fixture(scope="session")
def server():
    """The default server: jieba by default, learned:pku loaded at start-up."""
    with ServerProcess(["--preload", "learned:pku"]) as srv:
        yield srv


@pytest.fixture(scope="session")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, which the browser tests drive; they fail without
    it (CI installs it), unless QIECI_SKIP_BROWSER=1 says to skip them."""
    path = os.environ.get("QIECI_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        if os.environ.get("QIECI_SKIP_BROWSER") == "1":
            pytest.skip("QIECI_SKIP_BROWSER=1: no browser tests")
        pytest.fail(
            f"{path} not found: the browser tests need Debian's chromium "
            "(apt-get install chromium fonts-noto-cjk, as .ci/run does), or set "
            "QIECI_CHROMIUM to a Chromium binary; QIECI_SKIP_BROWSER=1 skips them"
        )
    return path
