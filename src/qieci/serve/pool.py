"""The segmentation threads of a worker: work runs there, never on the
event loop, so that a long text never stops the server from answering.

At most ``threads`` jobs run and ``queue`` wait; a request beyond that is
refused at once (503). A job that outlives the request's deadline is
answered 504; it still holds its place until it ends, so that work cut
short on the client's side cannot pile up on the server's.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from .errors import ApiError

T = TypeVar("T")


class Pool:
    def __init__(self, threads: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="qieci-serve")
        self._slots = threading.BoundedSemaphore(threads + queue)

    async def run(self, job: Callable[[], T], deadline: float) -> T:
        """``job()``'s result, computed in a thread; ``deadline`` is the
        :func:`time.monotonic` time by which the request must be answered."""
        if not self._slots.acquire(blocking=False):
            raise ApiError(
                503, "busy", "the server is busy: too many requests in progress; retry shortly"
            )
        try:
            future: Future[T] = self._executor.submit(job)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), max(0.0, deadline - time.monotonic())
            )
        except asyncio.TimeoutError:
            raise ApiError(
                504,
                "timeout",
                "the request took longer than the server's per-request timeout; send less "
                "text per request, or start the server with a larger --timeout (the first "
                "request of a standard also loads its model: --preload ENGINE:STANDARD loads "
                "it at start-up)",
            ) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
