"""Request counts and latency of one worker process, in Prometheus' text
format (``GET /metrics``).

Each worker counts its own requests (with ``--workers N``, a scrape sees
the worker that answered it; the ``pid`` of ``qieci_worker_info`` says
which). Routes are the API's paths; every other path counts as ``other``,
so that no request can grow the table.
"""

from __future__ import annotations

import os
import time
from bisect import bisect_left

#: Upper bounds (seconds) of the latency histogram's buckets.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Counters and histograms, updated on the event loop (one thread)."""

    def __init__(self, routes: tuple[str, ...]) -> None:
        self.routes = frozenset(routes)
        self.started = time.time()
        self._counts: dict[tuple[str, str, int], int] = {}
        # route -> per-bucket counts (the last one is +Inf), sum of seconds
        self._hist: dict[str, list[int]] = {}
        self._sums: dict[str, float] = {}

    def route(self, path: str) -> str:
        return path if path in self.routes else "other"

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        route = self.route(path)
        key = (method if method in ("GET", "POST") else "other", route, status)
        self._counts[key] = self._counts.get(key, 0) + 1
        hist = self._hist.get(route)
        if hist is None:
            hist = self._hist[route] = [0] * (len(BUCKETS) + 1)
            self._sums[route] = 0.0
        hist[bisect_left(BUCKETS, seconds)] += 1
        self._sums[route] += seconds

    def render(self) -> str:
        out = [
            "# HELP qieci_requests_total Requests answered, by method, route and status.",
            "# TYPE qieci_requests_total counter",
        ]
        for (method, route, status), n in sorted(self._counts.items()):
            out.append(
                f'qieci_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}'
            )
        out += [
            "# HELP qieci_request_duration_seconds Time to answer a request, by route.",
            "# TYPE qieci_request_duration_seconds histogram",
        ]
        for route, hist in sorted(self._hist.items()):
            total = 0
            for bound, n in zip((*BUCKETS, float("inf")), hist, strict=True):
                total += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                out.append(
                    f'qieci_request_duration_seconds_bucket{{route="{route}",le="{le}"}} {total}'
                )
            out.append(f'qieci_request_duration_seconds_sum{{route="{route}"}} {self._sums[route]}')
            out.append(f'qieci_request_duration_seconds_count{{route="{route}"}} {total}')
        out += [
            "# HELP qieci_worker_info The worker process that answered this scrape.",
            "# TYPE qieci_worker_info gauge",
            f'qieci_worker_info{{pid="{os.getpid()}"}} 1',
            "# HELP qieci_resident_memory_bytes Resident memory of this worker.",
            "# TYPE qieci_resident_memory_bytes gauge",
            f"qieci_resident_memory_bytes {resident_bytes()}",
            "# HELP qieci_start_time_seconds When this worker started (Unix time).",
            "# TYPE qieci_start_time_seconds gauge",
            f"qieci_start_time_seconds {self.started}",
        ]
        return "\n".join(out) + "\n"


def resident_bytes() -> int:
    """This process's resident memory (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
