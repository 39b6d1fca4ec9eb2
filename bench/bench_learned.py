"""Speed and memory of the learned engine, side by side with jieba (and
pkuseg when it is importable), on one pinned core.

Input: the raw text of every file in ``shared/corpora/test/`` (gold lines
with their spaces removed), cut line by line with each library's
list-returning cut function. The learned ``lcut`` is also timed with a
domain of the same text (``qieci.discover.adapt``) loaded, with the
bundled model or the one ``QIECI_DOMAIN_MODEL`` names. qieci's learned ``lcut`` and jieba's ``lcut``
run over all lines; pkuseg (slow) over a fixed slice of them, and every
library is also timed on that slice, so that all ratios compare the same text.
Peak RSS (VmHWM) is measured in a fresh subprocess that only imports qieci,
loads the default learned model and cuts the text.

Rerun::

    flock /tmp/qieci-bench.lock python bench/bench_learned.py   # bench/results/learned_speed.md

pkuseg 0.0.25 does not install on Python 3.11 from a wheel; to include it,
run this script with a Python where ``import pkuseg`` works (see
bench/pkuseg_compare.py for how it was built), qieci on ``PYTHONPATH`` and
``PKUSEG_MODEL`` naming a pkuseg model directory trained by
bench/pkuseg_compare.py::

    PKUSEG_MODEL=/tmp/pkuseg-work/ctb6/model PYTHONPATH=src \
        flock /tmp/qieci-bench.lock /tmp/pkuseg-venv/bin/python bench/bench_learned.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import qieci
from common import best_of, corpus_lines, machine, pin_one_core, time_lines

RESULTS = Path(__file__).resolve().parent / "results" / "learned_speed.md"
SLICE = 15000  # lines for pkuseg (and everyone, for the like-for-like ratio)

RSS_SCRIPT = r"""
import sys, json, time
import qieci
sys.path.insert(0, %r)
from common import corpus_lines
lines = corpus_lines()
t0 = time.perf_counter()
tok = qieci.Tokenizer(engine="learned")
tok.initialize()
load = time.perf_counter() - t0
for s in lines:
    tok.lcut(s)
# VmHWM, not ru_maxrss: a child inherits its parent's ru_maxrss at fork
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(json.dumps({"load_s": load, "peak_rss_mb": int(hwm.split()[1]) / 1024}))
"""


def main() -> None:
    pinned = pin_one_core()
    lines = corpus_lines()
    chars = sum(map(len, lines))
    learned = qieci.Tokenizer(engine="learned")
    learned.initialize()
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    peers = {
        "qieci learned lcut": learned.lcut,
        "jieba lcut": jieba.lcut,
        "qieci jieba-engine lcut": qieci.lcut,
    }
    pkuseg_model = os.environ.get("PKUSEG_MODEL")  # a trained model directory
    if pkuseg_model:  # (never pkuseg's default model: that one is downloaded)
        import pkuseg  # type: ignore[import-not-found]

        seg = pkuseg.pkuseg(model_name=pkuseg_model, user_dict=None)
        peers["pkuseg cut"] = seg.cut

    full: dict[str, float] = {}
    for name, fn in peers.items():
        if name == "pkuseg cut":
            continue
        runs = 3 if name.startswith("qieci") else 1
        full[name] = best_of(runs, lambda fn=fn: time_lines(fn, lines))
    part = lines[:SLICE]
    part_chars = sum(map(len, part))
    sliced = {
        name: best_of(2 if name.startswith("qieci") else 1, lambda fn=fn: time_lines(fn, part))
        for name, fn in peers.items()
    }

    here = str(Path(__file__).resolve().parent)
    rss = json.loads(
        subprocess.run(
            [sys.executable, "-c", RSS_SCRIPT % here], check=True, capture_output=True, text=True
        ).stdout
    )
    model = Path(qieci.__file__).parent / "engines" / "learned" / "data" / "learned.qc"

    out = [
        "# Learned engine: speed and memory",
        "",
        f"{machine()}; {pinned}; {time.strftime('%Y-%m-%d')}; standard "
        f"{learned.standard!r} of the bundled model.",
        "",
        f"All test files: {len(lines)} lines, {chars} chars.",
        "",
        "| cut function | seconds | chars/s | learned speed-up |",
        "|---|---|---|---|",
    ]
    base = full["qieci learned lcut"]
    for name, sec in full.items():
        out.append(f"| {name} | {sec:.2f} | {chars / sec / 1e3:.0f}k | {sec / base:.1f}x |")
    out += [
        "",
        f"First {len(part)} lines ({part_chars} chars), every peer on the same text:",
        "",
        "| cut function | seconds | chars/s | learned speed-up |",
        "|---|---|---|---|",
    ]
    base = sliced["qieci learned lcut"]
    for name, sec in sliced.items():
        out.append(f"| {name} | {sec:.2f} | {part_chars / sec / 1e3:.0f}k | {sec / base:.1f}x |")
    # the learned lcut with a domain of the input's own raw text (qieci
    # adapt: its words and statistics) loaded, by the bundled model or by
    # QIECI_DOMAIN_MODEL
    from qieci.discover import adapt

    domain_model = os.environ.get("QIECI_DOMAIN_MODEL")
    plain = qieci.Tokenizer(engine="learned", model=domain_model)
    domain = adapt(lines, model=domain_model, standards=[plain.standard])
    adapted = qieci.Tokenizer(engine="learned", model=domain_model, domain=domain)
    t_plain = best_of(3, lambda: time_lines(plain.lcut, lines))
    t_dom = best_of(3, lambda: time_lines(adapted.lcut, lines))
    out += [
        "",
        f"Model {domain_model or 'bundled'}: lcut {chars / t_plain / 1e3:.0f}k chars/s, "
        f"with a domain of the input loaded ({len(domain.words_for(plain.standard))} words, "
        f"{domain.keys.size} grams) {chars / t_dom / 1e3:.0f}k chars/s: "
        f"{full['jieba lcut'] / t_dom:.1f}x jieba lcut.",
    ]
    if "pkuseg cut" not in peers:
        out += ["", "pkuseg was not part of this run (set PKUSEG_MODEL, see above)."]
    else:
        out += [
            "",
            f"pkuseg model: {pkuseg_model} (pkuseg 0.0.25 retrained by bench/pkuseg_compare.py).",
        ]
    out += [
        "",
        f"Peak RSS (fresh process: import, load the default model, cut all lines): "
        f"{rss['peak_rss_mb']:.0f} MB; model load {rss['load_s']:.2f} s; model file "
        f"{model.stat().st_size / 2**20:.1f} MiB.",
        "",
        f"Command: `PKUSEG_MODEL={pkuseg_model or '...'} PYTHONPATH=src flock "
        "/tmp/qieci-bench.lock /tmp/pkuseg-venv/bin/python bench/bench_learned.py`",
    ]
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
