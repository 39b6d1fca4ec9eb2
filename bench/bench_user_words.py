"""Loading many user words: 100k words into each engine's Tokenizer.

Input: 100,000 distinct generated words of 2 to 5 Han characters (seeded),
written as a user dictionary (``word 1`` per line). Measured: the wall time of
``load_userdict`` plus the first cut (the learned engine builds its matcher
there), then the time per cut of a 21-character sentence, for the jieba and
the learned engine, in one run.

Rerun::

    python bench/bench_user_words.py      # writes bench/results/user_words.md
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import qieci
from common import machine

N = 100_000
SENTENCE = "我来到北京清华大学，他来到了网易杭研大厦"


def main() -> None:
    rng = random.Random(1)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    words: set[str] = set()
    while len(words) < N:
        words.add("".join(rng.choice(han) for _ in range(rng.randint(2, 5))))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ud = Path(tmp) / "user.txt"
        ud.write_text("".join(f"{w} 1\n" for w in sorted(words)), encoding="utf-8")
        for engine in ("jieba", "learned"):
            tok = qieci.Tokenizer(engine=engine)
            tok.initialize()
            t = time.perf_counter()
            tok.load_userdict(str(ud))
            tok.lcut(SENTENCE)
            load = time.perf_counter() - t
            t = time.perf_counter()
            for _ in range(200):
                tok.lcut(SENTENCE)
            per_cut = (time.perf_counter() - t) / 200
            rows.append((engine, load, per_cut))
            print(engine, load, per_cut, flush=True)
    out = [
        "# 100k user words",
        "",
        f"Input: {N} generated words of 2-5 Han characters as a user dictionary. {machine()}. "
        "Command: `python bench/bench_user_words.py`.",
        "",
        "| engine | load_userdict + first cut (s) | one cut of 21 chars (ms) |",
        "|---|---|---|",
    ]
    out += [f"| {e} | {load:.2f} | {cut * 1e3:.3f} |" for e, load, cut in rows]
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("user_words.md").write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
