"""One Tokenizer shared by threads: same results, no crash under edits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import qieci


def test_eight_threads_match_sequential_results(test_corpus_lines):
    tok = qieci.Tokenizer()
    chunks = [test_corpus_lines[i::8][:1500] for i in range(8)]
    expected = [[tok.lcut(s) for s in chunk] for chunk in chunks]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda chunk: [tok.lcut(s) for s in chunk], chunks))
    assert got == expected


def test_add_word_during_concurrent_cutting(test_corpus_lines):
    tok = qieci.Tokenizer()
    texts = test_corpus_lines[:800]
    new_words = [f"新词{i:04d}号" for i in range(3000)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def cutter():
        try:
            while not stop.is_set():
                for s in texts[:200]:
                    assert "".join(tok.lcut(s)) == s
                    assert "".join(w for w, _, _ in tok.tokenize(s, mode="search")) != "" or not s
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=cutter) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        for i, w in enumerate(new_words):
            tok.add_word(w, 10 + i)
            if i % 10 == 0:
                tok.del_word(new_words[i // 2])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:1]
    # the dictionary is intact: every edit landed, and cutting equals a
    # tokenizer that received the same edits without any concurrency
    fresh = qieci.Tokenizer()
    for i, w in enumerate(new_words):
        fresh.add_word(w, 10 + i)
        if i % 10 == 0:
            fresh.del_word(new_words[i // 2])
    assert tok.total == fresh.total
    for w in new_words:
        assert tok.get_FREQ(w) == fresh.get_FREQ(w)
    for s in texts + ["他说新词0100号和新词2999号都不错"]:
        assert tok.lcut(s) == fresh.lcut(s)
