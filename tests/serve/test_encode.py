"""The fast JSON arrays of words (:mod:`qieci.serve.encode`, and the path
of ``/v1/cut`` through ``cut_lines``) equal ``json.dumps`` of the words,
on hypothesis-generated text, for both engines and every mode."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qieci
from qieci.serve import encode, work
from qieci.serve.requests import CutRequest
from strategies import any_text, mixed_text

TOKENIZERS = {
    "jieba": qieci.Tokenizer(),
    "learned": qieci.Tokenizer(engine="learned", standard="pku"),
}
text = st.one_of(any_text, mixed_text, st.text(alphabet='北京 \ue000\n\r"\\\t大学', max_size=30))


def reference(tok: qieci.Tokenizer, mode: str, s: str) -> list[str]:
    if mode == "search":
        return tok.lcut_for_search(s)
    return tok.lcut(s, cut_all=mode == "all")


@pytest.mark.parametrize("engine", TOKENIZERS)
@pytest.mark.parametrize("mode", ["default", "search", "all"])
@given(s=text)
def test_array_equals_json_dumps_of_the_words(engine, mode, s):
    tok = TOKENIZERS[engine]
    req = CutRequest([s], False, None, None, mode, True, False, False)
    words = reference(tok, mode, s)
    assert json.loads(work._array(tok, req, s)) == words
    assert work._array(tok, req, s) == encode.reference_array(words)


@given(words=st.lists(st.text(min_size=1, max_size=5)))
def test_words_array_equals_the_reference(words):
    assert encode.words_array(words) == encode.reference_array(words)


# what validation lets through: valid Unicode (no lone surrogates)
valid_text = text.filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))


@pytest.mark.parametrize("engine", TOKENIZERS)
@given(texts=st.lists(valid_text, max_size=6))
def test_batch_equals_json_dumps_of_the_words(engine, texts):
    tok = TOKENIZERS[engine]
    req = CutRequest(texts, True, None, None, "default", True, False, False)
    words = [tok.lcut(s) for s in texts]
    assert json.loads(work.cut(catalog(tok), req)) == {
        "results": [{"words": w} for w in words],
        "setting": "x",
    }


@given(lines=st.lists(st.text(alphabet='ab \ue000\ue001"\\\n', max_size=8), max_size=5))
def test_results_array_equals_the_reference(lines):
    words = [line.split(encode.JOINER) if line else [] for line in lines]
    assert encode.results_array(lines) == encode.reference_results(words)


class catalog:
    """A catalog of one tokenizer, for work.cut."""

    def __init__(self, tok):
        self.tok = tok

    def resolve(self, engine, standard, blocking=True):
        from qieci.serve.catalog import Setting

        return Setting("x")

    def tokenizer(self, setting, blocking=True):
        return self.tok
