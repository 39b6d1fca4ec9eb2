"""How often gold segmentations cut inside what :mod:`qieci.atoms` keeps whole.

Input: every gold file under ``$QIECI_CORPORA/{train,dev}`` (never the test
files: the atom rules are chosen here). For each file: the atoms found in
the raw text of its lines, how many of them the gold words cut inside, and
the most common such cuts (gold words shown with ``|``).

Rerun: ``python bench/atoms_vs_gold.py [--examples 8] > bench/results/atoms_vs_gold.md``
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

from qieci.atoms import atom_spans

HERE = Path(__file__).resolve().parent
CORPORA = Path(os.environ.get("QIECI_CORPORA", HERE.parents[1] / "shared" / "corpora"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=8)
    args = ap.parse_args()
    print("# Gold cuts inside atoms (train and dev files)\n")
    print("Command: `python bench/atoms_vs_gold.py`. An atom is *cut* when a gold word")
    print("boundary falls strictly inside it.\n")
    print("| file | atoms | cut by gold | % | most common cuts |")
    print("|---|---|---|---|---|")
    for part in ("train", "dev"):
        for path in sorted((CORPORA / part).glob("*.txt")):
            atoms = cut = 0
            seen: Counter[str] = Counter()
            with open(path, encoding="utf-8") as f:
                for line in f:
                    words = line.split()
                    raw = "".join(words)
                    bounds = set()
                    pos = 0
                    for w in words:
                        pos += len(w)
                        bounds.add(pos)
                    for s, e in atom_spans(raw):
                        atoms += 1
                        inner = [p for p in range(s + 1, e) if p in bounds]
                        if inner:
                            cut += 1
                            shown, last = [], s
                            for p in inner + [e]:
                                shown.append(raw[last:p])
                                last = p
                            seen["|".join(shown)] += 1
            top = ", ".join(f"`{k}` {v}" for k, v in seen.most_common(args.examples))
            pct = 100 * cut / atoms if atoms else 0.0
            print(f"| {part}/{path.name} | {atoms} | {cut} | {pct:.1f} | {top} |")


if __name__ == "__main__":
    main()
