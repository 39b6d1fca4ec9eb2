"""qieci.discover.discover: planted new words are found, known words are
not, the output is a user dictionary both engines load, workers give the
same answer."""

from __future__ import annotations

import io
import random

import pytest

import qieci
from qieci.discover import DiscoverOptions, NewWord, discover, write_words
from qieci.discover.candidates import NOT_FIRST, NOT_LAST, Lexicon
from qieci.discover.reference import is_han

PLANTED = ["氪晶石", "琪瑶", "沐川镇"]
FRAMES = [
    "他在{}附近停了下来。",
    "大家都说{}是最好的。",
    "我们明天去{}看看吧！",
    "关于{}的消息传遍了全城，",
    "{}，这个名字谁都知道。",
    "只有{}才能解决这个问题。",
    "昨天晚上{}又出现了",
]


@pytest.fixture(scope="module")
def corpus(test_corpus_lines) -> list[str]:
    rng = random.Random(3)
    lines = list(test_corpus_lines[::10][:3000])
    for w in PLANTED:
        for _ in range(12):
            lines.insert(rng.randrange(len(lines)), rng.choice(FRAMES).format(w))
    return lines


@pytest.fixture(scope="module")
def found(corpus) -> list[NewWord]:
    return discover(corpus, min_score=0.0)


def test_planted_words_rank_high(found):
    top = [w.word for w in found[:100]]
    for w in PLANTED:
        assert w in top, (w, top[:30])
    hit = {w.word: w for w in found}
    assert hit["氪晶石"].freq == 12 and hit["氪晶石"].score > 0.5


def test_results_are_new_well_formed_and_ranked(found):
    jieba_tok = qieci.Tokenizer()
    assert found
    for w in found:
        assert not jieba_tok.get_FREQ(w.word)
        assert 2 <= len(w.word) <= 6 and all(map(is_han, w.word))
        assert w.word[0] not in NOT_FIRST and w.word[-1] not in NOT_LAST
        assert 0.0 <= w.score <= 1.0 and w.freq >= 1
    scores = [w.score for w in found]
    assert scores == sorted(scores, reverse=True)
    assert len({w.word for w in found}) == len(found)


def test_options_narrow_the_output(corpus, found, tmp_path):
    top = discover(corpus, top=5, min_score=0.0)
    assert [w.word for w in top] == [w.word for w in found[:5]]
    assert all(w.score >= 0.9 for w in discover(corpus, min_score=0.9))
    assert all(len(w.word) <= 3 for w in discover(corpus, max_len=3, min_score=0.0))
    lex = tmp_path / "known.txt"
    lex.write_text("氪晶石\n琪瑶 5 nr\n", encoding="utf-8")
    words = {w.word for w in discover(corpus, min_score=0.0, lexicons=(lex,))}
    assert "氪晶石" not in words and "琪瑶" not in words and "沐川镇" in words
    stats_only = discover(corpus, min_score=0.0, model=False)
    assert {"氪晶石", "沐川镇"} <= {w.word for w in stats_only}
    assert all(w.model_rate == 0.0 for w in stats_only)
    # the statistics alone give probabilities of their own (STATS_WEIGHTS),
    # not the model-weighted score without its evidence (capped near 0.07):
    # the default threshold still finds words
    assert len(discover(corpus, model=False)) >= 10


def test_bad_options_are_value_errors():
    for kw in ({"max_len": 7}, {"min_len": 1}, {"min_freq": 0}, {"min_score": 2}, {"top": -1}):
        with pytest.raises(ValueError):
            DiscoverOptions(**kw)
    with pytest.raises(ValueError, match="no standard 'nope'"):
        discover(["测试"], standards=("nope",))
    with pytest.raises(ValueError, match="texts must be strings"):
        discover([b"bytes"])
    with pytest.raises(ValueError, match="not both"):
        discover(["a"], files=["x"])
    with pytest.raises(ValueError, match="no such lexicon"):
        Lexicon(["/nonexistent/words.txt"])


def test_top_below_one_is_refused_as_the_cli_refuses_it(capsys, tmp_path):
    from qieci.cli import main

    for top in (0, -1):
        with pytest.raises(
            ValueError, match=rf"^top must be at least 1 \(or None: every word\), not {top}$"
        ):
            discover(["北京大学"] * 3, top=top)
        raw = tmp_path / "raw.txt"
        raw.write_text("北京大学\n", encoding="utf-8")
        with pytest.raises(SystemExit) as exit_:
            main(["discover", str(raw), "--top", str(top)])
        assert exit_.value.code == 2
        assert "argument --top: must be at least 1" in capsys.readouterr().err
    assert len(discover(["氪晶石来了。", "氪晶石走了。"] * 3, top=1, min_score=0.0)) == 1


@pytest.mark.parametrize("one", ["氪晶石来了。氪晶石走了。" * 3, b"text", bytearray(b"text")])
def test_one_text_where_texts_are_expected_is_a_type_error(one):
    with pytest.raises(TypeError, match=r"^texts must be an iterable of texts, not one .*\[text\]"):
        discover(one)


def test_one_path_where_files_are_expected_is_a_type_error(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text("氪晶石来了。\n", encoding="utf-8")
    for one in (str(raw), raw):
        with pytest.raises(TypeError, match=r"^files must be a list of paths, not one .*\[path\]"):
            discover(files=one)


def test_one_standard_may_be_a_string():
    raw = ["氪晶石来了。", "氪晶石走了。"] * 3
    assert discover(raw, standards="pku") == discover(raw, standards=["pku"])
    with pytest.raises(ValueError, match="no standard 'nope'"):
        discover(raw, standards="nope")


def test_the_userdict_output_is_used_by_both_engines(corpus, found, tmp_path):
    sink = io.BytesIO()
    write_words(found[:50], sink, "userdict")
    path = tmp_path / "words.dict"
    path.write_bytes(sink.getvalue())
    text = "他说沐川镇的氪晶石最好。"
    for engine in ("jieba", "learned"):
        tok = qieci.Tokenizer(engine=engine)
        tok.load_userdict(str(path))
        words = tok.lcut(text)
        assert "沐川镇" in words and "氪晶石" in words, (engine, words)
    tsv = io.BytesIO()
    write_words(found[:3], tsv, "tsv")
    for engine in ("jieba", "learned"):  # the TSV loads as its words
        tok = qieci.Tokenizer(engine=engine)
        tok.load_userdict(io.BytesIO(tsv.getvalue()))
        assert [w for w, _, _ in tok.spec().edits] == [w.word for w in found[:3]]
        path = tmp_path / "words.tsv"
        path.write_bytes(tsv.getvalue())
        tok = qieci.Tokenizer(engine=engine)
        tok.load_userdict(str(path))
        assert [w for w, _, _ in tok.spec().edits] == [w.word for w in found[:3]]
    rows = tsv.getvalue().decode().splitlines()
    assert rows[0] == "word\tfreq\tscore"
    assert rows[1].split("\t")[0] == found[0].word and int(rows[1].split("\t")[1]) == found[0].freq
    with pytest.raises(ValueError, match="format"):
        write_words(found, io.BytesIO(), "csv")


def test_files_with_workers_equal_one_process(corpus, tmp_path):
    paths = []
    for k in range(2):
        p = tmp_path / f"part{k}.txt"
        p.write_text("\n".join(corpus[k::2]) + "\n", encoding="utf-8")
        paths.append(p)
    one = discover(files=paths, min_score=0.0, jobs=1)
    two = discover(files=paths, min_score=0.0, jobs=2)
    assert [(w.word, w.freq) for w in one] == [(w.word, w.freq) for w in two]
    assert [w.score for w in one] == pytest.approx([w.score for w in two])
    texts = discover(corpus, min_score=0.0)
    assert {w.word: w.freq for w in texts} == {w.word: w.freq for w in one}


def test_a_small_memory_cap_prunes_but_still_finds_frequent_words(corpus):
    small = discover(corpus, min_score=0.0, memory=1 << 20)
    assert "氪晶石" in [w.word for w in small[:200]]
