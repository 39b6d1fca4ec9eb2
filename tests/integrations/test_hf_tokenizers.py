"""qieci as a Hugging Face ``tokenizers`` pre-tokenizer."""

from __future__ import annotations

from tokenizers import Tokenizer as HFTokenizer
from tokenizers import models

import qieci
from qieci.integrations.hf import pre_tokenizer

TEXT = "我来到北京清华大学，他来到了网易杭研大厦"


def test_pre_tokenized_pieces_are_qieci_words_with_offsets():
    pre = pre_tokenizer()
    assert pre.pre_tokenize_str(TEXT) == [(w, (s, e)) for w, s, e in qieci.tokenize(TEXT)]


def test_a_word_level_model_over_qieci_words():
    tok = qieci.Tokenizer()
    tok.add_word("杭研大厦")
    vocab = {"[UNK]": 0}
    for w in tok.lcut(TEXT):
        vocab.setdefault(w, len(vocab))
    hf = HFTokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    hf.pre_tokenizer = pre_tokenizer(tok)
    enc = hf.encode(TEXT)
    assert enc.tokens == tok.lcut(TEXT) and "[UNK]" not in enc.tokens
    assert [TEXT[s:e] for s, e in enc.offsets] == enc.tokens


def test_whitespace_is_dropped_unless_kept():
    text = "我 来到  北京\t清华大学 "
    words = list(qieci.tokenize(text))
    assert any(w.isspace() for w, _, _ in words)  # the engine keeps them
    dropped = pre_tokenizer().pre_tokenize_str(text)
    assert dropped == [(w, (s, e)) for w, s, e in words if not w.isspace()]
    assert [p for p, _ in dropped] == ["我", "来到", "北京", "清华大学"]
    kept = pre_tokenizer(keep_whitespace=True).pre_tokenize_str(text)
    assert kept == [(w, (s, e)) for w, s, e in words]
