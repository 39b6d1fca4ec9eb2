"""Training (qieci.engines.learned.train) and the `qieci train` / `qieci standards` /
`qieci eval` / `qieci cut --engine learned` commands on a tiny corpus."""

from __future__ import annotations

import json

import pytest

from qieci.cli import main
from qieci.engines.learned.train import (
    TrainConfig,
    fold_lexicons,
    parse_corpus_args,
    read_corpus,
    train,
    word_tags,
)

LINES = [
    "我们 在 北京 大学 学习",
    "他 是 北京 人",
    "我们 是 中国 人",
    "中国 人民 很 好",
    "他们 在 大学 学习 中文",
    "我 爱 北京",
]


def test_word_tags():
    assert word_tags(["我", "北京", "天安门"]) == bytes([3, 0, 2, 0, 1, 2])
    assert word_tags([]) == b""


def test_parse_corpus_args():
    got = parse_corpus_args(["ctb=a.txt,b.txt", "pku=c.txt", "ctb=d.txt"])
    assert got == {"ctb": ["a.txt", "b.txt", "d.txt"], "pku": ["c.txt"]}
    for bad in ["a.txt", "=a.txt", "ctb="]:
        with pytest.raises(ValueError, match="STANDARD=FILE"):
            parse_corpus_args([bad])


#: Names a domain cannot hold apart (the longest it holds is 64 characters;
#: "*" is its key for the words of every standard).
BAD_NAMES = ["a" * 65, "*", "p k", "pku\t", "x\x00", "\u3000pku"]
GOOD_NAMES = ["a" * 64, "pku", "人民日报", "ctb-9.0", "as_2"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_standard_name_is_refused_before_any_corpus_is_read(tmp_path, name):
    missing = str(tmp_path / "no-such-corpus.txt")  # read first, it would be named
    with pytest.raises(ValueError, match=r"^bad standard name .*: a standard's name is 1 to 64 "):
        train({"pku": [missing], name: [missing]}, None, TrainConfig(bits=10), log=None)
    if name.strip() != name:  # S=FILE arguments lose the spaces around S
        assert parse_corpus_args([f"{name}={missing}"]) == {name.strip(): [missing]}
        return
    with pytest.raises(ValueError) as err:
        parse_corpus_args([f"{name}={missing}"])
    assert str(err.value).startswith(f"bad standard name {name!r}: ")


def test_the_names_training_takes_are_the_names_a_domain_holds(tmp_path):
    """Every name training takes survives adapt's domain file; the one a
    domain cannot hold (65 characters) is what training refuses too."""
    from qieci.engines.learned import domain

    stats = domain.count(["北京大学北京人北京的"] * 4)
    for name in GOOD_NAMES:
        parse_corpus_args([f"{name}=c.txt"])
        path = tmp_path / "d.qcd"
        domain.with_words(stats, {"*": ["北京"], name: ["大学"]}).save(path)
        assert domain.load(path).words_for(name) == ["北京", "大学"]
    with pytest.raises(ValueError, match="bad standard name"):
        domain.with_words(stats, {"a" * 65: ["大学"]})


@pytest.mark.parametrize("name", ["a" * 70, "*", "p k"])
def test_cli_train_refuses_a_bad_standard_name_in_one_line(tmp_path, capsys, name):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "m.qc"
    assert main(["train", "--corpus", f"{name}={corpus}", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"qieci: error: bad standard name {name!r}: a standard's name is ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_fold_lexicons_hold_out_the_words_of_one_fold_only():
    sents = [["甲", "乙"], ["甲", "丙"], ["乙", "丁"], ["戊"]]
    # folds of 2: sentences 0 and 2 in fold 0 (甲 乙 乙 丁), 1 and 3 in fold 1 (甲 丙 戊)
    words = ["甲", "乙", "丙", "丁", "戊", "己"]
    assert fold_lexicons(words, sents, 2) == [["甲", "丙", "戊", "己"], ["甲", "乙", "丁", "己"]]
    # one sentence per fold: 甲 and 乙 occur in two folds, so fold 0 loses nothing
    assert fold_lexicons(words, sents, 4) == [
        words,
        ["甲", "乙", "丁", "戊", "己"],
        ["甲", "乙", "丙", "戊", "己"],
        ["甲", "乙", "丙", "丁", "己"],
    ]


def test_each_sentence_trains_with_its_folds_lexicon(tmp_path, monkeypatch):
    import qieci.engines.learned.train as train_mod

    seen: list[tuple[int, str, object]] = []
    real = train_mod.Perceptron

    class Spy:
        def __init__(self, *args):
            self._p = real(*args)

        def train(
            self, text, gold, std, std_lexicon=None, shared_step=1, std_step=1, dom=None, parent=0
        ):
            seen.append((std, text, std_lexicon))
            assert parent == 0  # no back-off configured
            return self._p.train(text, gold, std, std_lexicon, shared_step, std_step, dom, parent)

        def __getattr__(self, name):
            return getattr(self._p, name)

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    # standard a, 2 folds: sentences 0 and 2 (甲 乙) in fold 0; 1 and 3 (甲 丙, 甲 丁) in fold 1
    a.write_text("甲 乙\n甲 丙\n甲 乙\n甲 丁\n", encoding="utf-8")
    b.write_text("乙 丙\n丁\n", encoding="utf-8")
    cfg = TrainConfig(
        bits=10, epochs=2, lexicon_folds=2, std_lexicons={"a": ["甲", "乙", "丙", "丁"]}
    )
    monkeypatch.setattr(train_mod, "Perceptron", Spy)
    train({"a": [str(a)], "b": [str(b)]}, None, cfg, log=None)
    assert len(seen) == 2 * 6
    for std, text, lex in seen:
        if std == 2:
            assert lex is None  # standard b has no lexicon of its own
        elif text == "甲乙":
            assert "甲" in lex and "乙" not in lex and "丙" in lex and "丁" in lex
        else:
            assert text in ("甲丙", "甲丁")
            assert "甲" in lex and "乙" in lex and "丙" not in lex and "丁" not in lex


def test_training_words_join_the_standard_lexicon(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们 在 北京\n他 在 北京\n", encoding="utf-8")
    cfg = TrainConfig(
        bits=10, epochs=2, std_lexicons={"a": ["北京大学"]}, training_words_lexicon=True
    )
    model = train({"a": [str(corpus)], "b": [str(corpus)]}, None, cfg, log=None)
    # code point order: 他 U+4ED6 < 北 U+5317 < 在 U+5728 < 我 U+6211
    assert model.std_lexicons == {"a": "他\n北京\n北京大学\n在\n我们", "b": "他\n北京\n在\n我们"}
    assert model.training["std_lexicon_words"] == {"a": 5, "b": 4}
    plain = train(
        {"a": [str(corpus)]},
        None,
        TrainConfig(bits=10, epochs=2, std_lexicons={"a": ["北京大学"]}),
        log=None,
    )
    assert plain.std_lexicons == {"a": "北京大学"}


def test_fold_settings_are_checked(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们 在 北京\n", encoding="utf-8")
    with pytest.raises(ValueError, match="0 \\(none\\) or more"):
        train({"a": [str(corpus)]}, None, TrainConfig(bits=10, lexicon_folds=-3), log=None)
    with pytest.raises(ValueError, match="needs held-out folds"):
        train(
            {"a": [str(corpus)]},
            None,
            TrainConfig(bits=10, lexicon_folds=1, training_words_lexicon=True),
            log=None,
        )
    with pytest.raises(ValueError, match="at least 1"):
        fold_lexicons(["我们"], [["我们"]], 0)


def test_read_corpus_skips_empty_lines(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("我 爱\n\n北京\n", encoding="utf-8")
    assert read_corpus(str(p)) == [["我", "爱"], ["北京"]]
    with pytest.raises(ValueError, match="cannot read"):
        read_corpus(str(tmp_path / "missing.txt"))


def test_cli_train_standards_eval_cut(tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(LINES * 4) + "\n", encoding="utf-8")
    model = tmp_path / "m.qc"
    words = tmp_path / "words.txt"
    words.write_text("北京\n大学\n", encoding="utf-8")
    assert (
        main(
            [
                "train",
                "--corpus",
                f"toy={corpus}",
                "--dev",
                f"toy={corpus}",
                "--epochs",
                "5",
                "--bits",
                "12",
                "--no-jieba-lexicon",
                "--lexicon",
                str(words),
                "--std-lexicon",
                f"toy={words}",
                "-o",
                str(model),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "epoch 1:" in err and "dev F1 toy" in err
    assert model.exists()
    assert main(["standards", "--model", str(model), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    # a model without cnc defaults to its first standard, and says so
    assert listed["standards"] == ["toy"] and listed["default"] == "toy"
    assert main(["standards", "--model", str(model)]) == 0
    assert capsys.readouterr().out.endswith(" training words (default)\n")
    from qieci.engines.learned.model import load

    loaded = load(model)
    assert loaded.lexicon == "北京\n大学" and loaded.std_lexicons == {"toy": "北京\n大学"}
    assert loaded.training["std_lexicon_words"] == {"toy": 2}
    assert loaded.training["lexicon_folds"] == 10  # the default of --lexicon-folds
    # the training data is learned: perfect on it, and every word
    # in-vocabulary (so no OOV recall: a recall over no words)
    assert main(["eval", str(corpus), "--model", str(model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["f1"] == 1.0 and out["iv_recall"] == 1.0 and out["oov_recall"] is None
    raw = tmp_path / "raw.txt"
    raw.write_text("".join(line.replace(" ", "") + "\n" for line in LINES), encoding="utf-8")
    pred = tmp_path / "pred.txt"
    assert (
        main(
            [
                "cut",
                "--engine",
                "learned",
                "--model",
                str(model),
                "-q",
                "-j",
                "1",
                str(raw),
                "-o",
                str(pred),
            ]
        )
        == 0
    )
    assert pred.read_text(encoding="utf-8") == "".join(line + "\n" for line in LINES)
    assert (
        main(
            [
                "cut",
                "--engine",
                "learned",
                "--model",
                str(model),
                "--standard",
                "nope",
                "-q",
                str(raw),
            ]
        )
        == 2
    )
    assert "no standard 'nope'" in capsys.readouterr().err
    assert (
        main(["train", "--corpus", f"toy={tmp_path / 'missing.txt'}", "-o", str(tmp_path / "x.qc")])
        == 2
    )


def test_cli_cut_learned_with_workers(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(LINES * 4) + "\n", encoding="utf-8")
    model = tmp_path / "m.qc"
    assert (
        main(
            [
                "train",
                "--corpus",
                f"toy={corpus}",
                "--epochs",
                "3",
                "--bits",
                "12",
                "--no-jieba-lexicon",
                "-o",
                str(model),
            ]
        )
        == 0
    )
    raw = tmp_path / "raw.txt"
    # more than one block, so that the worker pool is used
    raw.write_text(
        "".join(line.replace(" ", "") + "\n" for line in LINES) * 40000, encoding="utf-8"
    )
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    assert main(["cut", "--model", str(model), "-q", "-j", "1", str(raw), "-o", str(one)]) == 0
    assert main(["cut", "--model", str(model), "-q", "-j", "2", str(raw), "-o", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes()
    # what the workers wrote is what the model gives in this process
    from qieci import Tokenizer

    tok = Tokenizer(model=model)
    expect = [" ".join(tok.lcut(line.replace(" ", ""))) for line in LINES]
    assert one.read_text(encoding="utf-8").splitlines()[:6] == expect


def test_backoff_steps_follow_the_training_size():
    """A standard with fewer training characters than ``backoff_chars``
    updates its own weights by a smaller step; explicit steps win."""
    from qieci.engines.learned.train import TrainConfig

    cfg = TrainConfig(shared_step=4, backoff_chars=1000, std_steps={"x": 3})
    assert cfg.std_step("big", 5000) == 4
    assert cfg.std_step("half", 500) == 2
    assert cfg.std_step("tiny", 10) == 1  # never below 1
    assert cfg.std_step("x", 10) == 3
    assert TrainConfig(shared_step=2).std_step("any", 1) == 2  # no back-off: same step
    with pytest.raises(ValueError, match="update steps"):
        TrainConfig(shared_step=0)


def test_a_byte_order_mark_is_no_part_of_the_first_word(tmp_path):
    """As qieci eval and qieci cut read it (a corpus saved by Notepad)."""
    from qieci.engines.learned.train import read_corpus

    corpus = tmp_path / "bom.txt"
    corpus.write_bytes("\ufeff我 来到 北京\n他 来到\n".encode())
    assert read_corpus(str(corpus)) == [["我", "来到", "北京"], ["他", "来到"]]


def test_train_refuses_a_file_twice_for_a_standard_and_warns_of_dev_in_training(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(LINES * 4) + "\n", encoding="utf-8")
    out = tmp_path / "m.qc"
    base = ["train", "--epochs", "1", "--bits", "10", "-o", str(out)]
    for corpora in (
        ["--corpus", f"toy={corpus},{corpus}"],
        ["--corpus", f"toy={corpus}", "--corpus", f"toy={tmp_path}/../{tmp_path.name}/c.txt"],
    ):
        assert main([*base, *corpora]) == 2
        err = capsys.readouterr().err
        assert "is given twice for standard 'toy'" in err and "Traceback" not in err
    assert not out.exists()
    assert main([*base, "--corpus", f"toy={corpus}", "--dev", f"toy={corpus}"]) == 0
    assert "is both a training and a dev file of 'toy'" in capsys.readouterr().err
    # a file may serve two standards
    assert main([*base, "--corpus", f"a={corpus}", "--corpus", f"b={corpus}"]) == 0
    capsys.readouterr()


def test_train_names_a_bad_domain_rate_and_lexicon_min_count(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(LINES * 4) + "\n", encoding="utf-8")
    base = ["train", "--corpus", f"toy={corpus}", "--epochs", "1", "-o", str(tmp_path / "m.qc")]
    for extra, needle in (
        (["--domain-rate", "2"], "the domain rate must be in 0..1, got 2.0"),
        (["--domain-rate", "nan"], "the domain rate must be in 0..1, got nan"),
        (["--lexicon-min-count", "-1"], "lexicon min count must be 0 (off) or more, got -1"),
    ):
        assert main([*base, *extra]) == 2
        assert needle in capsys.readouterr().err
