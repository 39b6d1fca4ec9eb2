"""SIGHAN-style scoring (qieci.evaluate and `qieci eval`) on hand-made cases
whose answers were worked out by hand (see the comments)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from qieci.cli import main
from qieci.evaluate import read_segmented, read_vocab, score, spans

GOLD = [["我", "爱", "北京", "天安门"], ["他", "说", "："]]
PRED = [["我", "爱北京", "天安", "门"], ["他说", "："]]
VOCAB = {"我", "爱", "北京", "说"}


def test_spans():
    assert spans(["我", "爱北京", "门"]) == [(0, 1), (1, 4), (4, 5)]


def test_one_line_by_hand():
    # gold spans (0,1)(1,2)(2,4)(4,7); pred (0,1)(1,4)(4,6)(6,7): 1 correct
    s = score([GOLD[0]], [PRED[0]], {"我", "爱", "北京"})
    assert (s.gold_words, s.pred_words, s.correct) == (4, 4, 1)
    assert s.precision == pytest.approx(0.25)
    assert s.recall == pytest.approx(0.25)
    assert s.f1 == pytest.approx(0.25)
    assert s.oov_recall == 0.0  # 天安门 is the only OOV word, missed
    assert s.iv_recall == pytest.approx(1 / 3)  # 我 of 我/爱/北京


def test_two_lines_by_hand():
    # line 2: gold (0,1)(1,2)(2,3), pred (0,2)(2,3): 1 correct
    # totals: 7 gold, 6 pred, 2 correct -> P 1/3, R 2/7, F1 4/13
    s = score(GOLD, PRED, VOCAB)
    assert (s.gold_words, s.pred_words, s.correct) == (7, 6, 2)
    assert s.precision == pytest.approx(float(Fraction(1, 3)))
    assert s.recall == pytest.approx(float(Fraction(2, 7)))
    assert s.f1 == pytest.approx(float(Fraction(4, 13)))
    # OOV gold words: 天安门, 他, ： -> only ： found; IV: 我 爱 北京 说 -> only 我
    assert s.oov_words == 3
    assert s.oov_recall == pytest.approx(1 / 3)
    assert s.iv_recall == pytest.approx(1 / 4)


def test_same_word_twice_counts_by_position():
    # gold 的|的 vs pred 的的: no span in common although "的" is predicted... nowhere
    s = score([["的", "的"]], [["的的"]])
    assert s.correct == 0 and s.f1 == 0.0
    # pred 的|的的 vs gold 的的|的: only spans matter, not strings
    s = score([["的的", "的"]], [["的", "的的"]])
    assert s.correct == 0


def test_perfect_and_no_vocab():
    s = score(GOLD, GOLD)
    assert s.precision == s.recall == s.f1 == 1.0
    assert s.oov_recall is None and s.iv_recall is None


def test_mismatched_text_and_line_count():
    with pytest.raises(ValueError, match="line 1"):
        score([["我", "爱"]], [["我", "恨"]])
    with pytest.raises(ValueError, match="line count"):
        score(GOLD, PRED[:1])


def test_cli_eval_json(tmp_path, capsys):
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    vocab = tmp_path / "vocab.txt"
    gold.write_text("".join(" ".join(w) + "\n" for w in GOLD), encoding="utf-8")
    pred.write_text("".join(" ".join(w) + "\n" for w in PRED), encoding="utf-8")
    vocab.write_text("\n".join(sorted(VOCAB)) + "\n", encoding="utf-8")
    assert main(["eval", str(gold), "--pred", str(pred), "--vocab", str(vocab), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "precision",
        "recall",
        "f1",
        "oov_recall",
        "iv_recall",
        "gold_words",
        "pred_words",
        "scored",
    }
    assert out["scored"] == {"pred": str(pred)}
    assert out["gold_words"] == 7 and out["pred_words"] == 6
    assert out["f1"] == pytest.approx(4 / 13)
    assert out["oov_recall"] == pytest.approx(1 / 3)
    assert out["iv_recall"] == pytest.approx(1 / 4)
    # human-readable output: percent with two decimals
    assert main(["eval", str(gold), "--pred", str(pred), "--vocab", str(vocab)]) == 0
    text = capsys.readouterr().out
    assert "f1         30.77" in text and "precision  33.33" in text


def test_cli_eval_segments_gold_itself(tmp_path, capsys):
    # jieba engine on a sentence it gets right: perfect score
    gold = tmp_path / "gold.txt"
    gold.write_text("我 来到 北京 清华大学\n", encoding="utf-8")
    assert main(["eval", str(gold), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["f1"] == 1.0 and out["oov_recall"] is None


def test_undecodable_segmented_file_names_line_and_byte(tmp_path, capsys):
    gold = tmp_path / "gold.txt"
    # line 2 is GBK, not UTF-8: its first byte is at offset 7 + 3 + 1
    gold.write_bytes("我 来到\n".encode() + "北京 大学\n".encode("gbk"))
    with pytest.raises(ValueError, match=r"gold\.txt:2: invalid UTF-8 at byte offset 11: "):
        read_segmented(str(gold))
    assert main(["eval", str(gold)]) == 2
    err = capsys.readouterr().err
    assert "gold.txt:2: invalid UTF-8 at byte offset 11" in err and "iconv" in err
    assert "Traceback" not in err
    # CRLF lines and blank lines read as before
    ok = tmp_path / "ok.txt"
    ok.write_bytes("我 来到\r\n\r\n北京 大学\n".encode())
    assert read_segmented(str(ok)) == [["我", "来到"], ["北京", "大学"]]
    # a byte-order mark is not part of the first word; a line ends at "\n"
    # only, as qieci cut reads lines (a lone "\r" is whitespace)
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeff我 来到\n北京\r大学\n".encode())
    assert read_segmented(str(bom)) == [["我", "来到"], ["北京", "大学"]]


def test_a_recall_over_no_words_is_undefined_not_zero(tmp_path):
    """With every gold word in the vocabulary there is no OOV recall (and
    with an empty vocabulary no IV recall): '-' and null, never 0.00."""
    gold = [["我", "爱", "北京"]]
    every = score(gold, gold, {"我", "爱", "北京"})
    assert every.oov_recall is None and every.iv_recall == 1.0 and every.oov_words == 0
    assert "oov_recall -  (0 OOV gold words)" in every.table()
    none = score(gold, gold, set())
    assert none.iv_recall is None and none.oov_recall == 1.0
    assert "iv_recall  -" in none.table()


def test_a_word_list_that_is_not_utf8_names_its_line_and_byte(tmp_path):
    words = tmp_path / "words.txt"
    # the byte-order mark (3 bytes), 北京 and its line break (7), 大学 3 and its (9)
    words.write_bytes("\ufeff北京\n大学 3\n".encode() + b"\xff\xfe\n")
    with pytest.raises(ValueError, match=r"words\.txt:3: invalid UTF-8 at byte offset 19: a word"):
        read_vocab(str(words))
    words.write_bytes("\ufeff北京\n大学 3\n\n".encode())
    assert read_vocab(str(words)) == {"北京", "大学"}


def test_the_conversion_hint_names_gb18030_only_for_gb18030_bytes(tmp_path):
    """A word list of GBK Chinese is told to convert from GB18030; one with
    bytes that are no GB18030 either is told to find its encoding."""
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("北京\n".encode() + "大学\n".encode("gbk"))
    with pytest.raises(ValueError, match=r"gbk\.txt:2: .*iconv -f GB18030 -t UTF-8"):
        read_vocab(str(gbk))
    junk = tmp_path / "junk.txt"
    junk.write_bytes("北京\n".encode() + b"\xff\xff\n")
    with pytest.raises(ValueError, match=r"junk\.txt:2: .*iconv -f ENCODING -t UTF-8") as caught:
        read_vocab(str(junk))
    assert "GB18030" not in str(caught.value)
