"""The learned engine's results, this checkout against another revision:
identical, in every standard and mode, with and without atoms, user words
and a domain.

Input: the raw text of every file in ``shared/corpora/test/`` (as
``bench_cut.py``). A child process under each build (this checkout, and
``PYTHONPATH=REV_SRC``) cuts it in every configuration below and prints a
digest (SHA-256) of each result; the digests must agree:

* ``lcut`` of every line and ``cut_lines`` of the whole text, in every
  standard of the bundled model;
* search mode and ``tokenize`` (both modes) on the first 5000 lines;
* ``atoms=False``; six user words (``lcut`` and ``cut_lines``); the text
  with CRLF line ends (``cut_lines`` with ``" | "``, and with
  ``crlf_to_lf``);
* ``QIECI_MODEL`` names one model file for both builds (else each uses
  its own bundled model: since the bundled model changed after 52b25d3,
  compare that revision with ``QIECI_MODEL`` set to its model file);
* with ``QIECI_DOMAIN_MODEL`` (a model trained with ``--domain-folds``):
  that model's ``lcut`` in three standards, without and with a domain of
  the text loaded (then also ``cut_lines``, and ``lcut`` with a user word).

This is a check, not a timing. Rerun::

    QIECI_MODEL=/tmp/lk-base/src/qieci/engines/learned/data/learned.qc \
        QIECI_DOMAIN_MODEL=model.qc python bench/learned_identity_vs_rev.py /tmp/lk-base/src
    # bench/results/learned_identity.md
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import hashlib, json, os, pathlib, sys, tempfile
sys.path.insert(0, {bench!r})
from common import corpus_lines
import qieci
from qieci.engines.learned.engine import LearnedEngine

lines = corpus_lines()
text = "\n".join(lines) + "\n"
out = {{}}
M = os.environ.get("QIECI_MODEL")  # one model file for both builds (None: each its bundled one)


def digest(x):
    return hashlib.sha256(json.dumps(x, ensure_ascii=False).encode()).hexdigest()[:16]


for std in qieci.Tokenizer(engine="learned", model=M).standards():
    t = qieci.Tokenizer(engine="learned", standard=std, model=M)
    out[f"lcut {{std}}"] = digest([t.lcut(s) for s in lines])
    out[f"cut_lines {{std}}"] = digest(t.cut_lines(text, " "))
t = qieci.Tokenizer(engine="learned", model=M)
out["lcut_for_search"] = digest([t.lcut_for_search(s) for s in lines[:5000]])
out["tokenize"] = digest([list(t.tokenize(s)) for s in lines[:5000]])
out["tokenize search"] = digest([list(t.tokenize(s, mode="search")) for s in lines[:5000]])
crlf = text.replace("\n", "\r\n")
out["cut_lines CRLF"] = digest(t.cut_lines(crlf, " | "))
out["cut_lines CRLF to LF"] = digest(t.cut_lines(crlf, " ", crlf_to_lf=True))
t = qieci.Tokenizer(engine=LearnedEngine(atoms=False, model=M))
out["atoms=False lcut"] = digest([t.lcut(s) for s in lines])
out["atoms=False cut_lines"] = digest(t.cut_lines(text, "/", crlf_to_lf=True))
t = qieci.Tokenizer(engine="learned", model=M)
for w in ["北京大学", "2024年", "中国人民", "COVID-19", "研究生", "发展"]:
    t.add_word(w)
out["user words lcut"] = digest([t.lcut(s) for s in lines])
out["user words cut_lines"] = digest(t.cut_lines(text, " "))
model = os.environ.get("QIECI_DOMAIN_MODEL")
if model:
    from qieci.engines.learned.domain import count

    dom = pathlib.Path(tempfile.mkdtemp()) / "test.qcd"
    count(s + "\n" for s in lines).save(dom)
    for std in ("cnc", "pku", "msr"):
        t = qieci.Tokenizer(model=model, standard=std)
        out[f"domain model {{std}} lcut"] = digest([t.lcut(s) for s in lines])
        t = qieci.Tokenizer(model=model, domain=dom, standard=std)
        out[f"domain loaded {{std}} lcut"] = digest([t.lcut(s) for s in lines])
        out[f"domain loaded {{std}} cut_lines"] = digest(t.cut_lines(text, " "))
        t.add_word("北京大学")
        out[f"domain loaded {{std}} user word lcut"] = digest([t.lcut(s) for s in lines[:8000]])
print(json.dumps(out))
"""


def digests(env: dict[str, str]) -> dict[str, str]:
    code = CHILD.format(bench=str(HERE))
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    result: dict[str, str] = json.loads(done.stdout)
    return result


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    rev_src = sys.argv[1]
    this = digests({})
    rev = digests({"PYTHONPATH": rev_src})
    differ = [k for k in this if rev.get(k) != this[k]]
    out = [
        "# Learned engine: identical results to another revision",
        "",
        f"{time.strftime('%Y-%m-%d')}; this checkout against `{rev_src}`; input: the raw text "
        "of all test corpora (see the script for the configurations).",
        "",
        "| configuration | digest | same |",
        "|---|---|---|",
    ]
    out += [f"| {k} | {v} | {'yes' if rev.get(k) == v else '**no**'} |" for k, v in this.items()]
    out += [
        "",
        f"{len(this) - len(differ)} of {len(this)} configurations identical.",
        "",
        f"Command: `QIECI_MODEL={os.environ.get('QIECI_MODEL', '')} "
        f"QIECI_DOMAIN_MODEL={os.environ.get('QIECI_DOMAIN_MODEL', '...')} "
        f"python bench/learned_identity_vs_rev.py {rev_src}`",
    ]
    (HERE / "results" / "learned_identity.md").write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))
    if differ:
        raise SystemExit(f"results differ: {', '.join(differ)}")


if __name__ == "__main__":
    main()
