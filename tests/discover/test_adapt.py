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


def test_one_standard_may_be_a_string():
    one = adapt(RAW, standards="pku")
    assert set(one.words) == {"*", "pku"}
    assert one.words == adapt(RAW, standards=["pku"]).words


def test_one_text_or_path_where_many_are_expected_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"^texts must be an iterable of texts, not one str"):
        adapt("".join(RAW), standards=["pku"])
    with pytest.raises(TypeError, match=r"^files must be a list of paths, not one str"):
        adapt(files=str(tmp_path / "raw.txt"))


@pytest.mark.parametrize("texts", [[], [""], ["", ""], iter([""])])
def test_texts_of_no_text_are_refused_as_the_cli_refuses_an_empty_file(texts):
    with pytest.raises(ValueError, match=r"^the input has no text: nothing to adapt to$"):
        adapt(texts)
    assert adapt(["\n"]).chars == 1  # an empty line is text, as in a file


def test_empty_files_are_their_callers_decision(tmp_path):
    """Files of no text give a domain of no words (qieci adapt refuses it;
    qieci cut --adapt-self cuts the file without a domain)."""
    import subprocess
    import sys

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    domain = adapt(files=[empty])
    assert domain.chars == 0 and all(not words for words in domain.words.values())
    qieci = [sys.executable, "-m", "qieci"]
    res = subprocess.run(
        [*qieci, "adapt", str(empty), "-o", str(tmp_path / "d.qcd")], capture_output=True, text=True
    )
    assert res.returncode == 2 and "nothing to adapt to" in res.stderr, res.stderr
    res = subprocess.run(
        [*qieci, "cut", "--adapt-self", str(empty)], capture_output=True, text=True
    )
    assert (res.returncode, res.stdout) == (0, ""), res.stderr
