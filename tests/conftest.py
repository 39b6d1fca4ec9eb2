"""Shared fixtures: the gold corpora, jieba (the oracle), hypothesis profiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("QIECI_HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("QIECI_CORPORA", REPO.parent / "shared" / "corpora"))


def no_corpora(where: Path) -> None:
    """A test that needs the gold corpora and finds none fails (CI must not
    pass by skipping the comparisons against jieba), unless the run says
    it has none (QIECI_SKIP_CORPORA=1): then it is skipped."""
    why = f"no gold corpora at {where}"
    if os.environ.get("QIECI_SKIP_CORPORA") == "1":
        pytest.skip(why)
    pytest.fail(
        f"{why}: set QIECI_CORPORA to the folder of ../shared/corpora, or "
        "QIECI_SKIP_CORPORA=1 to skip the tests that need it",
        pytrace=False,
    )


def corpus_files(split: str = "test") -> list[Path]:
    return sorted((CORPORA / split).glob("*.txt"))


def raw_lines(path: Path) -> list[str]:
    """The raw text of a gold file: each line with its word spaces removed."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").replace(" ", "") for line in f if line.strip()]


@pytest.fixture(scope="session")
def test_corpus_lines() -> list[str]:
    files = corpus_files("test")
    if not files:
        no_corpora(CORPORA / "test")
    lines: list[str] = []
    for path in files:
        lines += raw_lines(path)
    return lines


@pytest.fixture(scope="session")
def jieba():
    """jieba 0.42.1, quiet, with its default dictionary loaded."""
    import jieba as jb

    assert jb.__version__ == "0.42.1", "the oracle must be jieba 0.42.1"
    jb.setLogLevel(60)
    jb.initialize()
    return jb


@pytest.fixture
def isolated_force_split(jieba):
    """jieba keeps deleted words in one module-global set shared by all its
    tokenizers; restore it so one test's del_word cannot leak into another."""
    saved = set(jieba.finalseg.Force_Split_Words)
    yield
    jieba.finalseg.Force_Split_Words.clear()
    jieba.finalseg.Force_Split_Words.update(saved)


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A real Dask cluster on 127.0.0.1: a scheduler and two one-thread
    workers, each its own process; yields (client, address)."""
    distributed = pytest.importorskip("distributed")
    tmp = tmp_path_factory.mktemp("dask")
    sched_file = tmp / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker"]
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [
        subprocess.Popen(
            dask
            + [
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    try:
        _wait_for(sched_file)
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    worker
                    + [
                        "--scheduler-file",
                        str(sched_file),
                        "--host",
                        "127.0.0.1",
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                        "--local-directory",
                        str(tmp / f"w{i}"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
            )
        client = distributed.Client(scheduler_file=str(sched_file), timeout=60)
        client.wait_for_workers(2, timeout=120)
        yield client, json.loads(sched_file.read_text())["address"]
        client.close()
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
