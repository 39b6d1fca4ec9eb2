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
