"""The cross-domain protocol: hold out whole domains, then score them.

The learned model is trained as ``tools/train_learned_model.sh`` trains the
bundled one, but without the ``zx`` (web novel) and ``medical`` (medical
Q&A) corpora, neither for training nor for model selection. It is then
scored on text of domains it never saw:

* zx and medical (dev and test files) with the ctb standard (zx is
  CTB-style), and with ud (a small standard, UD-style: close to CTB) and
  pku (medical);
* the four sighan2010 sets (literature, computer, medicine, finance:
  PKU-style) with the pku standard.

pkuseg 0.0.25's default model is scored on the same files side by side.
Choices about the model (back-off of small standards, features, the
default standard) are made here, on the means of these rows; the held-out
sets of the project check that they generalise.

Rerun::

    python bench/cross_domain.py train NAME [-- TRAIN-FLAGS...]   # /tmp/qieci-xd/NAME.qc
    python bench/cross_domain.py score NAME                       # bench/results/cross_domain/NAME.json
    python bench/cross_domain.py score NAME --adapt               # adapted on each file's raw text
    python bench/cross_domain.py score NAME --adapt --keep K      # the same domain, keeping only
                                                                  # part K: stats (no words),
                                                                  # discovered or own words
    /tmp/pkuseg-venv/bin/python bench/cross_domain.py pkuseg      # cut (see bench/pkuseg_compare.py)
    python bench/cross_domain.py score-pkuseg                     # score its cuts
    python bench/cross_domain.py table > bench/results/cross_domain.md
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
WORK = Path(os.environ.get("QIECI_XD_WORK", "/tmp/qieci-xd"))
OUT = HERE / "results" / "cross_domain"

#: (gold file, standard); the groups are averaged in the table
ROWS = {
    "PKU-style (sighan2010, pku)": [
        ("test/sighan2010-literature.txt", "pku"),
        ("test/sighan2010-computer.txt", "pku"),
        ("test/sighan2010-medicine.txt", "pku"),
        ("test/sighan2010-finance.txt", "pku"),
        ("test/medical.txt", "pku"),
    ],
    "CTB-style (zx, medical; ctb)": [
        ("dev/zx.txt", "ctb"),
        ("test/zx.txt", "ctb"),
        ("dev/medical.txt", "ctb"),
        ("test/medical.txt", "ctb"),
    ],
    "small standard (zx, medical; ud)": [
        ("test/zx.txt", "ud"),
        ("test/medical.txt", "ud"),
    ],
}


def train_command(model: Path, extra: list[str]) -> list[str]:
    c = CORPORA
    corpora = {
        "pku": ["train/pku-part.txt"],
        "msr": ["train/msr-part.txt"],
        "ctb": ["train/ctb6.txt"],
        "sxu": ["train/sxu.txt"],
        "weibo": ["train/weibo.txt"],
        "ud": ["train/ud.txt"],
        "cnc": ["train/cnc.txt"],
        "wtb": ["train/wtb.txt"],
        "cityu": ["train/cityu-part.txt"],
        "as": ["train/as-part.txt"],
    }
    dev = {"ctb": ["dev/ctb6.txt"], "sxu": ["dev/sxu.txt"], "weibo": ["dev/weibo.txt"]}
    dev |= {"ud": ["dev/ud.txt"], "wtb": ["dev/wtb.txt"]}
    cmd = [sys.executable, "-m", "qieci", "train"]
    for flag, table in (("--corpus", corpora), ("--dev", dev)):
        for std, files in table.items():
            cmd += [flag, f"{std}=" + ",".join(str(c / f) for f in files)]
    # "--no-word-list S" (a flag of this script only) leaves out S's official list
    skip = {extra[i + 1] for i, a in enumerate(extra) if a == "--no-word-list"}
    extra = [
        a
        for i, a in enumerate(extra)
        if a != "--no-word-list" and extra[i - 1 : i] != ["--no-word-list"]
    ]
    for std in ("pku", "msr", "cityu", "as"):
        if std not in skip:
            cmd += ["--std-lexicon", f"{std}={c}/lexicon/{std}_training_words.txt"]
    cmd += ["--training-words-lexicon", "--bits", "23", "--epochs", "15", "--patience", "2"]
    return cmd + ["--seed", "1", *extra, "-o", str(model)]


def gold_lines(path: str) -> list[list[str]]:
    with open(CORPORA / path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def f1(gold: list[list[str]], pred: list[list[str]]) -> float:
    from qieci.evaluate import score

    return 100 * score(gold, pred).f1


def self_domain(path: str, model: Path, standard: str) -> Path:
    """The domain file of a gold file's own raw text, made with the model
    under test for the standard scored (``qieci adapt RAW --model M
    --standard S``: the discovered words, the model's own words, the
    statistics)."""
    from qieci.discover import adapt

    dst = WORK / "domains2" / model.stem / f"{path.replace('/', '_')}.{standard}.qcd"
    if not dst.exists():
        dst.parent.mkdir(parents=True, exist_ok=True)
        raw = ["".join(g) for g in gold_lines(path)]
        adapt(raw, model=model, standards=[standard]).save(dst)
    return dst


#: ``--keep``: which words of the self-domain are kept (its n-gram
#: statistics always are): none, discovery's (for every standard) or the
#: model's own words of the standard scored
KEEP = {"stats": (), "discovered": ("*",), "own": ("std",)}


def kept(domain_path: Path, std: str, keep: str | None) -> object:
    """The domain at ``domain_path``, or (with ``keep``) a copy holding only
    the part of its words that ``keep`` names."""
    if keep is None:
        return domain_path
    from qieci.engines.learned.domain import load, with_words

    d = load(domain_path)
    names = [std if k == "std" else k for k in KEEP[keep]]
    return with_words(d, {k: d.words[k] for k in names if k in d.words})


def score_qieci(
    name: str, model: Path, options: dict[str, object], adapt: bool, keep: str | None = None
) -> dict[str, float]:
    from qieci import Tokenizer
    from qieci.engines.learned.engine import LearnedEngine

    out = {}
    for rows in ROWS.values():
        for path, std in rows:
            dom = kept(self_domain(path, model, std), std, keep) if adapt else None
            opts = dict(options, domain=dom) if adapt else options
            tok = Tokenizer(engine=LearnedEngine(standard=std, model=model, **opts))
            gold = gold_lines(path)
            out[f"{path}={std}"] = f1(gold, [tok.lcut("".join(g)) for g in gold])
            print(f"{name}\t{path}\t{std}\t{out[f'{path}={std}']:.2f}", flush=True)
    return out


def cut_pkuseg() -> None:
    """Write pkuseg's segmentation of each row's raw text under WORK/pkuseg
    (run in pkuseg's venv, which has no qieci)."""
    import pkuseg  # only in pkuseg's own venv

    seg = pkuseg.pkuseg()
    for rows in ROWS.values():
        for path, _ in rows:
            dst = WORK / "pkuseg" / path
            if dst.exists():
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            lines = [" ".join(seg.cut("".join(g))) for g in gold_lines(path)]
            dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"pkuseg\t{path}", flush=True)


def score_pkuseg() -> dict[str, float]:
    out = {}
    for rows in ROWS.values():
        for path, std in rows:
            with open(WORK / "pkuseg" / path, encoding="utf-8") as f:
                pred = [line.split() for line in f if line.strip()]
            out[f"{path}={std}"] = f1(gold_lines(path), pred)
    return out


def table() -> None:
    runs = {p.stem: json.loads(p.read_text()) for p in sorted(OUT.glob("*.json"))}
    print("# Cross-domain protocol (zx and medical held out of training)\n")
    print(__doc__.split("\n\n", 1)[1].split("Rerun::")[0].strip() + "\n")
    names = list(runs)
    print("| rows | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for group, rows in ROWS.items():
        for path, std in rows:
            key = f"{path}={std}"
            cells = [f"{runs[n]['f1'][key]:.2f}" if key in runs[n]["f1"] else "" for n in names]
            print(f"| {path} ({std}) | " + " | ".join(cells) + " |")
        means = []
        for n in names:
            vals = [runs[n]["f1"].get(f"{p}={s}") for p, s in rows]
            means.append(f"**{sum(vals) / len(vals):.2f}**" if None not in vals else "")
        print(f"| mean: {group} | " + " | ".join(means) + " |")
    print("\nRuns:\n")
    for n, r in runs.items():
        print(f"- `{n}`: {r.get('what', '')}")
    print("\nRerun: see the docstring of `bench/cross_domain.py`.")


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    OUT.mkdir(parents=True, exist_ok=True)
    if cmd == "train":
        name = sys.argv[2]
        extra = sys.argv[4:] if len(sys.argv) > 3 and sys.argv[3] == "--" else []
        WORK.mkdir(parents=True, exist_ok=True)
        t0 = time.time()
        subprocess.run(train_command(WORK / f"{name}.qc", extra), check=True)
        (WORK / f"{name}.flags").write_text(json.dumps({"extra": extra, "s": time.time() - t0}))
    elif cmd == "score":
        name = sys.argv[2]
        args = [a for a in sys.argv[3:] if a != "--adapt"]
        adapt = len(args) < len(sys.argv[3:])
        keep = None
        if "--keep" in args:
            i = args.index("--keep")
            keep = args[i + 1] if i + 1 < len(args) else ""
            del args[i : i + 2]
            if keep not in KEEP or not adapt:
                sys.exit(f"--keep takes one of {', '.join(KEEP)}, with --adapt")
        info = json.loads((WORK / f"{name}.flags").read_text())
        opts = json.loads(args[0]) if args else {}
        res = score_qieci(name, WORK / f"{name}.qc", opts, adapt, keep)
        what = f"qieci train {' '.join(info['extra']) or '(defaults)'}; engine options {opts}"
        if adapt:
            what += "; adapted on each file's own raw text (qieci adapt --standard S)"
        if keep is not None:
            what += f", keeping only {keep}" + (" (no words)" if keep == "stats" else " words")
        out = (f"{name}+adapt" + (f"-{keep}" if keep else "")) if adapt else name
        (OUT / f"{out}.json").write_text(json.dumps({"what": what, "f1": res}, indent=1))
    elif cmd == "pkuseg":
        cut_pkuseg()
    elif cmd == "score-pkuseg":
        res = score_pkuseg()
        (OUT / "pkuseg.json").write_text(
            json.dumps({"what": "pkuseg 0.0.25, default model", "f1": res}, indent=1)
        )
    elif cmd == "table":
        table()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
