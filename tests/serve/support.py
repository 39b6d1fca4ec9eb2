"""Helpers of the serve tests."""

from __future__ import annotations

import httpx


def rss_kib(pid: int) -> int:
    """The resident memory of process ``pid`` (KiB), from /proc."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def cut(client: httpx.Client, **body) -> list:
    """The words of a ``/v1/cut`` of ``body`` (which must succeed)."""
    r = client.post("/v1/cut", json=body)
    assert r.status_code == 200, r.text
    return r.json()["words"]
