"""Long texts are decoded window by window (``Decoder.window``), with the
same tags as decoding the whole text at once, in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qieci
from strategies import mixed_text

ALPHABET = "我你他的了是在北京大学生人民中国１２3４aＢ，。 年月十\n"


@pytest.fixture(scope="module")
def decoder():
    tok = qieci.Tokenizer(engine="learned")
    tok.initialize()
    return tok.engine._ready().decoder


def whole_and_windows(dec, text, forced, window):
    saved = dec.window
    try:
        dec.window = 10**12
        whole = (dec.tags(text, forced), dec.lcut(text, forced), dec.spans(text, forced))
        dec.window = window
        return whole, (dec.tags(text, forced), dec.lcut(text, forced), dec.spans(text, forced))
    finally:
        dec.window = saved


@settings(max_examples=150, deadline=None)
@given(
    text=st.one_of(st.text(alphabet=ALPHABET, max_size=300), mixed_text),
    window=st.integers(1, 80),
    data=st.data(),
)
def test_windows_give_the_tags_of_the_whole_text(decoder, text, window, data):
    # forced masks as user words make them (any allowed-tag bits), or none
    forced = data.draw(
        st.one_of(st.none(), st.binary(min_size=len(text), max_size=len(text))), label="forced"
    )
    if forced is not None:
        forced = bytes(b & 15 or 15 for b in forced)
    whole, windowed = whole_and_windows(decoder, text, forced, window)
    assert windowed == whole


def test_a_long_text_across_many_windows(decoder):
    text = "".join(
        "我们在北京大学学习中文，他来到了网易杭研大厦。" * 3 + "Python3.12 发布了！\n"
        for _ in range(3000)
    )
    whole, windowed = whole_and_windows(decoder, text, None, 4096)
    assert windowed == whole and len(text) > 30 * 4096


PEAK = """
import json, sys
import qieci
def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
tok = qieci.Tokenizer(engine="learned")
tok.initialize()
tok.lcut("预热")
text = "我们在北京大学学习中文，他来到了网易杭研大厦。" * 40_000  # 960k characters
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
n = len(tok.lcut(text))
print(json.dumps({"peak": status("VmHWM") - before, "words": n}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_long_lcut_peaks_near_the_size_of_its_result():
    """960k characters: the whole-text buffers took about 300 bytes per
    character (290 MB); the result list of 440k words is about 40 MB."""
    res = subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["words"] > 400_000
    assert out["peak"] < 100 << 20, out
