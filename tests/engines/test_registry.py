"""The engine contract: the registry, the protocol every engine implements,
and the one error for what an engine does not offer."""

from __future__ import annotations

import pickle

import pytest

import qieci
from qieci.engines import ENGINES, Engine, EngineSpec, Unsupported, build, make_engine


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_registered_engine_implements_the_protocol(name):
    engine = make_engine(name)
    assert isinstance(engine, Engine)
    assert engine.name == name
    assert engine.modes <= {"default", "all", "search"} and "default" in engine.modes
    text = "我来到北京清华大学, and it's 2026!\r\n"
    engine.load()
    spans = engine.tokenize(text, "default", True)
    # default mode tiles the text with its spans, in order, and lcut agrees
    assert "".join(w for w, _, _ in spans) == text
    assert all(text[s:e] == w for w, s, e in spans)
    assert [s for _, s, _ in spans[1:]] == [e for _, _, e in spans[:-1]]
    assert engine.lcut(text, "default", True) == [w for w, _, _ in spans]
    # the spec is small, picklable, and rebuilds an engine that cuts alike
    spec = pickle.loads(pickle.dumps(engine.spec()))
    assert isinstance(spec, EngineSpec) and spec.name == name
    assert build(spec).lcut(text, "default", True) == engine.lcut(text, "default", True)


def test_unknown_engines_and_options_are_clear_errors():
    with pytest.raises(ValueError, match="unknown engine 'nope'.*'jieba'"):
        qieci.Tokenizer(engine="nope")
    with pytest.raises(ValueError, match="engine 'chars' takes no dictionary="):
        qieci.Tokenizer("dict.txt", engine="chars")
    with pytest.raises(ValueError, match="standard= needs engine='learned'"):
        qieci.Tokenizer(standard="pku")
    with pytest.raises(ValueError, match="cannot import"):
        qieci.Tokenizer(engine="no_such_module:Engine")


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.get_FREQ("北京"),
        lambda t: t.total,
        lambda t: t.FREQ["北京"],
        lambda t: t.set_dictionary(__file__),
        lambda t: list(t.tokenize("北京", pos=True)),
        lambda t: t.cutter("pos"),
        lambda t: t.standards(),
    ],
)
def test_what_an_engine_lacks_is_one_error_naming_who_offers_it(call):
    tok = qieci.Tokenizer(engine="chars")
    with pytest.raises(Unsupported, match=r"needs the (jieba|learned) engine .*engine is 'chars'"):
        call(tok)


def test_an_engine_from_outside_the_package_by_object_and_by_path():
    from plugin_engine import RunsEngine

    text = "我有3只猫and 2 dogs。"
    want = ["我有", "3", "只猫", "and", " ", "2", " ", "dogs", "。"]
    by_object = qieci.Tokenizer(engine=RunsEngine())
    by_path = qieci.Tokenizer(engine="plugin_engine:RunsEngine")
    assert by_object.lcut(text) == by_path.lcut(text) == want
    assert [w for w, _, _ in by_object.tokenize(text)] == want
    # its spec names it by path, so worker processes can rebuild it
    rebuilt = pickle.loads(pickle.dumps(by_path.spec())).build()
    assert rebuilt.lcut(text) == want
    assert list(by_path.cut_many([text, "北京"], jobs=2)) == [want, ["北京"]]
    with pytest.raises(ValueError, match="no user words"):
        by_object.add_word("猫and")
    with pytest.raises(ValueError, match="go to the engine's constructor"):
        qieci.Tokenizer("dict.txt", engine=RunsEngine())
