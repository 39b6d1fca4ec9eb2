"""New-word discovery: qieci discover against the new-word tools of the
package index and a plain PMI + branching-entropy ranking, side by side.

Input: the raw text (gold with spaces removed) of each gold file named on
the command line (default: test zx, medical, weibo and the held-out
sighan2010-literature). Every tool reads the same raw text; its output is
filtered by the same lexicon (jieba 0.42.1's dictionary, the words with a
frequency) and its first 500 words are judged: a word counts when it is a
gold word of that file. ``P@500`` is hits / 500 (a tool that returns fewer
words loses the missing slots), ``prec`` is hits / words returned (at most
500), shown beside qieci's precision over as many of its own first words.

Tools (each with its defaults, and with looser thresholds where it has
them, so that it can return 500 words; a tool that gives no score is
ranked by its frequency):

* ``qieci``: ``qieci.discover.discover(files=[raw], top=None, min_score=0)``
  (the defaults otherwise: the learned model's default standard);
* ``qieci-stats``: the same with ``model=False`` (statistics only);
* ``plain``: this file's own plain ranking: every Han n-gram of 2..6
  characters seen at least twice, by ``min PMI + min(left, right
  entropy)``;
* ``xinci`` 1.2.0 (Python 2 code: run from a copy converted by ``2to3``
  into a temporary folder), ranked by frequency; its defaults only
  (``least_cnt_threshold=2`` returned the very same words on the dev and test
  files, at twice the time);
* ``wordiscovery`` 0.1.4.6, ranked by frequency;
* ``newords`` 1.2.0 (it merges the words of a segmented text: fed jieba's
  segmentation), in its own order.

    pip install xinci wordiscovery newords   # in the bench venv only
    flock /tmp/qieci-bench.lock python bench/bench_discover.py [test/zx test/medical ...]
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable

import qieci
from common import CORPORA, machine
from qieci.discover import discover

TOP = 500
DEFAULT_FILES = ("test/zx", "test/medical", "test/weibo", "test/sighan2010-literature")
HAN = (0x3400, 0x9FFF)


def is_han(c: str) -> bool:
    return HAN[0] <= ord(c) <= HAN[1] or 0xF900 <= ord(c) <= 0xFAFF


def han_runs(lines: list[str]) -> list[str]:
    runs = []
    for line in lines:
        cur = []
        for c in line:
            if is_han(c):
                cur.append(c)
            elif cur:
                runs.append("".join(cur))
                cur = []
        if cur:
            runs.append("".join(cur))
    return runs


def plain_ranking(lines: list[str], max_len: int = 6, min_freq: int = 2) -> list[str]:
    """Plain PMI + branching entropy: all n-grams, no model, no filter."""
    counts: Counter[str] = Counter()
    total = 0
    runs = han_runs(lines)
    for run in runs:
        total += len(run)
        for i in range(len(run)):
            for n in range(1, max_len + 2):
                if i + n > len(run):
                    break
                counts[run[i : i + n]] += 1
    right: dict[str, Counter[str]] = {}
    left: dict[str, Counter[str]] = {}
    for g, c in counts.items():
        if len(g) >= 3:
            right.setdefault(g[:-1], Counter())[g[-1]] += c
            left.setdefault(g[1:], Counter())[g[0]] += c

    def entropy(w: str, side: dict[str, Counter[str]]) -> float:
        n = counts[w]
        seen = side.get(w, Counter())
        h = -sum(c / n * math.log(c / n) for c in seen.values())
        rest = n - sum(seen.values())  # run edges: distinct neighbours
        return h + rest * (1 / n) * math.log(n)

    scored = []
    for w, c in counts.items():
        if not 2 <= len(w) <= max_len or c < min_freq:
            continue
        pmi = min(math.log(c * total / (counts[w[:k]] * counts[w[k:]])) for k in range(1, len(w)))
        scored.append((pmi + min(entropy(w, left), entropy(w, right)), w))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [w for _, w in scored]


def run_qieci(path: str, lines: list[str], **kw: object) -> list[str]:
    return [w.word for w in discover(files=[path], top=None, min_score=0.0, **kw)]


def xinci_module() -> object | None:
    """xinci converted to Python 3 by 2to3 in a temporary folder."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("xinci")
    except (ImportError, SyntaxError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    src = list(spec.submodule_search_locations)[0]
    folder = tempfile.mkdtemp(prefix="xinci-py3-")
    dst = os.path.join(folder, "xinci")
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "lib2to3", "-w", "-n", dst],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, folder)
    from xinci import word_extraction  # type: ignore[import-not-found]

    return word_extraction


def run_xinci(path: str, lines: list[str], **kw: object) -> list[str]:
    mod = xinci_module()
    if mod is None:
        raise RuntimeError("xinci not installed")
    with contextlib.redirect_stdout(io.StringIO()):
        words = mod.WordExtract(path, **kw).extract()  # type: ignore[attr-defined]
    text = "\n".join(lines)
    return sorted(words, key=lambda w: (-text.count(w), w))


def run_wordiscovery(path: str, lines: list[str], **kw: object) -> list[str]:
    from wordiscovery import WordDiscovery

    found = WordDiscovery(6).parse("\n".join(lines), **kw)
    return sorted(found, key=lambda w: (-found[w][0], w))


def run_newords(path: str, lines: list[str], **kw: object) -> list[str]:
    import logging

    logging.disable(logging.INFO)
    from newords import find_new_words_with_anchor_words

    jieba_tok = qieci.Tokenizer()
    data = [jieba_tok.lcut(line) for line in lines if line]
    with contextlib.redirect_stderr(io.StringIO()):
        found = find_new_words_with_anchor_words(data) or []
    return ["".join(key.split("_")) for key, _, _ in found]


TOOLS: list[tuple[str, Callable[..., list[str]], dict[str, object]]] = [
    ("qieci", run_qieci, {}),
    ("qieci-stats", run_qieci, {"model": False}),
    ("plain", lambda p, lines: plain_ranking(lines), {}),
    ("xinci", run_xinci, {}),
    ("wordiscovery", run_wordiscovery, {}),
    (
        "wordiscovery-loose",
        run_wordiscovery,
        {"freq_threshold": 2, "mutualinfo_threshold": 0, "entropy_threshold": 0},
    ),
    ("newords", run_newords, {}),
]


def main(argv: list[str]) -> int:
    names = argv or list(DEFAULT_FILES)
    lexicon = qieci.Tokenizer()
    lexicon.initialize()
    print(f"machine: {machine()}; lexicon: jieba 0.42.1's dictionary; top {TOP}\n")
    print(
        "| file | chars | tool | returned new words (n) | hits | P@500 | prec (hits / n) "
        "| qieci's prec at the same n | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            gold: set[str] = set()
            lines = []
            with open(CORPORA / f"{name}.txt", encoding="utf-8") as f:
                for line in f:
                    gold.update(line.split())
                    lines.append(line.rstrip("\n").replace(" ", ""))
            raw = os.path.join(tmp, name.replace("/", "-") + ".txt")
            with open(raw, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            chars = sum(map(len, lines))
            ours: list[bool] = []
            for tool, fn, kw in TOOLS:
                t = time.perf_counter()
                try:
                    out = fn(raw, lines, **kw)
                except Exception as exc:  # a peer that fails is reported, not fatal
                    print(
                        f"| {name} | {chars} | {tool} | failed: {type(exc).__name__}: {exc} | | | | |"
                    )
                    continue
                dt = time.perf_counter() - t
                seen: set[str] = set()
                top = []
                for w in out:
                    if w in seen or lexicon.get_FREQ(w) or len(w) < 2:
                        continue
                    seen.add(w)
                    top.append(w)
                    if len(top) == TOP:
                        break
                judged = [w in gold for w in top]
                if tool == "qieci":
                    ours = judged
                hits = sum(judged)
                prec = hits / len(top) if top else 0.0
                same = sum(ours[: len(top)]) / len(top) if top and ours else 0.0
                print(
                    f"| {name} | {chars} | {tool} | {len(top)} | {hits} | {hits / TOP:.3f} | "
                    f"{prec:.3f} | {same:.3f} | {dt:.1f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
