"""Accuracy table of the bundled learned model (and of jieba, scored the
same way) on every test file of ``shared/corpora/test/``, via ``qieci eval``.

Each test file is segmented with its matching standard. OOV words are
defined as the corpora README says: the official full training word list
for pku/msr/cityu/as (and for the sighan2010 files, which follow PKU), the
words of the matching training file otherwise.

Rerun::

    python bench/eval_learned.py       # writes bench/results/learned_accuracy.md
    # another model file, another results file (the jieba columns are the same)
    python bench/eval_learned.py --model M.qc --output bench/results/NAME.md
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import CORPORA

RESULTS = Path(__file__).resolve().parent / "results" / "learned_accuracy.md"

# test file -> (standard, vocabulary: "lexicon/..." or training files)
TESTS = {
    "ctb6": ("ctb", ["train/ctb6.txt"]),
    "zx": ("ctb", ["train/zx.txt"]),
    "pku": ("pku", "lexicon/pku_training_words.txt"),
    "msr": ("msr", "lexicon/msr_training_words.txt"),
    "sxu": ("sxu", ["train/sxu.txt"]),
    "weibo": ("weibo", ["train/weibo.txt"]),
    "ud": ("ud", ["train/ud.txt"]),
    "medical": ("medical", ["train/medical.txt"]),
    "wtb": ("wtb", ["train/wtb.txt"]),
    "cityu": ("cityu", "lexicon/cityu_training_words.txt"),
    "as": ("as", "lexicon/as_training_words.txt"),
    "sighan2010-literature": ("pku", "lexicon/pku_training_words.txt"),
    "sighan2010-computer": ("pku", "lexicon/pku_training_words.txt"),
    "sighan2010-medicine": ("pku", "lexicon/pku_training_words.txt"),
    "sighan2010-finance": ("pku", "lexicon/pku_training_words.txt"),
}
BARS = {"ctb6": 96.5, "weibo": 95.0, "pku": 95.0, "msr": 96.5, "sxu": 96.5, "ud": 94.0}


def qieci_eval(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "qieci", "eval", *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def vocab_file(spec, tmp: Path) -> str:
    if isinstance(spec, str):
        return str(CORPORA / spec)
    words = set()
    for rel in spec:
        with open(CORPORA / rel, encoding="utf-8") as f:
            for line in f:
                words.update(line.split())
    path = tmp / (Path(spec[0]).stem + ".words")
    path.write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    return str(path)


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: the bundled model)")
    ap.add_argument("--output", type=Path, default=RESULTS, help="results file to write")
    args = ap.parse_args()
    model = ["--model", args.model] if args.model else []
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name, (std, vspec) in TESTS.items():
            gold = CORPORA / "test" / f"{name}.txt"
            if not gold.exists():
                continue
            vocab = vocab_file(vspec, Path(d))
            ours = qieci_eval(
                str(gold), "--engine", "learned", "--standard", std, "--vocab", vocab, *model
            )
            jieba = qieci_eval(str(gold), "--engine", "jieba", "--vocab", vocab)
            rows.append((name, std, ours, jieba))
            print(
                name, std, f"{100 * ours['f1']:.2f}", f"jieba {100 * jieba['f1']:.2f}", flush=True
            )
    pct = lambda x: f"{100 * x:.2f}"  # noqa: E731
    title = f"model `{args.model}`" if args.model else "bundled model"
    out = [
        f"# Learned model accuracy ({title}, `qieci eval`)",
        "",
        "F1, precision, recall, OOV and IV recall in percent on `shared/corpora/test/`; "
        "learned engine with the matching standard, jieba (qieci's jieba-identical "
        "engine, HMM on) scored the same way and against the same vocabulary.",
        "",
        "| test set | standard | F1 | P | R | OOV-R | IV-R | bar | jieba F1 | jieba OOV-R |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, std, o, j in rows:
        bar = BARS.get(name)
        mark = "" if bar is None else (f"{bar} ✓" if 100 * o["f1"] >= bar else f"{bar} ✗")
        out.append(
            f"| {name} | {std} | {pct(o['f1'])} | {pct(o['precision'])} | "
            f"{pct(o['recall'])} | {pct(o['oov_recall'])} | {pct(o['iv_recall'])} | "
            f"{mark} | {pct(j['f1'])} | {pct(j['oov_recall'])} |"
        )
    s10 = [o["f1"] for name, _, o, _ in rows if name.startswith("sighan2010")]
    if s10:
        avg = 100 * sum(s10) / len(s10)
        out += [
            "",
            f"sighan2010, four domains, pku standard: average F1 {avg:.2f} "
            f"(bar 93.5: {'met' if avg >= 93.5 else 'missed'}).",
        ]
    cmd = "python bench/eval_learned.py" + (
        f" --model {args.model} --output {args.output}" if args.model else ""
    )
    out += [
        "",
        f"Command: `{cmd}` (each row is `qieci eval "
        "shared/corpora/test/SET.txt --standard S --vocab WORDS --json`).",
    ]
    args.output.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
