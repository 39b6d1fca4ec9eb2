"""Tokenizers pickle through their recipe: nothing of the dictionary or the
model travels, and the copy segments as the original does."""

from __future__ import annotations

import pickle

import pytest

import qieci

TEXT = "他来到了网易杭研大厦，新的Color OS系统在北京大学发布"


def jieba_with_user_words() -> qieci.Tokenizer:
    tok = qieci.Tokenizer()
    tok.add_word("杭研大厦", 5000, "nt")
    tok.add_word("Color OS", 10, "nz")
    tok.del_word("北京大学")
    return tok


@pytest.mark.parametrize(
    "make",
    [
        lambda: qieci.Tokenizer(),
        jieba_with_user_words,
        lambda: qieci.Tokenizer(engine="learned", standard="pku"),
        lambda: qieci.Tokenizer(engine="chars"),
    ],
    ids=["jieba", "jieba+user words", "learned", "chars"],
)
def test_a_tokenizer_and_its_methods_round_trip(make):
    tok = make()
    want = tok.lcut(TEXT)
    data = pickle.dumps(tok)
    assert len(data) < 2000  # the recipe, not the data
    again = pickle.loads(data)
    assert again is not tok and again.lcut(TEXT) == want
    assert again.user_word_tag_tab == tok.user_word_tag_tab
    for name in ("lcut", "lcut_for_search", "cut_for_search"):
        fn = pickle.loads(pickle.dumps(getattr(tok, name)))
        assert list(fn(TEXT)) == list(getattr(tok, name)(TEXT))


def test_an_unloaded_learned_tokenizer_pickles_without_loading():
    tok = qieci.Tokenizer(engine="learned")
    pickle.dumps(tok)
    assert tok.engine._loaded is None


def test_the_user_words_survive(tmp_path):
    tok = jieba_with_user_words()
    again = pickle.loads(pickle.dumps(tok))
    words = again.lcut(TEXT)
    assert "杭研大厦" in words and "Color OS" in words and "北京大学" not in words
    assert again.get_FREQ("杭研大厦") == 5000


def test_the_default_tokenizer_unpickles_as_the_receivers_own():
    assert pickle.loads(pickle.dumps(qieci.dt)) is qieci.dt
    fn = pickle.loads(pickle.dumps(qieci.lcut))
    assert fn.__self__ is qieci.dt and fn(TEXT) == qieci.lcut(TEXT)


UNPICKLE = """
import pickle, sys
import qieci
if len(sys.argv) > 1:  # the receiver's default has words of its own
    qieci.add_word(sys.argv[1], 5)
fn = pickle.loads(sys.stdin.buffer.read())
print(" ".join(fn("石墨烯电池和杭研大厦")), fn.__self__ is qieci.dt, " ".join(qieci.lcut("石墨烯电池")))
"""


def test_the_default_tokenizers_user_words_travel_with_it():
    """A pickled qieci.lcut cuts in another process as in the sender: its
    user words go into a fresh receiver's default; a receiver whose default
    has words of its own gets a tokenizer of the sender's words instead,
    and its default is left alone."""
    import subprocess
    import sys

    script = (
        "import pickle, sys, qieci\n"
        "qieci.add_word('石墨烯电池')\n"
        "qieci.add_word('杭研大厦', 5000, 'nt')\n"
        "sys.stdout.buffer.write(pickle.dumps(qieci.lcut))\n"
    )
    blob = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, timeout=120
    ).stdout

    def receive(*args: str) -> str:
        res = subprocess.run(
            [sys.executable, "-c", UNPICKLE, *args],
            input=blob,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return res.stdout.decode().strip()

    # without the user words, jieba's dictionary cuts 石墨 烯 电池 and 杭研 大厦
    assert receive() == "石墨烯电池 和 杭研大厦 True 石墨烯电池"
    assert receive("石墨") == "石墨烯电池 和 杭研大厦 False 石墨 烯 电池"


def test_in_a_process_pool_and_scikit_learn_style_parallelism():
    from concurrent.futures import ProcessPoolExecutor

    tok = jieba_with_user_words()
    texts = [TEXT, "我来到北京清华大学"] * 4
    with ProcessPoolExecutor(2) as pool:
        got = list(pool.map(tok.lcut, texts))
        got_default = list(pool.map(qieci.lcut, texts))
    assert got == [tok.lcut(t) for t in texts]
    assert got_default == [qieci.lcut(t) for t in texts]


def test_scikit_learn_cross_validation_with_two_jobs():
    """TfidfVectorizer(tokenizer=...) pickles into joblib's loky workers."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    sports = ["中国队在世界杯比赛中获胜", "球员在足球比赛中进球", "篮球比赛今晚在北京举行"]
    money = ["股市今天大幅上涨", "银行提高了贷款利率", "投资者关注股票市场"]
    texts = (sports + money) * 4
    labels = [0, 0, 0, 1, 1, 1] * 4
    for tokenizer in (qieci.lcut, jieba_with_user_words().lcut):
        model = make_pipeline(
            TfidfVectorizer(tokenizer=tokenizer, token_pattern=None, lowercase=False),
            LogisticRegression(),
        )
        scores = cross_val_score(model, texts, labels, cv=3, n_jobs=2)
        assert len(scores) == 3 and min(scores) == 1.0


def test_joblib_loky_workers():
    from joblib import Parallel, delayed

    tok = jieba_with_user_words()
    got = Parallel(n_jobs=2, backend="loky")(delayed(tok.lcut)(t) for t in [TEXT] * 4)
    assert got == [tok.lcut(TEXT)] * 4
