"""Shared fixtures: the gold corpora, jieba (the oracle), hypothesis profiles."""

from __future__ import annotations

import os
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
