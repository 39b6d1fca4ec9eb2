"""Which standard of the learned model is closest to jieba's granularity?

The raw text of every dev file (``shared/corpora/dev/``) is segmented by
jieba's engine (qieci's jieba-identical default tokenizer) and by the
learned model under each standard. With jieba's words as the reference, we
report the span F1 of each standard and its mean word length; the default
standard of ``Tokenizer(engine="learned")`` is the one with the highest F1.

Rerun::

    python bench/granularity.py        # writes bench/results/granularity.md
"""

from __future__ import annotations

from pathlib import Path

import qieci
from common import corpus_lines
from qieci.evaluate import score

RESULTS = Path(__file__).resolve().parent / "results" / "granularity.md"


def main() -> None:
    lines = corpus_lines("dev")
    chars = sum(map(len, lines))
    jieba_words = [qieci.lcut(s) for s in lines]
    n_jieba = sum(map(len, jieba_words))
    rows = []
    for std in qieci.Tokenizer(engine="learned").standards():
        tok = qieci.Tokenizer(engine="learned", standard=std)
        pred = [tok.lcut(s) for s in lines]
        s = score(jieba_words, pred)
        rows.append((s.f1, std, chars / s.pred_words))
    rows.sort(reverse=True)
    out = [
        "# Learned-model standards against jieba's granularity",
        "",
        f"Raw text of all dev files ({len(lines)} lines, {chars} chars). Reference: "
        f"jieba's segmentation (mean word length {chars / n_jieba:.3f} chars).",
        "",
        "| standard | F1 vs jieba | mean word length |",
        "|---|---|---|",
    ]
    out += [f"| {std} | {100 * f1:.2f} | {mwl:.3f} |" for f1, std, mwl in rows]
    out += ["", f"Closest: **{rows[0][1]}**.", "", "Command: `python bench/granularity.py`"]
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
