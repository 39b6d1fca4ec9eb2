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
    with none of them in it no IV recall): '-' and null, never 0.00."""
    gold = [["我", "爱", "北京"]]
    every = score(gold, gold, {"我", "爱", "北京"})
    assert every.oov_recall is None and every.iv_recall == 1.0 and every.oov_words == 0
    assert "oov_recall -  (0 OOV gold words)" in every.table()
    none = score(gold, gold, {"他"})
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


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_mismatches_name_the_file_lines_across_blank_lines(tmp_path):
    """Blank lines are skipped, but an error names the lines of the files:
    with blank lines 2, 4 and 5, the fourth sentence is on line 6."""
    head = "我 爱\n\n北京 天安门\n\n\n"
    gold = read_segmented(_write(tmp_path / "g.txt", head + "他 说\n"))
    same = read_segmented(_write(tmp_path / "p.txt", head + "你 说\n"))
    with pytest.raises(ValueError, match=r"^line 6: prediction text differs") as caught:
        score(gold, same)
    assert "line 3" not in str(caught.value)
    # the prediction without the blank lines: its sentence is on its line 3
    packed = read_segmented(_write(tmp_path / "q.txt", "我 爱\n北京 天安门\n你 说\n"))
    with pytest.raises(ValueError, match=r"gold line 6, prediction line 3: prediction text"):
        score(gold, packed)
    # a shorter prediction: gold's line 6 is the one left without a partner
    short = read_segmented(_write(tmp_path / "s.txt", head))
    with pytest.raises(ValueError, match=r"line count.*gold line 6 ") as caught:
        score(gold, short)
    assert "line 3" not in str(caught.value)
    # a longer one: its line 8 (after a blank line 7) has no gold line
    longer = read_segmented(_write(tmp_path / "l.txt", head + "他 说\n\n再见\n"))
    with pytest.raises(ValueError, match=r"line count.*prediction line 8 "):
        score(gold, longer)
    # plain lists of words have no file: their lines are counted from 1
    with pytest.raises(ValueError, match=r"^line 2: "):
        score([["我"], ["爱"]], [["我"], ["恨"]])
    with pytest.raises(ValueError, match=r"line count.*gold line 2 "):
        score([["我"], ["爱"]], [["我"]])
    # and the lines still pair up, blank lines or not: 2 + 2 + 2 words, all right
    assert (
        score(gold, read_segmented(_write(tmp_path / "ok.txt", "我 爱\n北京 天安门\n他 说\n"))).f1
        == 1.0
    )


def test_an_empty_vocabulary_is_refused_not_scored_as_all_oov(tmp_path):
    gold = [["我", "爱", "北京"]]
    with pytest.raises(ValueError, match="vocabulary has no words"):
        score(gold, gold, set())
    for text in ("", "\n\n", "\ufeff\n \n"):
        with pytest.raises(ValueError, match="vocabulary has no words"):
            score(gold, gold, read_vocab(_write(tmp_path / "words.txt", text)))


def test_segmented_text_and_word_lists_from_bytes_name_their_source():
    """What the CLI reads from stdin: errors name "<stdin>", line and byte."""
    from qieci.evaluate import parse_segmented, parse_vocab

    data = "我 来到\n\n".encode() + "北京 大学\n".encode("gbk")
    with pytest.raises(ValueError, match=r"^<stdin>:3: invalid UTF-8 at byte offset 12: "):
        parse_segmented(data, "<stdin>")
    with pytest.raises(ValueError, match=r"^<stdin>:3: invalid UTF-8 at byte offset 12: a word"):
        parse_vocab(data, "<stdin>")
    lines = parse_segmented("\ufeff我 来到\n\n北京 大学\n".encode(), "<stdin>")
    assert lines == [["我", "来到"], ["北京", "大学"]] and lines.line_numbers == [1, 3]
    assert parse_vocab("\ufeff北京\n大学 3\n".encode(), "<stdin>") == {"北京", "大学"}
