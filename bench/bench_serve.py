"""qieci serve under load: requests/s and latency at concurrency 32, the
cost of segmentation over the HTTP floor, a 1 MB batch against in-process
``lcut``, and the start-up time.

* **load**: ``qieci serve --workers 2`` (jieba engine), driven by ``wrk``
  (Debian's package, one thread, 32 connections, the Lua script
  ``bench/serve_load.lua``, which formats every request once, before the
  run, for both routes alike) for ``--duration`` seconds on ``GET /healthz``
  and as long on ``POST /v1/cut`` with 1 KB texts (1,000 different ones,
  in turn), alternating in ``--slice`` (10) second slices against the same
  server in the same run, so that both meet the same background load; the
  ratio of the two requests/s is the bar (>= 70%). wrk counts errors: connect, read, write,
  timeouts (2 s) and non-2xx answers. The machine's 2 cores are shared by
  wrk and the two workers: the CPU seconds of each are reported. Then the
  ASGI app alone, called in this process (no server, no sockets): the CPU
  per request of /healthz, of /v1/cut and of the engine's byte-path cut
  (``cut_lines_utf8``) inside it, which splits the service's own work from
  segmentation.
* **batch**: one ``POST /v1/cut`` of 1,000 of those texts (1 MB) to a
  one-worker server, until its answer has arrived, against
  ``Tokenizer.lcut`` of the same texts in this process (best of 5 each;
  ``cut_lines`` is shown too: no list per text).
* **startup**: ``qieci serve --engine learned`` (the bundled model) from
  the start of the process to the first ``/v1/cut`` answered, 5 times.

Input: the raw text of shared/corpora/test/*.txt (``QIECI_CORPORA``), joined
and cut into 1 KB texts. Rerun (never two benchmarks at once)::

    apt-get install -y wrk
    flock /tmp/qieci-bench.lock python bench/bench_serve.py   # writes bench/results/serve.md
    flock /tmp/qieci-bench.lock python bench/bench_serve.py --duration 10 --out /tmp/serve.md
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import qieci
from common import REPO, corpus_lines, machine
from qieci.serve.child import ServerProcess

LUA = REPO / "bench" / "serve_load.lua"


def kb_texts(n: int = 1000, size: int = 1024) -> list[str]:
    """``n`` texts of ``size`` UTF-8 bytes (cut at a character), from the corpus."""
    texts: list[str] = []
    chunk = ""
    for line in corpus_lines():
        chunk += line
        if len(chunk.encode()) >= size:
            texts.append(chunk.encode()[:size].decode("utf-8", "ignore"))
            chunk = ""
            if len(texts) == n:
                return texts
    raise SystemExit("the corpus is too small for the load texts")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (the workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def wrk(url: str, duration: int, connections: int, bodies: str | None, server_pid: int) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(LUA), url]
    if bodies:
        cmd += ["--", bodies]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = cpu_seconds(server_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.strip().splitlines()[-1])
    result["wrk_cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["server_cpu"] = cpu_seconds(server_pid) - server_before
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["error_count"] = sum(result["errors"].values())
    result["command"] = " ".join(cmd)
    return result


def merge(runs: list[dict]) -> dict:
    """One result of several slices: counts and CPU added up, p50 the
    median of the slices', p90/p99/max the worst slice's."""
    out = dict(runs[0])
    for key in ("requests", "duration_us", "bytes", "wrk_cpu", "server_cpu", "error_count"):
        out[key] = sum(r[key] for r in runs)
    out["errors"] = {k: sum(r["errors"][k] for r in runs) for k in runs[0]["errors"]}
    out["p50_us"] = statistics.median(r["p50_us"] for r in runs)
    for key in ("p90_us", "p99_us", "max_us"):
        out[key] = max(r[key] for r in runs)
    out["rps"] = out["requests"] / (out["duration_us"] / 1e6)
    return out


def app_costs(texts: list[str], rounds: int = 15, n: int = 2000) -> dict[str, float]:
    """CPU microseconds per request of the ASGI app alone, in this process
    (no server, no sockets): ``GET /healthz``, ``POST /v1/cut`` of the load's
    bodies, and the engine's byte-path cut (``cut_lines_utf8``) of their
    texts' UTF-8, which is what the service cuts a plain body with;
    interleaved rounds, the least of each."""
    import asyncio

    from qieci.serve.app import create_app
    from qieci.serve.config import ServeConfig

    app = create_app(ServeConfig())
    tok = qieci.Tokenizer()
    tok.initialize()
    bodies = [json.dumps({"text": t}, ensure_ascii=False).encode() for t in texts]
    utf8 = [t.encode() for t in texts]

    async def call(method: str, path: str, body: bytes) -> None:
        message = {"type": "http.request", "body": body, "more_body": False}

        async def receive() -> dict:
            return message

        async def send(m: dict) -> None:
            pass

        headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "scheme": "http",
                 "query_string": b"", "headers": headers, "http_version": "1.1",
                 "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1)}  # fmt: skip
        await app(scope, receive, send)

    async def health(i: int) -> None:
        await call("GET", "/healthz", b"")

    async def cut(i: int) -> None:
        await call("POST", "/v1/cut", bodies[i % len(bodies)])

    async def lines(i: int) -> None:
        tok.cut_lines_utf8(utf8[i % len(utf8)], '","')

    async def measure() -> dict[str, float]:
        best: dict[str, float] = {}
        for _ in range(rounds):
            for name, step in (("health", health), ("cut", cut), ("cut_lines", lines)):
                started = time.process_time()
                for i in range(n):
                    await step(i)
                took = (time.process_time() - started) / n * 1e6
                best[name] = min(best.get(name, took), took)
        return best

    try:
        import uvloop  # what uvicorn runs on, when installed

        return uvloop.run(measure())
    except ImportError:
        return asyncio.run(measure())


def load(args: argparse.Namespace, texts: list[str]) -> list[str]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        bodies = f.name
    load_before = os.getloadavg()
    try:
        with ServerProcess(["--workers", str(args.workers)]) as srv:
            # warm up both paths (workers, caches, connections)
            wrk(srv.url + "/v1/cut", 3, args.concurrency, bodies, srv.pid)
            # the routes alternate in slices, so that both meet the same
            # background load of the machine
            runs: dict[str, list[dict]] = {"health": [], "cut": []}
            slices = max(1, args.duration // args.slice)
            for _ in range(slices):
                for name, path, b in (("health", "/healthz", None), ("cut", "/v1/cut", bodies)):
                    runs[name].append(
                        wrk(srv.url + path, args.duration // slices, args.concurrency, b, srv.pid)
                    )
            health, cut = merge(runs["health"]), merge(runs["cut"])
    finally:
        os.unlink(bodies)
    ratio = cut["rps"] / health["rps"]
    # what segmentation alone costs, in this process: the ceiling of the ratio
    tok = qieci.Tokenizer()
    tok.initialize()
    started = time.perf_counter()
    for t in texts * 5:
        tok.lcut(t)
    lcut_us = (time.perf_counter() - started) / (5 * len(texts)) * 1e6
    per_request = {
        name: (r["server_cpu"] + r["wrk_cpu"]) / r["requests"] * 1e6
        for name, r in (("health", health), ("cut", cut))
    }
    ceiling = per_request["health"] / (per_request["health"] + lcut_us)
    own = app_costs(texts)
    lines = [
        f"## Load: concurrency {args.concurrency}, {args.duration} s per route, "
        f"`--workers {args.workers}`",
        "",
        f"Server: `qieci serve --workers {args.workers}` (jieba engine). Load generator: "
        f"wrk (Debian), one thread, {args.concurrency} connections, "
        '`bench/serve_load.lua`; `/v1/cut` bodies are `{"text": ...}` with 1 KB '
        "(1,024 UTF-8 bytes) texts, 1,000 different ones in turn. Same server, same run: "
        f"the two routes alternate in {args.slice} s slices, {args.duration} s each in all. "
        "p50: the median of the slices'; p90, p99, max: the worst slice's.",
        "",
        "| route | requests/s | p50 | p90 | p99 | max | errors | requests | wrk CPU s | server CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("GET /healthz", health), ("POST /v1/cut (1 KB)", cut)):
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} ms | {r['p90_us'] / 1000:.2f} ms "
            f"| {r['p99_us'] / 1000:.2f} ms | {r['max_us'] / 1000:.1f} ms | {r['error_count']} "
            f"{json.dumps(r['errors'])} | {r['requests']:,} | {r['wrk_cpu']:.1f} | {r['server_cpu']:.1f} |"
        )
    cut_mb = cut["rps"] * 1024 / 1e6
    lines += [
        "",
        f"**/v1/cut reaches {ratio:.0%} of /healthz's requests/s** (bar: >= 70%), "
        f"segmenting {cut_mb:.1f} MB/s of text; errors: "
        f"{health['error_count'] + cut['error_count']} (bar: 0).",
        "",
        f"The 2 cores are shared: in each {args.duration} s run wrk used the CPU seconds "
        "above and the server (supervisor and workers) those beside them, of the "
        f"{2 * args.duration} CPU seconds the machine has; the rest went to other work on "
        f"the machine (load average {load_before[0]:.1f} at the start). With the load "
        "generator on another machine, and the machine to itself, both figures would be "
        "higher.",
        "",
        "Where the time goes (CPU microseconds per request, server and wrk together): "
        f"/healthz {per_request['health']:.0f}, /v1/cut {per_request['cut']:.0f}; "
        f"`lcut` of one of these texts alone, in this process right after the load, "
        f"{lcut_us:.0f}. Of the {per_request['cut'] - per_request['health']:.0f} that "
        f"/v1/cut adds, segmentation is {lcut_us:.0f}; the other "
        f"{per_request['cut'] - per_request['health'] - lcut_us:.0f} are the service's own "
        "work (split out by the in-process figures below) and the larger request and "
        "answer on both sides (the server's HTTP layer and wrk read and write them), and "
        "segmentation running slower in a worker that shares the cores and caches with wrk "
        "and the other worker than in this process's loop. Were those zero, /v1/cut would "
        "reach "
        f"{per_request['health']:.0f} / ({per_request['health']:.0f} + {lcut_us:.0f}) = "
        f"{ceiling:.0%} of /healthz's requests/s. (On a busy machine these CPU figures "
        "vary by 2-4x from run to run.)",
        "",
        "The app alone, driven in this process without a server or sockets (CPU "
        "microseconds per request, the least of 15 interleaved rounds): "
        f"/healthz {own['health']:.1f} (Starlette's routing, middleware and Response), "
        f"/v1/cut {own['cut']:.1f}, of which the engine's cut of the text's bytes (`cut_lines_utf8`) is "
        f"{own['cut_lines']:.1f}: the service's own work on a /v1/cut (reading the "
        "body, parsing it, building and sending the answer, the metrics) is "
        f"{own['cut'] - own['cut_lines']:.1f}, against the {own['health']:.1f} of /healthz's "
        "whole answer.",
        "",
    ]
    return lines


def batch(texts: list[str]) -> list[str]:
    tok = qieci.Tokenizer()
    tok.initialize()
    size = sum(len(t.encode()) for t in texts)
    body = json.dumps({"texts": texts}, ensure_ascii=False).encode()

    def in_process() -> float:
        t = time.perf_counter()
        for s in texts:
            tok.lcut(s)
        return time.perf_counter() - t

    local = min(in_process() for _ in range(5))

    def joined() -> float:
        t = time.perf_counter()
        for s in texts:
            tok.cut_lines(s, " ")
        return time.perf_counter() - t

    local_lines = min(joined() for _ in range(5))
    want = [tok.lcut(s) for s in texts]
    with ServerProcess([]) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        times = []
        parse = []
        for _ in range(6):
            t = time.perf_counter()
            r = c.post("/v1/cut", content=body, headers={"content-type": "application/json"})
            r.read()
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            got = [x["words"] for x in r.json()["results"]]
            parse.append(time.perf_counter() - t)
            assert got == want
        times = times[1:]  # the first warms the connection
    best = min(times)
    ratio = local / best
    return [
        "## A 1 MB batch",
        "",
        f'One `POST /v1/cut` of `{{"texts": [...]}}`: {len(texts)} texts, {size:,} bytes of '
        f"text ({len(body):,} bytes of JSON), to `qieci serve` (one worker, jieba engine), "
        "timed until the whole answer has arrived (httpx, one connection kept alive); "
        "against `Tokenizer.lcut` of the same texts in the benchmark's process. Best of 5; "
        "the answers are checked equal to `lcut`'s.",
        "",
        "| | seconds | MB/s |",
        "|---|---|---|",
        f"| in-process `lcut` | {local:.4f} | {size / local / 1e6:.1f} |",
        f"| in-process `cut_lines` (no list per text) | {local_lines:.4f} | "
        f"{size / local_lines / 1e6:.1f} |",
        f"| `/v1/cut` batch (best) | {best:.4f} | {size / best / 1e6:.1f} |",
        f"| `/v1/cut` batch (median) | {statistics.median(times):.4f} | "
        f"{size / statistics.median(times) / 1e6:.1f} |",
        "",
        f"**The batch comes back at {ratio:.0%} of in-process `lcut` throughput** (bar: >= 60%). "
        f"Against in-process `cut_lines` it is {local_lines / best:.0%}: the service's "
        "answer is built from the engine's joined words, which costs less than a list of "
        f"str per text. Decoding the answer's JSON on the client took a further "
        f"{min(parse):.4f} s (not counted: a client in another language pays its own).",
        "",
    ]


def startup() -> list[str]:
    rows = []
    for workers in (1, 2):
        firsts, healths = [], []
        for _ in range(5):
            started = time.perf_counter()
            with ServerProcess(["--engine", "learned", "--workers", str(workers)]) as srv:
                r = httpx.post(srv.url + "/v1/cut", json={"text": "我来到北京清华大学"})
                firsts.append(time.perf_counter() - started)
                healths.append(srv.ready_after)
                assert r.status_code == 200
        rows.append((workers, healths, firsts))
    lines = [
        "## Start-up with the bundled learned model",
        "",
        "`qieci serve --engine learned` (the bundled model, its default standard) started "
        "as a fresh process; /healthz polled every 20 ms; then one `/v1/cut`. Seconds "
        "from the start of the process, 5 runs each. The model loads before the server "
        "listens (with `--workers 2`, in each worker; the supervisor checks the options "
        "from the model's header and the user dictionaries, without loading the model).",
        "",
        "| workers | first /healthz (median, max) | first /v1/cut answered (median, max) |",
        "|---|---|---|",
    ]
    for workers, healths, firsts in rows:
        lines.append(
            f"| {workers} | {statistics.median(healths):.2f}, {max(healths):.2f} | "
            f"{statistics.median(firsts):.2f}, {max(firsts):.2f} |"
        )
    slowest = ", ".join(
        f"{max(firsts):.2f} s with {w} worker{'s' * (w > 1)}" for w, _, firsts in rows
    )
    lines += ["", f"**Slowest first answer: {slowest}** (bar: <= 2 s).", ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description="qieci serve under load")
    ap.add_argument("parts", nargs="*", default=["load", "batch", "startup"])
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--slice", type=int, default=10, help="seconds per alternating slice")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "serve.md"))
    args = ap.parse_args()
    texts = kb_texts()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    out = [
        "# qieci serve: load, batch, start-up",
        "",
        f"{machine()}; {wrk_version.strip()}. Command: "
        f"`flock /tmp/qieci-bench.lock python bench/bench_serve.py {' '.join(sys.argv[1:])}`"
        " (see the docstring of bench/bench_serve.py).",
        "",
    ]
    if "load" in args.parts:
        out += load(args, texts)
    if "batch" in args.parts:
        out += batch(texts)
    if "startup" in args.parts:
        out += startup()
    Path(args.out).write_text("\n".join(out), encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
