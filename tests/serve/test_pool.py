"""The segmentation threads: a job past its deadline is answered 504 (and
keeps its place until it ends); beyond the threads and the queue, 503 at
once; the event loop is never blocked by a job."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from qieci.serve.child import ServerProcess
from qieci.serve.errors import ApiError
from qieci.serve.pool import Pool


def test_deadline_busy_and_release():
    release = threading.Event()

    def blocked() -> str:
        release.wait(10)
        return "done"

    async def scenario() -> None:
        pool = Pool(threads=1, queue=1)
        with pytest.raises(ApiError) as timeout:
            await pool.run(blocked, time.monotonic() + 0.05)
        assert timeout.value.status == 504 and timeout.value.code == "timeout"
        # the timed-out job still runs and holds its place; one more may queue
        queued = asyncio.ensure_future(pool.run(lambda: "queued", time.monotonic() + 10))
        await asyncio.sleep(0.05)
        with pytest.raises(ApiError) as busy:
            await pool.run(lambda: "refused", time.monotonic() + 10)
        assert busy.value.status == 503 and busy.value.code == "busy"
        release.set()
        assert await queued == "queued"
        assert await pool.run(lambda: 42, time.monotonic() + 10) == 42
        pool.close()

    asyncio.run(scenario())


def test_a_long_request_times_out_while_healthz_answers():
    text = "小明硕士毕业于中国科学院计算所，后在日本京都大学深造。" * 30000  # 2.5 MB of UTF-8
    with ServerProcess(["--timeout", "0.3", "--threads", "1"]) as srv:
        with httpx.Client(base_url=srv.url, timeout=30) as c, httpx.Client(base_url=srv.url) as h:
            started = time.monotonic()
            done = {}
            t = threading.Thread(
                target=lambda: done.setdefault(
                    "r",
                    c.post("/v1/cut", json={"text": text, "pos": True}),  # the slow path
                )
            )
            t.start()
            time.sleep(0.1)
            assert h.get("/healthz").status_code == 200  # while the work runs
            t.join(30)
            r = done["r"]
            assert r.status_code == 504, r.text[:200]
            assert (
                r.json()["error"]["code"] == "timeout"
                and "--timeout" in r.json()["error"]["message"]
            )
            assert time.monotonic() - started < 5
            assert h.get("/healthz").status_code == 200
