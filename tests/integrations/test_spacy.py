"""qieci as the tokenizer of a real spaCy pipeline, from a config."""

from __future__ import annotations

import pytest
import spacy

import qieci

CONFIG = {"nlp": {"tokenizer": {"@tokenizers": "qieci.Tokenizer.v1", "engine": "jieba"}}}
TEXT = "他来到了网易杭研大厦，新的Color OS系统发布了"


def test_the_registered_tokenizer_cuts_as_qieci():
    nlp = spacy.blank("zh", config=CONFIG)
    doc = nlp(TEXT)
    words = qieci.lcut(TEXT)
    assert " " in words  # the engine's word for the space in "Color OS"
    # spaCy's convention: one space after a word is its whitespace_
    assert [t.text for t in doc] == [w for w in words if w != " "]
    assert doc[[t.text for t in doc].index("Color")].whitespace_ == " "
    assert doc.text == TEXT


def test_whitespace_follows_spacy_convention():
    """One space after a word is that token's whitespace_; other whitespace
    (a second space, a tab, a line break, leading space) is a token."""
    nlp = spacy.blank("zh", config=CONFIG)
    text = " 我 来到  北京\t清华大学\n"
    doc = nlp(text)
    assert [(t.text, t.whitespace_) for t in doc] == [
        (" ", ""),
        ("我", " "),
        ("来到", " "),
        (" ", ""),
        ("北京", ""),
        ("\t", ""),
        ("清华大学", ""),
        ("\n", ""),
    ]
    assert doc.text == text


def test_user_words_survive_to_disk_and_spacy_load(tmp_path):
    nlp = spacy.blank("zh", config=CONFIG)
    nlp.tokenizer.qieci.add_word("杭研大厦", 5000, "nt")
    nlp.tokenizer.qieci.add_word("Color OS")
    want = [t.text for t in nlp(TEXT)]
    assert "杭研大厦" in want and "Color OS" in want
    nlp.to_disk(tmp_path / "pipeline")
    assert "qieci.Tokenizer.v1" in (tmp_path / "pipeline" / "config.cfg").read_text("utf-8")
    again = spacy.load(tmp_path / "pipeline")
    assert [t.text for t in again(TEXT)] == want
    assert again.tokenizer.qieci.user_word_tag_tab["杭研大厦"] == "nt"


def test_the_learned_engine_from_a_config():
    config = {
        "nlp": {
            "tokenizer": {
                "@tokenizers": "qieci.Tokenizer.v1",
                "engine": "learned",
                "standard": "pku",
            }
        }
    }
    nlp = spacy.blank("zh", config=config)
    words = qieci.Tokenizer(standard="pku").lcut(TEXT)
    assert [t.text for t in nlp(TEXT)] == [w for w in words if not w.isspace()]


def test_a_domain_travels_as_a_file_path(tmp_path):
    """A recipe is JSON: a domain file's path survives to_disk/spacy.load;
    an in-memory domain is refused with what to do, not a TypeError."""
    from qieci.engines.learned.domain import count, with_words

    raw = ["韩立走进七玄门的大门。", "七玄门的弟子都认识韩立。"]
    domain = with_words(count(raw * 3), {"*": ["七玄门", "韩立"]})
    nlp = spacy.blank("zh", config=CONFIG)
    nlp.tokenizer.qieci = qieci.Tokenizer(standard="pku", domain=domain)
    with pytest.raises(ValueError, match=r"domain\.save\(PATH\)"):
        nlp.tokenizer.to_bytes()
    domain.save(tmp_path / "d.qcd")
    nlp.tokenizer.qieci = qieci.Tokenizer(standard="pku", domain=tmp_path / "d.qcd")
    want = [t.text for t in nlp(raw[0])]
    assert "七玄门" in want
    nlp.to_disk(tmp_path / "pipeline")
    assert [t.text for t in spacy.load(tmp_path / "pipeline")(raw[0])] == want


def test_a_damaged_recipe_is_a_valueerror_naming_its_file(tmp_path):
    """spacy.load of a pipeline whose qieci recipe is damaged (JSON nested
    past the parser's depth, not JSON, a recipe of the wrong shape): one
    ValueError that names the recipe file, never a RecursionError."""
    nlp = spacy.blank("zh", config=CONFIG)
    nlp.to_disk(tmp_path / "pipeline")
    recipe = tmp_path / "pipeline" / "tokenizer" / "qieci.json"
    assert recipe.is_file()
    for data, why in [
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        (b'{"engine": "jieba"', "Expecting ',' delimiter"),
        (b"\xff", "can't decode byte 0xff"),
        (b'{"engine": "jieba", "options": [], "user_words": [], "user_tags": {}}', "items"),
    ]:
        recipe.write_bytes(data)
        with pytest.raises(ValueError) as err:
            spacy.load(tmp_path / "pipeline")
        assert str(err.value).startswith(f"{recipe}: corrupt qieci tokenizer recipe ("), err.value
        assert why in str(err.value)
    with pytest.raises(ValueError, match=r"^<bytes>: corrupt qieci tokenizer recipe \(JSON nested"):
        nlp.tokenizer.from_bytes(b'{"a": ' + b"[" * 100_000)
