"""Fit the weights of qieci.discover's score on the dev files (never test).

For each dev file of ``shared/corpora/dev``, discover's candidates of the
file's raw text (spaces removed) are collected with their evidence; a
candidate is positive when it is a gold word of that file and not in
jieba's dictionary. A logistic regression (L2, Newton's method) is fitted
on all dev files together, and the precision of the top 500 of each dev
file is printed with the fitted weights, with the current weights, and
leave-one-file-out (the weights fitted on the other dev files).

    python bench/tune_discover.py [--standards ctb,weibo]   # prints the weights for scoring.py
    python bench/tune_discover.py --no-model   # STATS_WEIGHTS: the statistics alone

With ``--no-model`` the candidates carry no view of the model (as with
``discover(model=False)``, and as a candidate outside the model's sample
has none), and the weights fitted are those of ``STATS_WEIGHTS``. The two
fits are of separate populations: ``score()`` uses ``WEIGHTS`` for a
candidate the model read, ``STATS_WEIGHTS`` for one it did not (every
candidate of a dev file is inside the model's 2M-character sample, so the
run with the model ranks by ``WEIGHTS`` alone, as ``discover`` does there).
"""

from __future__ import annotations

import sys

import numpy as np

from common import CORPORA
from qieci.discover.api import DiscoverOptions, count_corpus, evidence, standards_of
from qieci.discover.candidates import Lexicon
from qieci.discover.counting import CountSettings
from qieci.discover.scoring import FEATURES, STATS_WEIGHTS, WEIGHTS, features

DEV = ("zx", "medical", "weibo", "ctb6", "sxu", "ud", "wtb")
TOP = 500


def gold_and_raw(path: str) -> tuple[set[str], list[str]]:
    gold: set[str] = set()
    raw = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            gold.update(line.split())
            raw.append(line.rstrip("\n").replace(" ", ""))
    return gold, raw


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def precision(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(-(x @ w), kind="stable")[:TOP]
    return float(y[order].sum()) / TOP


def main(argv: list[str]) -> int:
    standards = (
        tuple(argv[argv.index("--standards") + 1].split(",")) if "--standards" in argv else None
    )
    no_model = "--no-model" in argv
    opts = DiscoverOptions(min_score=0.0, standards=standards, model=not no_model)
    chosen = standards_of(opts)
    print(f"standards: {', '.join(chosen)}")
    lexicon = Lexicon()
    settings = CountSettings(max_len=opts.max_len, sample_chars=opts.sample_chars)
    data = {}
    for name in DEV:
        gold, raw = gold_and_raw(str(CORPORA / "dev" / f"{name}.txt"))
        evs = evidence(count_corpus(raw, (), settings, 1), lexicon, chosen, opts)
        x = np.array([features(e) for e in evs])
        y = np.array([float(e.word in gold) for e in evs])
        data[name] = (x, y)
        print(f"{name}: {len(evs)} candidates, {int(y.sum())} positive", file=sys.stderr)
    x_all = np.vstack([x for x, _ in data.values()])
    y_all = np.concatenate([y for _, y in data.values()])
    w = fit(x_all, y_all)
    current = np.array(STATS_WEIGHTS if no_model else WEIGHTS)
    print("| dev file | P@500 current | P@500 fitted | P@500 leave-one-out |")
    print("|---|---|---|---|")
    for name, (x, y) in data.items():
        others = [k for k in data if k != name]
        w_loo = fit(
            np.vstack([data[k][0] for k in others]), np.concatenate([data[k][1] for k in others])
        )
        print(
            f"| {name} | {precision(x, y, current):.3f} | {precision(x, y, w):.3f} | "
            f"{precision(x, y, w_loo):.3f} |"
        )
    print()
    name = "STATS_WEIGHTS" if no_model else "WEIGHTS"
    print(f"{name} = (" + ", ".join(f"{v:.3f}" for v in w) + ")")
    print("# " + ", ".join(FEATURES))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
