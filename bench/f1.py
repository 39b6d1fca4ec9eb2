"""F1 of the learned engine on gold files, in process: one row per
(file, standard), optionally with the atom constraints off.

Input: gold files of ``$QIECI_CORPORA`` (raw text = each line's words
joined). Scoring as ``qieci eval`` (SIGHAN spans).

Rerun::

    python bench/f1.py --model M.qc test/zx.txt=ctb test/pku.txt=pku ...
    python bench/f1.py --no-atoms test/zx.txt=ctb       # without atoms
    python bench/f1.py --all-test                       # every test file, matching standard
"""

from __future__ import annotations

import argparse
import json
import sys

from common import CORPORA
from qieci import Tokenizer
from qieci.engines.learned.engine import LearnedEngine
from qieci.evaluate import read_segmented, score

#: test file -> its standard (the sighan2010 files follow PKU)
MATCHING = {
    "ctb6": "ctb",
    "zx": "ctb",
    "pku": "pku",
    "msr": "msr",
    "sxu": "sxu",
    "weibo": "weibo",
    "ud": "ud",
    "medical": "medical",
    "wtb": "wtb",
    "cityu": "cityu",
    "as": "as",
    "sighan2010-literature": "pku",
    "sighan2010-computer": "pku",
    "sighan2010-medicine": "pku",
    "sighan2010-finance": "pku",
}


def f1(path: str, standard: str, model: str | None, atoms: bool, **extra: object) -> float:
    gold = read_segmented(str(CORPORA / path))
    tok = Tokenizer(engine=LearnedEngine(standard=standard, model=model, atoms=atoms, **extra))
    pred = [tok.lcut("".join(words)) for words in gold]
    return 100 * score(gold, pred).f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="*", help="FILE=STANDARD, FILE relative to the corpora")
    ap.add_argument("--model")
    ap.add_argument("--no-atoms", action="store_true")
    ap.add_argument("--all-test", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [r.split("=", 1) for r in args.rows]
    if args.all_test:
        rows += [[f"test/{k}.txt", v] for k, v in MATCHING.items()]
    out = {}
    for path, std in rows:
        out[f"{path}={std}"] = v = f1(path, std, args.model, not args.no_atoms)
        if not args.json:
            print(f"{path}\t{std}\t{v:.2f}", flush=True)
    if args.json:
        json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
