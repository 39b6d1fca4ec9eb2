"""One Tokenizer shared by threads: same results, no crash under edits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import qieci


def test_eight_threads_match_sequential_results(test_corpus_lines):
    tok = qieci.Tokenizer()
    chunks = [test_corpus_lines[i::8][:1500] for i in range(8)]
    expected = [[tok.lcut(s) for s in chunk] for chunk in chunks]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda chunk: [tok.lcut(s) for s in chunk], chunks))
    assert got == expected


def edit(tok: qieci.Tokenizer, i: int, tag: str | None = None) -> None:
    """Edit number ``i`` of the tests below: add a new word, and every 10th
    time delete an earlier one."""
    tok.add_word(f"新词{i:04d}号", 10 + i, tag)
    if i % 10 == 0:
        tok.del_word(f"新词{i // 2:04d}号")


def concurrently(work, n_threads: int, edits) -> list[BaseException]:
    """Call ``work(k)`` over and over in thread k (of ``n_threads``) while
    ``edits()`` runs in this one; return what the threads raised."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            while not stop.is_set():
                work(k)
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    try:
        edits()
    finally:
        stop.set()
        for t in threads:
            t.join()
    return errors


def test_add_word_during_concurrent_cutting(test_corpus_lines):
    tok = qieci.Tokenizer()
    texts = test_corpus_lines[:800]
    n_edits = 3000

    def cutting(k: int) -> None:
        for s in texts[:200]:
            assert "".join(tok.lcut(s)) == s
            assert "".join(w for w, _, _ in tok.tokenize(s, mode="search")) != "" or not s

    errors = concurrently(cutting, 6, lambda: [edit(tok, i) for i in range(n_edits)])
    assert not errors, errors[:1]
    # the dictionary is intact: every edit landed, and cutting equals a
    # tokenizer that received the same edits without any concurrency
    fresh = qieci.Tokenizer()
    for i in range(n_edits):
        edit(fresh, i)
    assert tok.total == fresh.total
    for i in range(n_edits):
        assert tok.get_FREQ(f"新词{i:04d}号") == fresh.get_FREQ(f"新词{i:04d}号")
    for s in texts + ["他说新词0100号和新词2999号都不错"]:
        assert tok.lcut(s) == fresh.lcut(s)


def test_posseg_during_concurrent_edits(test_corpus_lines):
    """The tagger reads the tokenizer's live dictionary: tagging threads and
    edits (including a protected word, whose calls take the locked path)
    coexist, and the result equals the same edits made without threads."""
    from qieci.posseg import POSTokenizer

    texts = test_corpus_lines[:200] + ["他说新词0100号和Color OS 7都不错"]
    n_edits = 1500
    calls = [0] * 4

    def all_edits(tok: qieci.Tokenizer, pace: bool = False) -> None:
        deadline = time.monotonic() + 60  # should a tagging thread die
        for i in range(n_edits):
            edit(tok, i, "nz")
            if i == 700:
                tok.add_word("Color OS 7", 5, "nz")
            # spread the edits over many tagging calls of every thread
            while pace and min(calls) < i // 4 and time.monotonic() < deadline:
                time.sleep(0.0005)

    def tagging(k: int) -> None:
        for s in texts:
            assert "".join(p.word for p in tagger.lcut(s)) == s
            toks = tagger.tokenize(s, mode="search")
            assert all(s[a:b] == w for w, _, a, b in toks)
            calls[k] += 1

    tok = qieci.Tokenizer()
    tagger = POSTokenizer(tok)
    errors = concurrently(tagging, 4, lambda: all_edits(tok, pace=True))
    assert not errors, errors[:1]
    fresh = qieci.Tokenizer()
    all_edits(fresh)
    fresh_tagger = POSTokenizer(fresh)
    for s in texts:
        assert tagger.lcut(s) == fresh_tagger.lcut(s)
        assert tagger.tokenize(s, mode="search") == fresh_tagger.tokenize(s, mode="search")
    assert ("Color OS 7", "nz") in [tuple(p) for p in tagger.lcut(texts[-1])]


def flipping(tok: qieci.Tokenizer, word: str, freq: int | None, work, rounds: int) -> set[int]:
    """What ``work()`` returns, called at least ``rounds`` times while another
    thread adds and deletes ``word`` over and over (with a tiny switch
    interval, so that the threads interleave inside calls), and until it
    has seen the word both in and out of the dictionary (or 30 s passed)."""
    import sys

    stop = threading.Event()

    def flip() -> None:
        while not stop.is_set():
            tok.add_word(word, freq)
            tok.del_word(word)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    t = threading.Thread(target=flip)
    t.start()
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    try:
        n = 0
        while n < rounds or (len(seen) < 2 and time.monotonic() < deadline):
            seen.add(work())
            n += 1
        return seen
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)


def test_a_cut_around_protected_words_sees_an_edit_whole_or_not_at_all():
    # a protected user word (with a space) makes the jieba engine cut the
    # text piece by piece: each call must still see one dictionary
    tok = qieci.Tokenizer()
    tok.add_word("Color OS")
    word = "霍格沃茨魔法"
    text = ("我爱" + word + "Color OS") * 40
    lines = "\n".join(["我爱" + word + "Color OS"] * 40)
    counts = flipping(tok, word, 10**7, lambda: tok.lcut(text).count(word), 600)
    assert counts == {0, 40}, sorted(counts)  # both states, never a mix
    spans = flipping(
        tok, word, 10**7, lambda: [w for w, _, _ in tok.tokenize(text)].count(word), 300
    )
    assert spans == {0, 40}, sorted(spans)
    per_line = flipping(tok, word, 10**7, lambda: tok.cut_lines(lines).split().count(word), 300)
    assert per_line == {0, 40}, sorted(per_line)
    tagged = flipping(
        tok, word, 10**7, lambda: tok.cut_lines(lines, mode="pos").split().count(word + "/x"), 300
    )
    assert tagged == {0, 40}, sorted(tagged)


def test_learned_cut_lines_with_user_words_sees_an_edit_whole_or_not_at_all():
    tok = qieci.Tokenizer(engine="learned")
    tok.initialize()
    word = "霍格沃茨魔法"
    tok.add_word("另一个用户词")  # user words: lines go one by one
    lines = "\n".join(["我爱" + word + "。"] * 40)
    assert word not in tok.lcut(lines)  # the model alone does not make it a word
    counts = flipping(tok, word, None, lambda: tok.cut_lines(lines).split().count(word), 300)
    assert counts == {0, 40}, sorted(counts)
