"""The engine contract: the registry, the protocol every engine implements,
and the one error for what an engine does not offer."""

from __future__ import annotations

import gc
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
        qieci.Tokenizer(engine="jieba", standard="pku")
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


@pytest.mark.parametrize("name", sorted(ENGINES))
@pytest.mark.parametrize("mode", ["all", "search"])
def test_every_engine_gives_true_offsets_in_its_other_modes(name, mode):
    engine = make_engine(name)
    if mode not in engine.modes:
        pytest.skip(f"{name} has no {mode} mode")
    for text in ["北京北京", "我来到北京清华大学，北京大学北京大学", "aaa aaa"]:
        spans = engine.tokenize(text, mode, True)
        assert all(text[s:e] == w for w, s, e in spans), (name, mode, spans)
        assert [w for w, _, _ in spans] == engine.lcut(text, mode, True)


def test_modes_an_engine_lacks_are_one_error_from_every_entry_point():
    from plugin_engine import RunsEngine

    class DefaultOnly(RunsEngine):
        modes = frozenset({"default"})

    tok = qieci.Tokenizer(engine=DefaultOnly())
    assert tok.lcut("北京") == ["北京"]
    for call in (
        lambda: tok.lcut("北京", cut_all=True),
        lambda: tok.lcut_for_search("北京"),
        lambda: list(tok.tokenize("北京", mode="search")),
        lambda: tok.cut_lines("北京\n", mode="all"),
        lambda: tok.cutter("search"),
    ):
        with pytest.raises(Unsupported, match="not offered by .* engine"):
            call()
    with pytest.raises(ValueError, match="unknown mode 'bogus'"):
        qieci.Tokenizer().cut_lines("北京\n", mode="bogus")


def test_cut_functions_take_bytes_as_lcut_does():
    tok = qieci.Tokenizer()
    raw = "我来到北京清华大学".encode()
    words = ["我", "来到", "北京", "清华大学"]
    assert tok.cutter()(raw) == tok.lcut(raw) == words
    assert list(tok.cut_many([raw])) == [words]
    assert tok.cutter("pos")(raw) == ["我/r", "来到/v", "北京/ns", "清华大学/nt"]


def test_engine_objects_are_checked_and_owned_by_one_tokenizer():
    from plugin_engine import RunsEngine

    with pytest.raises(ValueError, match="is not a qieci engine"):
        qieci.Tokenizer(engine=object())
    with pytest.raises(ValueError, match="is not a qieci engine"):
        qieci.Tokenizer(engine="collections:OrderedDict")
    with pytest.raises(ValueError, match="cannot be built"):
        qieci.Tokenizer(engine="os:path")
    engine = RunsEngine()
    first = qieci.Tokenizer(engine=engine)
    with pytest.raises(ValueError, match="already belongs to another Tokenizer"):
        qieci.Tokenizer(engine=engine)
    # the claim is a weak reference: once its tokenizer is gone, the engine
    # may serve a new one
    del first
    gc.collect()
    again = qieci.Tokenizer(engine=engine)
    assert again.lcut("北京abc 12") == qieci.Tokenizer(engine=RunsEngine()).lcut("北京abc 12")


def test_a_dropped_tokenizer_frees_its_engine_without_an_explicit_collect():
    from qieci.engines.jieba.engine import JiebaEngine

    engine = JiebaEngine()
    first = qieci.Tokenizer(engine=engine)
    assert first.FREQ["北京"] > 0
    # the POS tagger cached on the tokenizer (as qieci.posseg's and
    # qieci.analyse's defaults cache theirs) refers back to it: a cycle
    from qieci.posseg import POSTokenizer

    tagger = POSTokenizer.of(first)
    assert first._pos_tokenizer is tagger and tagger.tokenizer is first
    assert [p.flag for p in tagger.lcut("我来到北京")] == ["r", "v", "ns"]
    del tagger
    gc.disable()
    try:
        del first
        again = qieci.Tokenizer(engine=engine)
    finally:
        gc.enable()
    assert again.lcut("我来到北京") == ["我", "来到", "北京"]
    # a tokenizer with no cycle is freed by its last reference alone
    other = JiebaEngine()
    t = qieci.Tokenizer(engine=other)
    assert t.FREQ.get("北京") == t.get_FREQ("北京")
    gc.disable()
    try:
        del t
        assert other.__dict__["_qieci_owner"]() is None
    finally:
        gc.enable()


def test_a_word_that_fails_to_go_in_leaves_no_tag(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("北京 x\n", encoding="utf-8")
    tok = qieci.Tokenizer(str(bad))
    with pytest.raises(ValueError, match="bad.txt:1"):
        tok.add_word("云计算", 5, "n")
    assert tok.user_word_tag_tab == {}
    from plugin_engine import RunsEngine

    plug = qieci.Tokenizer(engine=RunsEngine())
    plug.user_word_tag_tab["猫"] = "n"
    with pytest.raises(ValueError, match="no user words"):
        plug.add_word("猫", 1, "v")
    assert plug.user_word_tag_tab == {"猫": "n"}


def test_an_engine_of_ones_own_on_the_command_line(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = tmp_path / "in.txt"
    src.write_text("我有3只猫and 2 dogs。\n" * 30000, encoding="utf-8")  # several blocks
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "qieci",
            "cut",
            "--engine",
            "plugin_engine:RunsEngine",
            "-j",
            "2",
            "-d",
            "|",
            "-q",
            str(src),
        ],
        capture_output=True,
        timeout=120,
        env=env,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == "我有|3|只猫|and| |2| |dogs|。\n" * 30000


def test_an_engine_of_ones_own_whose_spec_has_an_undeclared_option_is_told_how():
    """An engine's spec() option that its class does not declare in
    ``options`` fails when the spec is rebuilt (pickling, workers): the
    message says to declare it."""
    from qieci.engines.base import create_engine

    with pytest.raises(
        ValueError,
        match=r"takes no width= option \(an engine's spec\(\) options must be named in its "
        r"class's options: declare options = \('width',\) in plugin_engine:RunsEngine\)",
    ):
        create_engine("plugin_engine:RunsEngine", {"width": 2}, {})
