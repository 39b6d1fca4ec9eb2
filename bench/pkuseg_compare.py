"""qieci's learned engine against pkuseg retrained on the same training file.

pkuseg 0.0.25 is trained with its own ``pkuseg.train`` (default settings,
20 iterations) on one training file, then cuts the raw text of the matching
test file; both segmentations are scored by ``qieci eval`` (SIGHAN span
scoring, OOV against the training file's words, or the official word list
for pku/msr). Not part of CI: training pkuseg takes long.

pkuseg does not install on Python 3.11 from a wheel. It was built like this::

    python -m venv /tmp/pkuseg-venv
    /tmp/pkuseg-venv/bin/pip install "numpy<2" cython wheel setuptools jieba==0.42.1
    pip download pkuseg==0.0.25 --no-binary :all: --no-deps --no-build-isolation
    tar xzf pkuseg-0.0.25.tar.gz && cd pkuseg-0.0.25 && find . -name '*.cpp' -delete
    /tmp/pkuseg-venv/bin/pip install --no-build-isolation .

Rerun (one test set; SET is ctb6, ud, weibo, sxu, pku, msr, or
sighan2010-{literature,computer,medicine,finance}, which reuse the model
trained for pku)::

    # train pkuseg and cut the test file (in the pkuseg venv); `cut SET`
    # re-cuts with the model already trained
    nice -n 10 /tmp/pkuseg-venv/bin/python bench/pkuseg_compare.py train SET
    # score pkuseg and qieci side by side, append to bench/results/pkuseg.md
    python bench/pkuseg_compare.py score SET
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = Path(os.environ.get("QIECI_CORPORA", HERE.parents[1] / "shared" / "corpora"))
WORK = Path(os.environ.get("PKUSEG_WORK", "/tmp/pkuseg-work"))
RESULTS = HERE / "results" / "pkuseg.md"

# test set -> (training file, qieci standard, OOV word list or None = train words)
SETS = {
    "ctb6": ("ctb6.txt", "ctb", None),
    "ud": ("ud.txt", "ud", None),
    "weibo": ("weibo.txt", "weibo", None),
    "sxu": ("sxu.txt", "sxu", None),
    "pku": ("pku-part.txt", "pku", "pku_training_words.txt"),
    "msr": ("msr-part.txt", "msr", "msr_training_words.txt"),
}
# the cross-domain PKU-style test sets reuse pkuseg's model trained for "pku"
for _domain in ("literature", "computer", "medicine", "finance"):
    SETS[f"sighan2010-{_domain}"] = ("pku-part.txt", "pku", "pku_training_words.txt")


def cmd_train(name: str) -> None:
    import pkuseg  # type: ignore[import-not-found]

    train_file, _, _ = SETS[name]
    out = WORK / name
    out.mkdir(parents=True, exist_ok=True)
    gold = CORPORA / "test" / f"{name}.txt"
    t0 = time.time()
    os.chdir(out)  # pkuseg writes temporary files into the working directory
    if name.startswith("sighan2010"):
        model = WORK / "pku" / "model"  # trained by `train pku`
        if not model.is_dir():
            raise SystemExit("run `pkuseg_compare.py train pku` first")
        train_s = 0.0
    else:
        model = out / "model"
        pkuseg.train(str(CORPORA / "train" / train_file), str(gold), str(model))
        train_s = time.time() - t0
    _cut(name, model, out, gold, train_s)


def _cut(name: str, model: Path, out: Path, gold: Path, train_s: float) -> None:
    import pkuseg  # type: ignore[import-not-found]

    # user_dict=None: the retrained model alone (pkuseg's default adds its
    # own bundled dictionary, a different granularity), as pkuseg.train
    # itself evaluates it
    seg = pkuseg.pkuseg(model_name=str(model), user_dict=None)
    raw = [
        line.rstrip("\n").replace(" ", "") for line in open(gold, encoding="utf-8") if line.strip()
    ]
    t0 = time.time()
    pred = [" ".join(seg.cut(s)) for s in raw]
    cut_s = time.time() - t0
    (out / "pred.txt").write_text("\n".join(pred) + "\n", encoding="utf-8")
    (out / "timing.json").write_text(
        json.dumps({"train_s": train_s, "cut_s": cut_s, "chars": sum(map(len, raw))})
    )


def cmd_cut(name: str) -> None:
    """Re-cut the test file with an already trained model (keeps the
    recorded training time)."""
    out = WORK / name
    model = WORK / ("pku" if name.startswith("sighan2010") else name) / "model"
    timing = out / "timing.json"
    train_s = json.loads(timing.read_text())["train_s"] if timing.exists() else 0.0
    out.mkdir(parents=True, exist_ok=True)
    _cut(name, model, out, CORPORA / "test" / f"{name}.txt", train_s)


def _eval(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "qieci", "eval", *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def cmd_score(name: str) -> None:
    train_file, standard, wordlist = SETS[name]
    gold = str(CORPORA / "test" / f"{name}.txt")
    vocab = WORK / name / "vocab.txt"
    if wordlist:
        vocab = CORPORA / "lexicon" / wordlist
    else:
        words = {
            w
            for line in open(CORPORA / "train" / train_file, encoding="utf-8")
            for w in line.split()
        }
        vocab.write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    pku = _eval([gold, "--pred", str(WORK / name / "pred.txt"), "--vocab", str(vocab)])
    ours = _eval([gold, "--engine", "learned", "--standard", standard, "--vocab", str(vocab)])
    timing = json.loads((WORK / name / "timing.json").read_text())
    new = not RESULTS.exists()
    with open(RESULTS, "a", encoding="utf-8") as f:
        if new:
            f.write(
                "# qieci learned vs pkuseg retrained on the same training file\n\n"
                "F1 / OOV recall in percent on `shared/corpora/test/SET.txt`; pkuseg "
                "0.0.25 trained with `pkuseg.train` (20 iterations) on the training "
                "file alone, qieci's bundled multi-standard model with the matching "
                "standard. Commands: see the docstring of `bench/pkuseg_compare.py`.\n\n"
                "| test set | training file | pkuseg F1 | pkuseg OOV-R | qieci F1 | "
                "qieci OOV-R | pkuseg train time |\n|---|---|---|---|---|---|---|\n"
            )
        when = f"{timing['train_s'] / 60:.0f} min" if timing["train_s"] else "(pku's model)"
        f.write(
            f"| {name} | {train_file} | {100 * pku['f1']:.2f} | "
            f"{100 * pku['oov_recall']:.2f} | {100 * ours['f1']:.2f} | "
            f"{100 * ours['oov_recall']:.2f} | {when} |\n"
        )
    print(name, "pkuseg", pku["f1"], "qieci", ours["f1"])


if __name__ == "__main__":
    commands = {"train": cmd_train, "cut": cmd_cut, "score": cmd_score}
    if len(sys.argv) != 3 or sys.argv[1] not in commands or sys.argv[2] not in SETS:
        raise SystemExit(f"usage: pkuseg_compare.py train|cut|score {'|'.join(SETS)}")
    commands[sys.argv[1]](sys.argv[2])
