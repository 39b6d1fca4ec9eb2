"""Dictionary files: jieba's text format, the binary format, damage."""

from __future__ import annotations

import pytest

import qieci
from qieci.engines.jieba.dictionary import DictData, load_data, parse_text_dictionary


def test_text_format_follows_jieba_semantics():
    lines = ["北京 10 ns", "北京大学 5 nt", "北京 3", "大学 2 n", "  的 7 uj  "]
    trie, tags = parse_text_dictionary([line.encode() for line in lines], "d.txt")
    # a later duplicate overwrites the frequency; every line counts in the total
    assert trie.get("北京") == 3 and trie.get("北京大") == 0 and trie.get("北京大学") == 5
    assert trie.total == 10 + 5 + 3 + 2 + 7
    assert trie.get("的") == 7 and trie.get("京") == -1
    assert tags[trie.get_tag("北京大学")] == "nt" and tags[trie.get_tag("大学")] == "n"


@pytest.mark.parametrize("line", ["北京", "北京 x", "北京 -3", " 5", ""])
def test_malformed_text_lines_name_file_and_line(line):
    with pytest.raises(ValueError, match=r"^d.txt:2: invalid dictionary entry"):
        parse_text_dictionary([b"ok 1", line.encode(), b"fine 2"], "d.txt")


def test_invalid_utf8_names_the_byte():
    with pytest.raises(ValueError, match=r"d.txt:1: invalid UTF-8 at byte offset 3"):
        parse_text_dictionary([b"ab \xff 1"], "d.txt")


def test_binary_round_trip(tmp_path):
    trie, tags = parse_text_dictionary([b"a 1 x", b"ab 2 y", "北京 9".encode()], "d.txt")
    data = DictData.from_trie(trie, tags)
    path = tmp_path / "d.qc"
    path.write_bytes(data.to_bytes())
    again = load_data(path)
    assert again.total == 12 and again.tags == tags
    assert (
        sorted(again.entries())
        == sorted(data.entries())
        == [("a", 1, "x"), ("ab", 2, "y"), ("北", 0, ""), ("北京", 9, "")]
    )
    tok = qieci.Tokenizer(path)
    assert tok.lcut("北京ab") == ["北京", "ab"]


def test_bundled_dictionary_damage_is_a_clear_error(tmp_path):
    from importlib import resources

    good = resources.files("qieci.engines.jieba").joinpath("data", "jieba_dict.qc").read_bytes()
    truncated = tmp_path / "truncated.qc"
    truncated.write_bytes(good[: len(good) // 2])
    flipped = tmp_path / "flipped.qc"
    flipped.write_bytes(good[:5000] + bytes([good[5000] ^ 0x40]) + good[5001:])
    for path in (truncated, flipped):
        with pytest.raises(ValueError, match=path.name):
            qieci.Tokenizer(path).initialize()


def test_text_file_that_is_not_a_dictionary(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not\na dictionary\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes.txt:1: invalid dictionary entry"):
        qieci.Tokenizer(path).initialize()
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(ValueError, match="image.png"):
        qieci.Tokenizer(binary).initialize()


def test_directory_is_not_a_dictionary(tmp_path):
    with pytest.raises(ValueError, match="not a regular file"):
        load_data(tmp_path)
