"""qieci.analyse: the keyword kernel against its reference, and TF-IDF /
TextRank keywords against jieba.analyse 0.42.1 (the oracle) and by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qieci.analyse as qa
from qieci.analyse import TFIDF, TextRank, _keywords
from qieci.analyse import reference as reference_keywords
from qieci.analyse.idf import IDFTable, default_idf, load_idf, read_stop_words
from qieci.posseg import pair

# -- kernel == reference ---------------------------------------------------------

word = st.text(alphabet="北京大学the THE Ab İ ｔｈｅ\t\u3000\u00a0ΣΑ12", min_size=0, max_size=5)
stop_sets = st.sets(st.sampled_from(["the", "ab", "i̇", "北京", "σα", "ｔｈｅ", "12"]), max_size=4)


@given(words=st.lists(word, max_size=40), stop=stop_sets)
def test_count_keywords_matches_reference(words, stop):
    got = _keywords.count_keywords(words, stop)
    want = reference_keywords.count_keywords(words, stop)
    assert list(got.items()) == list(want.items())
    for w in words:
        assert _keywords.keeps(w, stop) == reference_keywords.keeps(w, stop)


@given(
    counts=st.dictionaries(word, st.integers(1, 50), max_size=20),
    idf=st.dictionaries(word, st.floats(0.01, 20), max_size=10),
    median=st.floats(0.01, 20),
)
def test_weigh_matches_reference(counts, idf, median):
    got = _keywords.weigh(counts, idf, median)
    want = reference_keywords.weigh(counts, idf, median)
    assert list(got.items()) == list(want.items())


# -- against jieba -------------------------------------------------------------------


@pytest.fixture(scope="module")
def janalyse(jieba):
    import jieba.analyse as ja

    return ja


@pytest.fixture(scope="module")
def paragraphs(test_corpus_lines) -> list[str]:
    """1,000+ lines spread over every test corpus."""
    step = max(1, len(test_corpus_lines) // 1100)
    lines = test_corpus_lines[::step]
    assert len(lines) >= 1000
    return lines


def comparable(result) -> list:
    """Keywords as plain values (pairs as (word, flag) tuples)."""
    out = []
    for k in result:
        if isinstance(k, tuple):  # (keyword, weight)
            key = tuple(k[0]) if hasattr(k[0], "flag") else k[0]
            out.append((key, k[1]))
        else:
            out.append(tuple(k) if hasattr(k, "flag") else k)
    return out


def assert_same(ours, theirs, text):
    a, b = comparable(ours), comparable(theirs)
    assert len(a) == len(b), text
    for x, y in zip(a, b):
        if isinstance(x, tuple) and isinstance(x[1], float):
            assert x[0] == y[0] and abs(x[1] - y[1]) <= 1e-9, text
        else:
            assert x == y, text


TFIDF_CASES = [
    {},
    {"withWeight": True},
    {"topK": None, "withWeight": True},
    {"topK": 5},
    {"allowPOS": ("ns", "n", "vn", "v")},
    {"allowPOS": ("n", "nr", "eng"), "withWeight": True, "withFlag": True},
]
TEXTRANK_CASES = [
    {},
    {"withWeight": True},
    {"topK": None, "withWeight": True, "withFlag": True},
    {"allowPOS": ("n", "nr", "ns", "v"), "topK": 8},
]


@pytest.mark.parametrize("kwargs", TFIDF_CASES, ids=str)
def test_extract_tags_identical_to_jieba(paragraphs, janalyse, kwargs):
    for s in paragraphs:
        assert_same(qa.extract_tags(s, **kwargs), janalyse.extract_tags(s, **kwargs), s)


@pytest.mark.parametrize("kwargs", TEXTRANK_CASES, ids=str)
def test_textrank_identical_to_jieba(paragraphs, janalyse, kwargs):
    for s in paragraphs[::2] if kwargs else paragraphs:
        assert_same(qa.textrank(s, **kwargs), janalyse.textrank(s, **kwargs), s)


def test_whole_document_identical_to_jieba(paragraphs, janalyse):
    doc = "\n".join(paragraphs[:300])
    assert_same(qa.extract_tags(doc, 50, True), janalyse.extract_tags(doc, 50, True), "doc")
    assert_same(qa.textrank(doc, 50, True), janalyse.textrank(doc, 50, True), "doc")


@pytest.fixture
def files(tmp_path):
    idf = tmp_path / "idf.txt"
    idf.write_text("苹果 2.0\n香蕉 1.0\n西瓜 3.0\n", encoding="utf-8")
    stop = tmp_path / "stop.txt"
    stop.write_text("北京\n我们\n", encoding="utf-8")
    return idf, stop


def test_custom_idf_by_hand(files, janalyse):
    """With IDF {苹果: 2, 香蕉: 1, 西瓜: 3} (median 2.0), "苹果苹果香蕉葡萄" has
    4 words: weights 2*2/4, 1*1/4 and 1*2/4 (葡萄 gets the median)."""
    idf, _ = files
    ours = TFIDF(idf)
    assert ours.median_idf == 2.0
    text = "苹果苹果香蕉葡萄"
    got = ours.extract_tags(text, withWeight=True)
    assert got == [("苹果", 2 * (2.0 / 4)), ("葡萄", 1 * (2.0 / 4)), ("香蕉", 1 * (1.0 / 4))]
    theirs = janalyse.TFIDF(str(idf))
    assert_same(got, theirs.extract_tags(text, withWeight=True), text)


def test_stop_words_and_idf_path_identical_to_jieba(files, janalyse, paragraphs):
    idf, stop = files
    ours, theirs = TFIDF(), janalyse.TFIDF()
    ours.set_stop_words(stop)
    theirs.set_stop_words(str(stop))
    ours_tr, theirs_tr = TextRank(), janalyse.TextRank()
    ours_tr.set_stop_words(stop)
    theirs_tr.set_stop_words(str(stop))
    for s in paragraphs[:200]:
        assert_same(
            ours.extract_tags(s, withWeight=True), theirs.extract_tags(s, withWeight=True), s
        )
        assert_same(ours_tr.textrank(s, withWeight=True), theirs_tr.textrank(s, withWeight=True), s)
    ours.set_idf_path(idf)
    theirs.set_idf_path(str(idf))
    for s in paragraphs[:200]:
        assert_same(
            ours.extract_tags(s, withWeight=True), theirs.extract_tags(s, withWeight=True), s
        )


def test_bundled_idf_equals_jiebas(janalyse):
    ours, theirs = default_idf(), janalyse.default_tfidf
    assert ours.median == theirs.median_idf
    assert len(ours.idf) == len(theirs.idf_freq)
    assert all(ours.idf[w] == v for w, v in theirs.idf_freq.items())


def test_with_flag_gives_pairs():
    got = qa.extract_tags("我来到北京清华大学", allowPOS=("ns", "nt"), withFlag=True)
    assert got and all(isinstance(p, pair) for p in got)
    assert {(p.word, p.flag) for p in got} == {("北京", "ns"), ("清华大学", "nt")}


# -- files and defaults -----------------------------------------------------------


def test_idf_errors_name_the_file(tmp_path):
    with pytest.raises(ValueError, match="missing.txt"):
        TFIDF().set_idf_path(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("苹果 2.0\n香蕉\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:2"):
        load_idf(bad)
    blob = bytearray(IDFTable.from_mapping({"苹果": 2.0}).to_bytes())
    blob[-3] ^= 0xFF
    corrupt = tmp_path / "corrupt.qc"
    corrupt.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="corrupt.qc"):
        load_idf(corrupt)
    with pytest.raises(ValueError, match="nostop.txt"):
        TFIDF().set_stop_words(tmp_path / "nostop.txt")


def test_an_idf_table_of_no_entries_is_refused_naming_the_file(tmp_path, capsys):
    """jieba 0.42.1 fails on an empty IDF file (IndexError); qieci refuses
    it, and an empty binary table, rather than weigh every keyword 0."""
    from qieci.cli import main

    empty, blob = tmp_path / "empty.txt", tmp_path / "empty.qc"
    empty.write_bytes(b"")
    blob.write_bytes(IDFTable.from_mapping({}).to_bytes())
    for path in (empty, blob):
        message = rf"^{path}: the IDF table has no entries \(every keyword would weigh 0\)"
        with pytest.raises(ValueError, match=message):
            load_idf(path)
        with pytest.raises(ValueError, match=message):
            TFIDF(idf_path=path)
        tfidf = TFIDF()
        with pytest.raises(ValueError, match=message):
            tfidf.set_idf_path(path)
        assert tfidf.extract_tags("苹果和香蕉，苹果和西瓜。", topK=1, withWeight=True)[0][1] > 0
    text = tmp_path / "in.txt"
    text.write_text("我来到北京清华大学\n", encoding="utf-8")
    assert main(["keywords", str(text), "--idf", str(empty), "-w"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"qieci: error: {empty}: the IDF table has no entries (every keyword would weigh 0): "
        "give a table of 'word idf' lines, or none for the bundled one\n"
    )


def test_binary_idf_round_trip(tmp_path):
    table = IDFTable.from_mapping({"苹果": 2.0, "香蕉": 1.0, "西瓜": 3.0})
    path = tmp_path / "t.qc"
    path.write_bytes(table.to_bytes())
    loaded = load_idf(path)
    assert loaded.idf == table.idf and loaded.median == 2.0


def test_each_extractor_changes_only_its_own_idf():
    text = "苹果和香蕉，苹果和西瓜。"
    a, b = TFIDF(), TFIDF()
    before = b.extract_tags(text, withWeight=True)
    a.idf_freq["苹果"] = 1e-9  # jieba lets a user tune an extractor's table
    assert a.extract_tags(text)[-1] == "苹果"
    assert b.extract_tags(text, withWeight=True) == before
    assert TFIDF().extract_tags(text, withWeight=True) == before
    assert "苹果" not in default_idf().idf or default_idf().idf["苹果"] > 1e-9
    with pytest.raises(TypeError):
        default_idf().idf["苹果"] = 1.0  # type: ignore[index]
    # a table keeps its own copy of the mapping it was made from
    source = {"苹果": 2.0}
    table = IDFTable.from_mapping(source)
    source["苹果"] = 5.0
    assert table.idf["苹果"] == 2.0


def test_extractors_and_tables_pickle():
    # what multiprocessing, joblib and ProcessPoolExecutor send
    import copy
    import pickle

    text = "我来到北京清华大学，清华大学很好"
    tfidf = TFIDF()
    again = pickle.loads(pickle.dumps(tfidf.extract_tags))
    assert again(text, withWeight=True) == tfidf.extract_tags(text, withWeight=True)
    table = IDFTable.from_mapping({"苹果": 2.0, "香蕉": 1.0})
    for clone in (pickle.loads(pickle.dumps(table)), copy.deepcopy(table)):
        assert clone.idf == table.idf and clone.median == table.median
        assert clone.source == table.source


def test_default_objects_are_lazy_singletons():
    assert isinstance(qa.default_tfidf, TFIDF) and qa.default_tfidf is qa.default_tfidf
    assert isinstance(qa.default_textrank, TextRank)
    assert qa.tfidf is qa.extract_tags


def test_undecodable_idf_and_stop_words_name_line_and_byte(tmp_path):
    idf = tmp_path / "idf.txt"
    idf.write_bytes("北京 3.5\n".encode() + "大学 2.0\n".encode("gbk"))
    # line 2 starts at byte 11 ("北京 3.5\n" is 11 bytes)
    with pytest.raises(ValueError, match=r"idf\.txt:2: invalid UTF-8 at byte offset 11: an IDF"):
        load_idf(idf)
    stop = tmp_path / "stop.txt"
    stop.write_bytes(b"the\nof\n\xff\n")
    with pytest.raises(
        ValueError, match=r"stop\.txt:3: invalid UTF-8 at byte offset 7: a stop-word file is"
    ):
        read_stop_words(stop)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_an_idf_that_is_not_finite_is_refused_naming_file_line_and_value(tmp_path, value):
    """A nan (inf) IDF would make the median, and so every weight, nan (inf):
    refused like any other bad line, by every way a table is loaded."""
    import re

    path = tmp_path / "idf.txt"
    path.write_text(f"石墨烯 5\n材料 {value}\n", encoding="utf-8")
    message = rf"^{re.escape(str(path))}:2: the IDF of '材料' is '{value}': .*finite number"
    with pytest.raises(ValueError, match=message):
        load_idf(path)
    with pytest.raises(ValueError, match=message):
        TFIDF(path)
    tfidf = TFIDF()
    with pytest.raises(ValueError, match=message):
        tfidf.set_idf_path(path)
    with pytest.raises(ValueError, match=message):
        qa.set_idf_path(path)
    # the extractors keep the table they had
    for extract in (tfidf.extract_tags, qa.extract_tags):
        assert extract("苹果和香蕉，苹果和西瓜。", topK=1, withWeight=True)[0][1] > 0


def test_a_binary_idf_table_with_nan_is_refused(tmp_path):
    path = tmp_path / "idf.qc"
    path.write_bytes(IDFTable({"苹果": 2.0, "香蕉": float("nan")}, 2.0).to_bytes())
    with pytest.raises(ValueError, match=rf"^{path}: the IDF table holds the value nan: .*finite"):
        TFIDF(path)


def test_negative_idf_values_are_accepted_and_arithmetic_as_in_jieba(tmp_path, janalyse):
    """IDF {苹果: -2, 香蕉: 1, 西瓜: 3}: median 1; "苹果苹果香蕉葡萄" has 4
    words, weighing 2*-2/4, 1*1/4 and 1*1/4 (葡萄 gets the median; the tie
    keeps the order of first occurrence)."""
    path = tmp_path / "idf.txt"
    path.write_text("苹果 -2.0\n香蕉 1.0\n西瓜 3.0\n", encoding="utf-8")
    text = "苹果苹果香蕉葡萄"
    got = TFIDF(path).extract_tags(text, withWeight=True)
    assert got == [("香蕉", 0.25), ("葡萄", 0.25), ("苹果", -1.0)]
    assert_same(got, janalyse.TFIDF(str(path)).extract_tags(text, withWeight=True), text)


def test_set_idf_path_on_a_directory_says_so_as_the_cli_does(tmp_path, capsys):
    from qieci.cli import main

    message = f"{tmp_path}: is a directory (IDF table expected)"
    for call in (qa.set_idf_path, TFIDF().set_idf_path, TFIDF):
        with pytest.raises(ValueError) as info:
            call(tmp_path)
        assert str(info.value) == message
    text = tmp_path / "in.txt"
    text.write_text("我来到北京清华大学\n", encoding="utf-8")
    assert main(["keywords", "--idf", str(tmp_path), str(text)]) == 2
    assert capsys.readouterr().err == f"qieci: error: {message}\n"


def test_textrank_tags_with_the_tokenizer_it_is_given_as_jieba_does(janalyse):
    """TextRank's tokenizer and postokenizer are one tagger, as in jieba:
    setting tokenizer to a POS tagger over a tokenizer with a user word (or
    to the tokenizer itself) gives that word as a keyword, as jieba's does."""
    import jieba
    import jieba.posseg

    import qieci.posseg

    text = "线程是程序执行时的最小单位，它是进程的一个执行流，是CPU调度和分派的基本单位"
    ours, theirs = qieci.Tokenizer(), jieba.Tokenizer()
    for tok in (ours, theirs):
        tok.add_word("执行流", 1000, "n")
    their_tr = janalyse.TextRank()
    their_tr.tokenizer = jieba.posseg.POSTokenizer(theirs)
    expected = their_tr.textrank(text)
    assert "执行流" in expected
    for tagger in (qieci.posseg.POSTokenizer(ours), ours):
        tr = qieci.analyse.TextRank()
        tr.tokenizer = tagger
        assert tr.textrank(text) == expected
        assert tr.postokenizer is tr.tokenizer
    for tagger in (qieci.posseg.POSTokenizer(ours), ours):
        tr = qieci.analyse.TextRank()
        tr.postokenizer = tagger
        assert tr.textrank(text) == expected and tr.tokenizer is tr.postokenizer
    assert "执行流" not in qieci.analyse.TextRank().textrank(text)
    for name in ("tokenizer", "postokenizer"):
        with pytest.raises(TypeError, match="POSTokenizer or a qieci.Tokenizer"):
            setattr(qieci.analyse.TextRank(), name, "jieba")
