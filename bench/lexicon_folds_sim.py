"""Does a standard's word list help, and do held-out folds matter? A
simulation on the pku/msr training files alone (they have no dev files;
test files are never read).

The real situation: we train on a part of a standard's training set and
have the word list of the whole set. Simulated on ``train/STD-part.txt``:
its last 10% of lines is the held-out tail, the words of the other 90% are
the "official list", and the standard is trained on the first quarter of
that 90% (so the list knows words the training text lacks), together with
every other corpus as in ``tools/train_learned_model.sh``. Each variant is
one ``qieci train`` run; the tail is scored with ``qieci eval`` (OOV
against the simulated list).

Variants: no list; the list with ``--lexicon-folds 0`` (no folds); with 10
folds (the default); with 4 folds.

Rerun (about 2 minutes per variant, two at a time on 2 cores)::

    python bench/lexicon_folds_sim.py [msr|pku ...]   # writes bench/results/lexicon_folds.md
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import CORPORA

RESULTS = Path(__file__).resolve().parent / "results" / "lexicon_folds.md"
OTHERS = {
    "pku": ["train/pku-part.txt"],
    "msr": ["train/msr-part.txt"],
    "ctb": ["train/ctb6.txt", "train/zx.txt"],
    "sxu": ["train/sxu.txt"],
    "weibo": ["train/weibo.txt"],
    "ud": ["train/ud.txt"],
    "cnc": ["train/cnc.txt"],
    "medical": ["train/medical.txt"],
    "wtb": ["train/wtb.txt"],
    "cityu": ["train/cityu-part.txt"],
    "as": ["train/as-part.txt"],
}
DEV = {
    "ctb": ["dev/ctb6.txt", "dev/zx.txt"],
    "sxu": ["dev/sxu.txt"],
    "weibo": ["dev/weibo.txt"],
    "ud": ["dev/ud.txt"],
    "medical": ["dev/medical.txt"],
    "wtb": ["dev/wtb.txt"],
}
VARIANTS = {
    "no word list": None,
    "word list, no folds": ["--lexicon-folds", "0"],
    "word list, 10 folds (default)": [],
    "word list, 4 folds": ["--lexicon-folds", "4"],
}


def split(std: str, work: Path) -> tuple[Path, Path, Path, dict]:
    """The simulated training part, held-out tail and word list of ``std``."""
    lines = (CORPORA / "train" / f"{std}-part.txt").read_bytes().decode("utf-8").splitlines()
    cut = len(lines) * 9 // 10
    full, tail = lines[:cut], lines[cut:]
    part = full[: len(full) // 4]
    words = sorted({w for line in full for w in line.split()})
    paths = (work / f"{std}-train.txt", work / f"{std}-tail.txt", work / f"{std}-list.txt")
    for p, rows in zip(paths, (part, tail, words)):
        p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    listed = set(words)
    tail_words = [w for line in tail for w in line.split()]
    stats = {
        "lines": len(lines),
        "train_lines": len(part),
        "tail_lines": len(tail),
        "list_words": len(words),
        "tail_unlisted": sum(w not in listed for w in tail_words) / len(tail_words),
    }
    return *paths, stats


def run(
    std: str, k: int, extra: list[str] | None, train: Path, tail: Path, words: Path, work: Path
) -> dict:
    model = work / f"{std}-{k}.qc"
    args = [
        sys.executable,
        "-m",
        "qieci",
        "train",
        "--bits",
        "23",
        "--epochs",
        "15",
        "--patience",
        "2",
        "--seed",
        "1",
        "-o",
        str(model),
    ]
    for s, files in OTHERS.items():
        got = str(train) if s == std else ",".join(str(CORPORA / f) for f in files)
        args += ["--corpus", f"{s}={got}"]
    for s, files in DEV.items():
        args += ["--dev", f"{s}=" + ",".join(str(CORPORA / f) for f in files)]
    if extra is not None:
        args += ["--std-lexicon", f"{std}={words}", *extra]
    subprocess.run(args, check=True, capture_output=True)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "qieci",
            "eval",
            str(tail),
            "--model",
            str(model),
            "--standard",
            std,
            "--vocab",
            str(words),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    model.unlink()
    return json.loads(out)


def main(stds: list[str]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        work = Path(tmp)
        for std in stds:
            train, tail, words, stats = split(std, work)
            jobs = {
                name: pool.submit(run, std, k, extra, train, tail, words, work)
                for k, (name, extra) in enumerate(VARIANTS.items())
            }
            for name, job in jobs.items():
                r = job.result()
                rows.append(
                    f"| {std} | {name} | {100 * r['f1']:.2f} | "
                    f"{100 * r['oov_recall']:.2f} | {100 * r['iv_recall']:.2f} |"
                )
                print(rows[-1], flush=True)
            rows.append(
                f"| {std} | (split: {stats['train_lines']} training lines of "
                f"{stats['lines']}, tail {stats['tail_lines']}, list "
                f"{stats['list_words']} words, {100 * stats['tail_unlisted']:.1f}% of "
                f"tail words unlisted) | | | |"
            )
    RESULTS.write_text(
        "# Standard word lists and held-out folds (simulation on training files)\n\n"
        "Held-out tail = last 10% of `train/STD-part.txt`; simulated official list = words "
        "of the other 90%; the standard trained on the first quarter of the 90%, every other "
        "corpus as in the shipped model. F1 / OOV recall / IV recall in percent on the tail.\n\n"
        "| standard | variant | F1 | OOV-R | IV-R |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nCommand: `python bench/lexicon_folds_sim.py "
        + " ".join(stds)
        + "`\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(sys.argv[1:] or ["msr", "pku"])
