"""Memory of one learned ``lcut`` over a very long string.

Input: the raw text of the test corpora (spaces and line breaks removed)
joined into ONE string of 4,000,000 characters. Measured in a fresh child
process per setting, with the bundled model loaded first: the peak RSS
during ``Tokenizer(engine="learned").lcut(text)`` above the RSS before the
call (Linux ``VmHWM``, reset through ``/proc/self/clear_refs``), and the RSS
left once the words are dropped. The peak counts the result itself (a list
of about 2.4M word strings).

Side by side in the same run: the decoder as it is (windows of
``Decoder.window`` = 32,768 characters) and with the window set past the
text, which is how every text was decoded before (whole-text buffers of
about 300 bytes per character). Both give the same words (checked).

Rerun::

    flock /tmp/qieci-bench.lock python bench/bench_learned_memory.py
    # writes bench/results/learned_memory.md
"""

from __future__ import annotations

import json
import subprocess
import sys

from common import REPO, corpus_lines, machine

CHARS = 4_000_000

CHILD = """
import gc, hashlib, json, sys
sys.path.insert(0, {bench!r})
from common import corpus_lines
import qieci

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

text = "".join(corpus_lines())
text = (text * (1 + {chars} // len(text)))[:{chars}]
tok = qieci.Tokenizer(engine="learned")
tok.initialize()
dec = tok.engine._ready().decoder
if {whole}:
    dec.window = 10**12
tok.lcut("预热一下")
gc.collect()
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS
words = tok.lcut(text)
peak = status("VmHWM")
digest = hashlib.sha1("\\n".join(words).encode()).hexdigest()
n = len(words)
del words
gc.collect()
after = status("VmRSS")
print(json.dumps({{"before": before, "peak": peak, "after": after, "words": n, "digest": digest}}))
"""


def measure(whole: bool) -> dict[str, int | str]:
    code = CHILD.format(bench=str(REPO / "bench"), chars=CHARS, whole=whole)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    corpus_lines()  # fail early without corpora
    rows = []
    for label, whole in (("windows of 32,768 chars (now)", False), ("whole text (before)", True)):
        r = measure(whole)
        rows.append((label, r))
        print(label, r, flush=True)
    assert rows[0][1]["digest"] == rows[1][1]["digest"], "the words differ"
    mb = 1 << 20
    out = [
        "# Learned lcut of one 4M-character string: memory",
        "",
        f"Input: the test corpora's raw text as one string of {CHARS:,} characters "
        f"({rows[0][1]['words']:,} words). {machine()}. Command: "
        "`flock /tmp/qieci-bench.lock python bench/bench_learned_memory.py`.",
        "",
        "Peak: RSS above the loaded model during the call, the result list included. "
        "Left: RSS above the loaded model once the words are dropped. "
        "Both settings give the same words.",
        "",
        "| decoder | peak above loaded (MB) | left after (MB) |",
        "|---|---|---|",
    ]
    for label, r in rows:
        peak = (int(r["peak"]) - int(r["before"])) / mb
        left = (int(r["after"]) - int(r["before"])) / mb
        out.append(f"| {label} | {peak:.0f} | {left:.0f} |")
    ratio = (int(rows[1][1]["peak"]) - int(rows[1][1]["before"])) / max(
        1, int(rows[0][1]["peak"]) - int(rows[0][1]["before"])
    )
    out += ["", f"Peak ratio, before / now: {ratio:.1f}x.", ""]
    (REPO / "bench" / "results" / "learned_memory.md").write_text("\n".join(out), encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
