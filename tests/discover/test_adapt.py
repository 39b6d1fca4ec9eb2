"""``qieci.discover.adapt``: a domain from raw text, checked against what
it is made of (discovery, the model's own cut, the n-gram statistics)."""

from __future__ import annotations

from collections import Counter

import pytest

from qieci import Tokenizer
from qieci.discover import adapt, discover
from qieci.engines.learned.domain import count

RAW = ["韩立看着墨大夫，心中一动。", "墨大夫笑了，韩立点头。", "韩立走进七玄门的大门。"] * 4


def test_words_are_discovery_and_the_models_own_frequent_words():
    dom = adapt(RAW, standards=["pku"])
    assert set(dom.words) == {"*", "pku"}
    assert list(dom.words["*"]) == [w.word for w in discover(RAW)]
    tok = Tokenizer(standard="pku")
    known = set(tok.training_vocab())
    seen = Counter(w for line in RAW for w in tok.lcut(line))
    expected = sorted(
        w
        for w, n in seen.items()
        if n >= 2 and len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)
    )
    assert list(dom.words["pku"]) == [w for w in expected if w not in known]
    stats = count(RAW)
    assert dom.keys.tolist() == stats.keys.tolist() and dom.chars == stats.chars


def test_files_and_texts_give_the_same_domain(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(RAW) + "\n", encoding="utf-8")
    a = adapt(files=[raw], standards=["ctb"])
    b = adapt(["\n".join(RAW) + "\n"], standards=["ctb"])
    assert a.words == b.words and a.keys.tolist() == b.keys.tolist()


def test_mistakes_are_named():
    with pytest.raises(ValueError, match="no standard 'nope'"):
        adapt(RAW, standards=["nope"])
    with pytest.raises(ValueError, match="min_count"):
        adapt(RAW, min_count=0)
