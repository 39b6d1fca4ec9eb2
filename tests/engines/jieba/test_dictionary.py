"""Dictionary files: jieba's text format, the binary format, damage."""

from __future__ import annotations

import pytest

import qieci
from qieci.engines.jieba import _core
from qieci.engines.jieba.dictionary import (
    DictData,
    default_hmm,
    load_data,
    parse_text_dictionary,
)


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
    with pytest.raises(ValueError, match=r"d.txt:1: invalid UTF-8 at byte 3 of the line"):
        parse_text_dictionary([b"ab \xff 1"], "d.txt")
    with pytest.raises(ValueError, match=r"d.txt:2: invalid UTF-8 at byte 5 of the line: a dic"):
        parse_text_dictionary([b"ok 1", b"  ab \xff 1"], "d.txt")


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


# -- the prebuilt lookup table -------------------------------------------------------

WORDS = [b"a 1 x", b"ab 2 y", "北京 9 ns".encode(), "北京大学 4 nt".encode(), "𠀀x 3".encode()]
TEXTS = ["北京大学ab", "a北京𠀀x", "北京北京大学生", "ab𠀀", ""]


def small_data() -> DictData:
    trie, tags = parse_text_dictionary(WORDS, "d.txt")
    return DictData.from_trie(trie, tags)


#: the frequency classes of small_data's table: 0, then 1 2 9 4 3 (the
#: distinct frequencies of WORDS, bare prefixes have 0)
N_CLASSES = 6


@pytest.mark.parametrize("compress", [False, True])
def test_a_table_file_loads_its_table_and_cuts_as_the_arrays_do(tmp_path, compress):
    plain, table = tmp_path / "plain.qc", tmp_path / "table.qc"
    plain.write_bytes(small_data().to_bytes(compress=compress))
    table.write_bytes(small_data().with_table().to_bytes(compress=compress))
    loaded = load_data(table)
    assert loaded.table is not None and load_data(plain).table is None
    assert len(loaded.table.classes) // 8 == N_CLASSES
    assert sorted(loaded.entries()) == sorted(small_data().entries())
    built = loaded.build()
    assert built.to_arrays() == small_data().build().to_arrays()
    assert built.to_table() == small_data().build().to_table()
    for mode in ("default", "all", "search"):
        for text in TEXTS:
            want = qieci.Tokenizer(plain).lcut(text, cut_all=mode == "all")
            assert qieci.Tokenizer(table).lcut(text, cut_all=mode == "all") == want


def test_the_bundled_dictionary_has_the_table_its_arrays_build():
    data = load_data(None)
    assert data.table is not None
    from dataclasses import replace

    rebuilt = replace(data, table=None).build()
    assert data.build().to_table() == rebuilt.to_table()
    assert data.build().to_arrays() == rebuilt.to_arrays()


def test_edits_of_a_table_trie_leave_the_table_and_other_tries_alone(tmp_path):
    path = tmp_path / "table.qc"
    path.write_bytes(small_data().with_table().to_bytes(compress=False))
    data = load_data(path)
    one, two = data.build(), data.build()
    one.set("北京大", 7)
    one.add_word("学生", 5)
    assert one.get("北京大") == 7 and one.get("学生") == 5
    assert two.get("北京大") == 0 and two.get("学生") == -1
    assert data.build().to_table() == small_data().build().to_table()
    tok = qieci.Tokenizer(path)
    tok.add_word("大学生", 100)
    assert tok.lcut("北京大学生") == ["北京", "大学生"]
    assert qieci.Tokenizer(path).lcut("北京大学生") == ["北京大学", "生"]


def test_a_table_trie_edited_with_new_frequencies_cuts_as_a_built_one(tmp_path):
    """The table's frequency classes are borrowed: edits that need classes
    it lacks (hundreds of them) work on a copy, and cut as the same edits
    of a Trie built from the arrays do."""
    path = tmp_path / "table.qc"
    path.write_bytes(small_data().with_table().to_bytes(compress=False))
    data = load_data(path)
    table_trie, plain_trie = data.build(), small_data().build()
    assert data.table is not None
    n_classes = len(data.table.classes) // 8
    for trie in (table_trie, plain_trie):
        for i in range(300):
            trie.add_word(f"学{i}", 1_000_003 + 7 * i)
        trie.add_word("大学生", 2**40 + 1)
        trie.add_word("北京大学", 5)  # a frequency some other word has
    assert len(load_data(path).table.classes) // 8 == n_classes
    assert table_trie.to_table() == plain_trie.to_table()
    hmm = default_hmm()
    for text in TEXTS + ["北京大学生学1学299学300", "学12学2学7"]:
        want = _core.lcut(plain_trie, hmm, text, True, False)
        assert _core.lcut(table_trie, hmm, text, True, False) == want
    assert _core.lcut(table_trie, hmm, "北京大学生", False, False) == ["北京", "大学生"]


def tampered(tmp_path, part: str, edit, meta: dict | None = None):
    """A dictionary file whose table part ``part`` (a bytearray of its
    little-endian words) ``edit`` changed, with valid checksums."""
    import json
    from dataclasses import replace

    data = small_data().with_table()
    assert data.table is not None
    raw = bytearray(getattr(data.table, part))
    code = "q" if part in ("node_freq", "classes") else "H" if part == "node_tag" else "I"
    words = memoryview(raw).cast(code)
    edit(words)
    out = replace(data, table=replace(data.table, **{part: bytes(raw)})).to_bytes(compress=False)
    if meta is not None:  # rewrite the metadata section (it is the first)
        from qieci import binfile

        stored = binfile.stored_sections(out, kind="dict", source="x")
        sections = {k: v for k, (v, _) in stored.items()}
        sections["meta"] = json.dumps(json.loads(sections["meta"]) | meta).encode()
        out = binfile.pack("dict", sections, compress=False, align=64)
    path = tmp_path / f"tampered-{part}.qc"
    path.write_bytes(out)
    return path


def first_slot(words, full: bool = True) -> int:
    """Index of the first used (or empty) slot."""
    return next(i for i in range(len(words) // 4) if (words[4 * i + 2] != 0) == full)


def _set(words, i, v):
    words[i] = v


HOSTILE = {
    "child past the nodes": ("slots", lambda w: _set(w, 4 * first_slot(w) + 2, 99), "slot"),
    "parent after the child": ("slots", lambda w: _set(w, 4 * first_slot(w), 7), "slot"),
    "no empty slot": (
        "slots",
        lambda w: [_set(w, 4 * i + 2, 1) for i in range(len(w) // 4) if w[4 * i + 2] == 0],
        "more than half full",
    ),
    "root entry past the nodes": ("root", lambda w: _set(w, 2 * 0x4E00, 1 << 30), "root entry"),
    "negative frequency": ("node_freq", lambda w: _set(w, 3, -5), "negative frequency"),
    "frequency of the root": ("node_freq", lambda w: _set(w, 0, 5), "root"),
    "tag out of range": ("node_tag", lambda w: _set(w, 2, 999), "tag id out of range"),
    "slot's class past the classes": (
        "slots",
        lambda w: _set(w, 4 * first_slot(w) + 3, (w[4 * first_slot(w) + 3] & 1 << 31) | 4000),
        "frequency class out of range",
    ),
    "root entry's class past the classes": (
        "root",
        lambda w: _set(w, 2 * ord("北") + 1, 1 << 30),
        "frequency class out of range",
    ),
    "a class of frequency 0": ("classes", lambda w: _set(w, len(w) - 1, 0), "not a positive"),
    "a negative class": ("classes", lambda w: _set(w, 1, -3), "not a positive"),
    "class 0 not frequency 0": ("classes", lambda w: _set(w, 0, 5), "class 0"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_table_is_refused_naming_the_file(tmp_path, case):
    part, edit, why = HOSTILE[case]
    path = tampered(tmp_path, part, edit)
    with pytest.raises(ValueError, match=rf"^{path}: corrupt dictionary \(.*{why}"):
        qieci.Tokenizer(path).initialize()


def test_a_table_of_the_wrong_size_or_shape_is_refused(tmp_path):
    path = tampered(tmp_path, "slots", lambda w: None, meta={"slots": 512})
    with pytest.raises(ValueError, match=rf"^{path}: corrupt dictionary \(section 'slots'"):
        qieci.Tokenizer(path).initialize()
    path = tampered(tmp_path, "slots", lambda w: None, meta={"slots": -1})
    with pytest.raises(ValueError, match=rf"^{path}: corrupt dictionary metadata"):
        qieci.Tokenizer(path).initialize()
    path = tampered(tmp_path, "slots", lambda w: None, meta={"slots": 1 << 40})
    with pytest.raises(ValueError, match=rf"^{path}: corrupt dictionary metadata"):
        qieci.Tokenizer(path).initialize()
    path = tampered(tmp_path, "slots", lambda w: None, meta={"classes": 10**9})
    with pytest.raises(ValueError, match=rf"^{path}: corrupt dictionary metadata"):
        qieci.Tokenizer(path).initialize()
    path = tampered(tmp_path, "slots", lambda w: None, meta={"classes": N_CLASSES - 1})
    with pytest.raises(ValueError, match=rf"^{path}: corrupt dictionary \(section 'classes'"):
        qieci.Tokenizer(path).initialize()

    with pytest.raises(ValueError, match="power of two"):
        _core.Trie.from_table(
            memoryview(bytes(16 * 1536)).cast("I"),
            memoryview(bytes(8 << 16)).cast("I"),
            memoryview(bytes(1 << 20)).cast("Q"),
            memoryview(bytes(8)).cast("q"),
            memoryview(bytes(2)).cast("H"),
            memoryview(bytes(8)).cast("q"),
            1,
        )


def test_a_table_of_another_layout_is_rebuilt_from_the_arrays(tmp_path):
    def empty(words):  # a table that would find nothing
        words[:] = memoryview(bytes(4 * len(words))).cast("I")

    path = tampered(tmp_path, "slots", empty, meta={"table": "another-layout"})
    assert load_data(path).table is None
    assert qieci.Tokenizer(path).lcut("北京大学ab") == ["北京大学", "ab"]


def test_tables_with_scrambled_contents_never_crash(tmp_path):
    """Tables whose indices are in range but whose contents are nonsense
    (moved slots, random characters, frequencies, child flags and filter
    bits) load and cut without a crash or a hang, or are refused."""
    import random

    rng = random.Random(13)
    for case in range(40):
        part = rng.choice(["slots", "root", "filter", "node_freq", "classes"])

        def scramble(w, part=part):
            for _ in range(rng.randint(1, 50)):
                i = rng.randrange(len(w))
                if part in ("node_freq", "classes"):
                    w[i] = rng.choice([0, 1, 2**31, 2**62]) if i else 0
                elif part in ("slots", "root") and i % (4 if part == "slots" else 2) == (
                    3 if part == "slots" else 1
                ):  # a packed class: the child bit, and a class (in range or just past it)
                    w[i] = rng.getrandbits(1) << 31 | rng.randrange(N_CLASSES + 2)
                elif part == "filter":
                    w[i] = rng.getrandbits(32)
                elif part == "slots" and i % 4 == 2:
                    w[i] = rng.randrange(0, 12)  # a child (of 9 nodes), or empty
                elif part == "slots" and i % 4 == 0:
                    w[i] = rng.randrange(0, 3)
                elif part == "root" and i % 2 == 0:
                    w[i] = rng.randrange(0, 12)
                else:  # a character
                    w[i] = rng.getrandbits(32)

        path = tampered(tmp_path, part, scramble)
        try:
            tok = qieci.Tokenizer(path)
            tok.initialize()
        except ValueError as exc:
            assert str(path) in str(exc)
            continue
        for text in TEXTS + ["北京大学" * 40, "a" * 300]:
            assert "".join(tok.lcut(text)) == text  # still lossless
            assert "".join(tok.lcut(text, HMM=False)) == text
            tok.lcut(text, cut_all=True)
            tok.lcut_for_search(text)
