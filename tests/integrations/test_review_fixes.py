"""The integrations' fixes of a user review: the spaCy factory's engine
default, relative paths in a saved spaCy pipeline, the HF pre-tokenizer's
argument check and its whitespace as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from thinc.api import Config

import qieci
from qieci.engines.learned.train import TrainConfig, train
from qieci.integrations import hf
from qieci.integrations.hf import QieciSplit, pre_tokenizer
from qieci.integrations.spacy import SpacyTokenizer

TEXT = "他来到了网易杭研大厦，新的Color OS系统发布了"
#: the gold words of the tiny model's corpus (one standard, "a")
GOLD = ["我 来到 北京", "他 来到 了 网易", "小明 硕士 毕业"]
FACTORY = "qieci.Tokenizer.v1"


def _blank(**options: str) -> spacy.language.Language:
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": FACTORY, **options}}})


def _qieci(nlp: spacy.language.Language) -> qieci.Tokenizer:
    """The qieci.Tokenizer behind ``nlp``'s tokenizer."""
    assert isinstance(nlp.tokenizer, SpacyTokenizer)
    return nlp.tokenizer.qieci


def _tokenizer_section(pipeline: Path) -> dict[str, object]:
    section = Config().from_disk(pipeline / "config.cfg")["nlp"]["tokenizer"]
    assert isinstance(section, dict)
    return section


# -- 1. a standard or model without an engine means the learned engine --------


def test_a_standard_without_engine_is_the_learned_engine_and_round_trips(tmp_path):
    nlp = _blank(standard="pku")
    spec = _qieci(nlp).spec()
    assert spec.engine.name == "learned"
    assert dict(spec.engine.options) == {"standard": "pku"}
    words = qieci.Tokenizer(engine="learned", standard="pku").lcut(TEXT)
    assert [t.text for t in nlp(TEXT)] == [w for w in words if not w.isspace()]
    nlp.to_disk(tmp_path / "pipeline")
    section = _tokenizer_section(tmp_path / "pipeline")
    assert section["engine"] is None and section["standard"] == "pku"
    again = spacy.load(tmp_path / "pipeline")
    assert _qieci(again).spec() == spec
    assert [t.text for t in again(TEXT)] == [t.text for t in nlp(TEXT)]
    # the saved config alone (no recipe) builds the same tokenizer
    assert _qieci(spacy.blank("zh", config=again.config)).spec() == spec
    # and with no option at all, still the jieba engine
    assert _qieci(_blank()).spec().engine.name == "jieba"


def test_a_model_without_engine_is_the_learned_engine(tiny_model):
    nlp = _blank(model=str(tiny_model))
    assert _qieci(nlp).spec().engine.name == "learned"
    for line in GOLD:
        assert [t.text for t in nlp(line.replace(" ", ""))] == line.split()


# -- 2. a relative path in a saved pipeline ------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    corpus = d / "tiny.txt"
    corpus.write_text("\n".join(GOLD) + "\n", encoding="utf-8")
    model = train({"a": [str(corpus)]}, {}, TrainConfig(bits=12, seed=1), log=None)
    path = d / "tiny.qc"
    model.save(path)
    return path


def test_a_relative_model_path_loads_from_another_directory(tiny_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tiny_model.parent)
    nlp = _blank(engine="learned", model="tiny.qc")
    _qieci(nlp).add_word("北京大学")
    want = [[t.text for t in nlp(line.replace(" ", ""))] for line in GOLD]
    assert want == [line.split() for line in GOLD]
    nlp.to_disk(tmp_path / "pipeline")
    # the config names the model where it is, not relative to the directory
    assert _tokenizer_section(tmp_path / "pipeline")["model"] == str(tiny_model)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert not (elsewhere / "tiny.qc").exists()
    again = spacy.load(tmp_path / "pipeline")
    assert [[t.text for t in again(line.replace(" ", ""))] for line in GOLD] == want
    assert _qieci(again).spec() == _qieci(nlp).spec()
    assert "北京大学" in [t.text for t in again("我来到北京大学")]
    assert tiny_model.is_file()  # the model stays where it was
    # an absolute path is saved as given
    monkeypatch.chdir(tmp_path)
    _blank(model=str(tiny_model)).to_disk(tmp_path / "absolute")
    assert _tokenizer_section(tmp_path / "absolute")["model"] == str(tiny_model)


def test_a_relative_dictionary_path_loads_from_another_directory(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dict.txt").write_text("杭研大厦 5000 nt\n来到 100 v\n网易 100 nz\n", "utf-8")
    monkeypatch.chdir(home)
    nlp = _blank(dictionary="dict.txt")
    want = [t.text for t in nlp(TEXT)]
    assert "杭研大厦" in want  # a word only this dictionary has
    nlp.to_bytes()  # to_bytes pins the path too, before the config is written
    assert nlp.config["nlp"]["tokenizer"]["dictionary"] == str(home / "dict.txt")
    nlp.to_disk(tmp_path / "pipeline")
    monkeypatch.chdir(tmp_path)
    assert not Path("dict.txt").exists()
    again = spacy.load(tmp_path / "pipeline")
    assert [t.text for t in again(TEXT)] == want


# -- 3. the HF pre-tokenizer takes a qieci.Tokenizer ---------------------------


@pytest.mark.parametrize("bad", ["pku", 123, b"pku"], ids=["str", "int", "bytes"])
def test_pre_tokenizer_refuses_what_is_not_a_tokenizer_at_the_call(bad):
    with pytest.raises(TypeError, match=r"^pre_tokenizer\(\) takes a qieci\.Tokenizer") as err:
        pre_tokenizer(bad)
    assert type(bad).__name__ in str(err.value)
    with pytest.raises(TypeError, match=r"^QieciSplit\(\) takes a qieci\.Tokenizer"):
        QieciSplit(bad)
    # None (qieci.dt) and a qieci.Tokenizer are taken
    text = "我来到北京清华大学"
    assert pre_tokenizer(None).pre_tokenize_str(text) == [
        (w, (s, e)) for w, s, e in qieci.tokenize(text)
    ]
    pku = qieci.Tokenizer(standard="pku")
    assert pre_tokenizer(pku).pre_tokenize_str(text) == [
        (w, (s, e)) for w, s, e in pku.tokenize(text)
    ]


def test_a_standard_name_is_told_what_to_pass():
    with pytest.raises(TypeError, match=r"pass qieci\.Tokenizer\(standard='pku'\)"):
        pre_tokenizer("pku")  # type: ignore[arg-type]
    with pytest.raises(TypeError) as err:
        pre_tokenizer(123)  # type: ignore[arg-type]
    assert "standard=" not in str(err.value)


# -- 4. keep_whitespace as documented ------------------------------------------


def test_keep_whitespace_is_one_piece_per_whitespace_character_as_documented():
    doc = " ".join((hf.__doc__ or "").split())
    assert "keeps each run" not in doc
    assert "two spaces are two one-space pieces" in doc
    for tok in (qieci.Tokenizer(), qieci.Tokenizer(standard="pku")):
        pieces = pre_tokenizer(tok, keep_whitespace=True).pre_tokenize_str("我 来到  北京")
        assert [p for p, (s, e) in pieces if p.isspace()] == [" ", " ", " "]
        assert [(s, e) for p, (s, e) in pieces if p.isspace()] == [(1, 2), (4, 5), (5, 6)]
    # the documented exception: jieba's engine keeps "\r\n" whole
    assert ("\r\n", (2, 4)) in pre_tokenizer(keep_whitespace=True).pre_tokenize_str("北京\r\n他")
