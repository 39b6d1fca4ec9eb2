"""The n-gram counter: the kernel against its twin and against the
definitions (substring counts, PMI, branching entropy), with and without
pruning."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qieci.discover import reference
from qieci.discover._discover import NgramCounter, char_id
from strategies import mixed_text

# few characters, so that grams repeat and pruning has choices to make
FEW = "天地人和日月山水\u3400\U00020000〇"
few_text = st.text(alphabet=FEW + "，。 ab1", max_size=60)
texts = st.lists(st.one_of(few_text, mixed_text), max_size=12)


def han_runs(text: str) -> list[str]:
    runs, cur = [], []
    for c in text:
        if reference.is_han(c):
            cur.append(c)
        elif cur:
            runs.append("".join(cur))
            cur = []
    if cur:
        runs.append("".join(cur))
    return runs


def true_counts(lines: list[str], order: int) -> Counter[str]:
    """Every substring of 1..order characters of every Han run."""
    c: Counter[str] = Counter()
    for line in lines:
        for run in han_runs(line):
            for i in range(len(run)):
                for n in range(1, order + 1):
                    if i + n <= len(run):
                        c[run[i : i + n]] += 1
    return c


def both(max_len: int, max_bytes: int) -> tuple[NgramCounter, reference.NgramCounter]:
    return NgramCounter(max_len, max_bytes), reference.NgramCounter(max_len, max_bytes)


def test_char_ids_match_the_twin_and_are_unique():
    chars = [chr(o) for o in range(0x3000, 0xFB00)] + [chr(0x20000), chr(0x3134F), chr(0x31350)]
    ids = [char_id(c) for c in chars]
    assert ids == [reference.char_id(c) for c in chars]
    nonzero = [i for i in ids if i]
    assert len(nonzero) == len(set(nonzero))
    assert max(nonzero) < 1 << 17
    assert char_id("a") == char_id("，") == char_id("1") == char_id("䷀") == 0
    assert char_id("〇") and char_id("中") and char_id("\U00020000")


@given(texts, st.integers(1, 6))
def test_counts_are_the_substring_counts_without_pruning(lines, max_len):
    k = NgramCounter(max_len, 64 << 20)
    for line in lines:
        k.add(line)
    truth = true_counts(lines, max_len + 1)
    assert dict(k.items()) == dict(truth)
    assert k.total == sum(len(r) for line in lines for r in han_runs(line))
    assert k.prunes == 0 and k.error == 0
    for g in list(truth)[:20]:
        assert k.count(g) == truth[g]
    assert k.count("不在其中的词") == 0 and k.count("ab") == 0


@given(texts, st.integers(1, 6), st.sampled_from([0, 1600, 3200, 10000]))
def test_kernel_equals_twin_even_when_pruning(lines, max_len, max_bytes):
    k, r = both(max_len, max_bytes)
    for line in lines:
        k.add(line)
        r.add(line)
    assert sorted(k.items()) == sorted(r.items())
    assert (k.total, k.error, k.prunes, k.slots) == (r.total, r.error, r.prunes, r.slots)
    assert len(k) == len(r)


# runs of at most 4 characters: never 9/10 full inside a run (which would
# prune before the run's end, where the sub-gram property is not promised)
short_runs = st.lists(st.text(alphabet=FEW, min_size=1, max_size=4), max_size=12).map("，".join)


@given(st.lists(short_runs, min_size=1, max_size=40), st.integers(1, 4))
def test_pruned_counts_stay_within_the_error_bound(lines, max_len):
    k = NgramCounter(max_len, 3200)  # 128 slots: prunes often
    for line in lines:
        k.add(line)
    truth = true_counts(lines, max_len + 1)
    got = dict(k.items())
    assert len(got) * 4 <= k.slots * 3
    for g, c in got.items():
        assert truth[g] - k.error <= c <= truth[g]
        # a gram kept keeps its sub-grams, with counts no lower
        for s in range(1, len(g)):
            assert got.get(g[:s], 0) >= c and got.get(g[s:], 0) >= c
    for g, c in truth.items():
        if c > k.error:
            assert g in got


def entropy_definition(w: str, counts: Counter[str], side: str) -> float:
    n = counts[w]
    nb = Counter(
        {
            g: c
            for g, c in counts.items()
            if len(g) == len(w) + 1 and (g[:-1] == w if side == "right" else g[1:] == w)
        }
    )
    h = -sum(c / n * math.log(c / n) for c in nb.values())
    singles = n - sum(nb.values())  # at the end of a run: each a neighbour of its own
    return h + singles * (1 / n) * math.log(n)


@given(st.lists(few_text, min_size=1, max_size=12), st.integers(2, 5), st.data())
def test_stats_follow_the_definitions(lines, max_len, data):
    k, r = both(max_len, 64 << 20)
    for line in lines:
        k.add(line)
        r.add(line)
    truth = true_counts(lines, max_len + 1)
    words = [g for g in truth if 2 <= len(g) <= max_len][:30]
    words += data.draw(
        st.lists(st.sampled_from(["天地", "ab", "", "天", "天地人和日月山"]), max_size=3)
    )
    got, twin = k.stats(words), r.stats(words)
    total = sum(truth[c] for c in truth if len(c) == 1)
    for w, g, t in zip(words, got, twin, strict=True):
        assert g[0] == t[0]
        assert g[1:] == pytest.approx(t[1:], rel=1e-9, abs=1e-12)
        if not (2 <= len(w) <= max_len and w in truth):
            assert g == (0, 0.0, 0.0, 0.0)
            continue
        n = truth[w]
        pmi = min(math.log(n * total / (truth[w[:s]] * truth[w[s:]])) for s in range(1, len(w)))
        assert g[0] == n
        assert g[1] == pytest.approx(pmi, rel=1e-9, abs=1e-12)
        assert g[2] == pytest.approx(entropy_definition(w, truth, "left"), abs=1e-9)
        assert g[3] == pytest.approx(entropy_definition(w, truth, "right"), abs=1e-9)


@given(
    st.lists(few_text, min_size=1, max_size=12),
    st.integers(1, 3),
    st.floats(-3, 3),
    st.sampled_from([-1, 0, 1, 5, 50]),
)
def test_candidates_equal_the_twin(lines, min_count, min_pmi, limit):
    k, r = both(4, 64 << 20)
    for line in lines:
        k.add(line)
        r.add(line)
    got = sorted(k.candidates(min_count, 2, 3, min_pmi, limit))
    want = sorted(r.candidates(min_count, 2, 3, min_pmi, limit))
    if limit >= 0:
        assert len(got) <= limit
        unlimited = k.candidates(min_count, 2, 3, min_pmi)
        if got:  # the most frequent are the ones kept
            least = min(c for _, c, _ in got)
            assert all(c < least or (w, c, p) in got for w, c, p in unlimited)
    assert [(w, c) for w, c, _ in got] == [(w, c) for w, c, _ in want]
    assert [p for *_, p in got] == pytest.approx([p for *_, p in want], rel=1e-12)
    assert all(2 <= len(w) <= 3 and c >= min_count and p >= min_pmi for w, c, p in got)


@given(st.lists(few_text, min_size=1, max_size=8), st.data())
def test_a_frozen_counter_counts_only_its_words_and_their_edges(lines, data):
    words = data.draw(st.lists(st.text(alphabet=FEW[:5], min_size=1, max_size=4), max_size=8))
    k, r = both(4, 1 << 20)
    for c in (k, r):
        c.add_words(words + ["ab", ""])
        c.freeze()
    truth = true_counts(lines, 5)
    for line in lines:
        cut = data.draw(st.lists(st.integers(0, len(line)), max_size=6))
        pieces, prev = [], 0
        for p in sorted(set(cut)):
            pieces.append(line[prev:p])
            prev = p
        pieces.append(line[prev:])
        bounds = bytearray(len(line) + 1)
        pos = 0
        for p in pieces:
            bounds[pos] = 1
            pos += len(p)
        bounds[len(line)] = 1
        k.add_cut(line, bytes(bounds))
        r.add_cut(line, bytes(bounds))
    assert sorted(k.edge_items()) == sorted(r.edge_items())
    for w, n, e in k.edge_items():
        assert w in words and n == truth[w] and 0 <= e <= n
    assert k.total == 0


def test_add_cut_checks_its_bounds():
    k = NgramCounter(2)
    with pytest.raises(ValueError, match="len\\(text\\) \\+ 1"):
        k.add_cut("天地", b"\x01\x01")


@given(st.lists(texts, min_size=1, max_size=3), st.sampled_from([1600, 64 << 20]))
def test_merging_dumps_equals_the_twin(parts, max_bytes):
    k, r = both(3, max_bytes)
    for lines in parts:
        pk, pr = both(3, 64 << 20)
        for line in lines:
            pk.add(line)
            pr.add(line)
        k.merge(pk.dump(), pk.total, pk.error)
        r.merge_items(
            sorted(pr.items(), key=lambda gc: list(pk.items()).index(gc)), pr.total, pr.error
        )
    assert sorted(k.items()) == sorted(r.items())
    assert (k.total, k.error) == (r.total, r.error)


def test_merge_refuses_what_is_not_a_dump():
    k = NgramCounter(2)
    with pytest.raises(ValueError, match="not a dump"):
        k.merge(b"abc", 0, 0)
    big = NgramCounter(5)
    big.add("天地人和日月")
    with pytest.raises(ValueError, match="max_len"):
        k.merge(big.dump(), 0, 0)


def test_max_len_is_checked():
    for bad in (0, 7):
        with pytest.raises(ValueError, match="max_len"):
            NgramCounter(bad)
        with pytest.raises(ValueError, match="max_len"):
            reference.NgramCounter(bad)


def test_a_long_random_text_prunes_within_the_bound():
    import random

    rng = random.Random(7)
    lines = [
        "，".join("".join(rng.choices(FEW[:6], k=rng.randint(1, 4))) for _ in range(20))
        for _ in range(50)
    ]
    k, r = both(3, 3200)
    for line in lines:
        k.add(line)
        r.add(line)
    assert k.prunes > 3 and k.error > 0
    assert sorted(k.items()) == sorted(r.items())
    truth = true_counts(lines, 4)
    got = dict(k.items())
    for g, c in got.items():
        assert truth[g] - k.error <= c <= truth[g]
        assert all(got.get(g[:s], 0) >= c and got.get(g[s:], 0) >= c for s in range(1, len(g)))
