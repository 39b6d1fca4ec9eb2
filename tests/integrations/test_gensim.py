"""The README's gensim recipe: word2vec over ``qieci cut`` output."""

from __future__ import annotations

import subprocess
import sys

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

import qieci

LINES = ["我来到北京清华大学", "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所"] * 50


def test_word2vec_over_the_corpus_format(tmp_path):
    src, seg = tmp_path / "corpus.txt", tmp_path / "corpus.seg.txt"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "qieci", "cut", str(src), "-o", str(seg)],
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    model = Word2Vec(LineSentence(str(seg)), vector_size=16, min_count=5, workers=1, seed=1)
    words = {w for line in LINES for w in qieci.lcut(line)}
    assert set(model.wv.index_to_key) == words
    assert model.wv["北京"].shape == (16,)
