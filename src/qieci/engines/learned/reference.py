"""Pure-Python reference of the learned engine's kernels (:mod:`qieci.engines.learned._learned`).

Slow and straightforward: the tests check that the compiled kernels give
exactly these results (normalisation, character classes, lexicon scan,
feature buckets, Viterbi with constraints, one perceptron step).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

M64 = (1 << 64) - 1
GOLD = 0x9E3779B97F4A7C15
BOS = 0x110001
EOS = 0x110002
MAX_WORD = 16
NEG = -(1 << 60)
# prev tag (B, M, E, S, start) -> allowed current tags
ALLOWED = ((0, 1, 1, 0), (0, 1, 1, 0), (1, 0, 0, 1), (1, 0, 0, 1), (1, 0, 0, 1))
_CNUM = frozenset("〇零一二三四五六七八九十百千万亿两")
_UNIT = frozenset("年月日时分秒号点岁元%‰")


def mix(h: int) -> int:
    h &= M64
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & M64
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & M64
    h ^= h >> 31
    return h


def norm(c: int) -> int:
    if 0xFF01 <= c <= 0xFF5E:
        return c - 0xFEE0
    if c == 0x3000:
        return 0x20
    return c


def is_space(c: int) -> bool:
    """Exactly the characters of ``str.isspace()``."""
    return c < 0x110000 and chr(c).isspace()


def char_class(c: int) -> int:
    if c in (BOS, EOS):
        return 8
    if is_space(c):
        return 7
    if 0x30 <= c <= 0x39:
        return 2
    if 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A:
        return 3
    if c < 0x110000 and chr(c) in _CNUM:
        return 4
    if c < 0x110000 and chr(c) in _UNIT:
        return 5
    if (
        0x4E00 <= c <= 0x9FFF
        or 0x3400 <= c <= 0x4DBF
        or 0x20000 <= c <= 0x2FFFF
        or 0xF900 <= c <= 0xFAFF
    ):
        return 1
    if (
        0x21 <= c <= 0x2F
        or 0x3A <= c <= 0x40
        or 0x5B <= c <= 0x60
        or 0x7B <= c <= 0x7E
        or 0x2000 <= c <= 0x206F
        or 0x3000 <= c <= 0x303F
        or 0xFF00 <= c <= 0xFFEF
        or 0xFE30 <= c <= 0xFE4F
        or 0xA1 <= c <= 0xBF
    ):
        return 6
    return 0


SALT_BITS = 16


def salt(s: int, bits: int) -> int:
    """Standard ``s``'s XOR salt: low bits only (see ``fold``)."""
    mask = (1 << min(bits, SALT_BITS)) - 1
    x = mix((s * 0xD1B54A32D192ED03 + 12345) & M64) & mask
    return x or 1


def lex_scan(words: Iterable[str], text: str) -> tuple[list[int], ...]:
    """Longest lexicon word starting at, ending at, strictly covering each
    char (0: none), and bit masks of the lengths of the 2+ char words
    starting / ending at each char (bit 0: 2 chars, 1: 3, 2: 4, 3: 5+);
    words compared after normalisation, at most MAX_WORD chars."""
    lex = {"".join(chr(norm(ord(c))) for c in w) for w in words if 0 < len(w) <= MAX_WORD}
    x = "".join(chr(norm(ord(c))) for c in text)
    n = len(x)
    start, end, mid, smask, emask = [0] * n, [0] * n, [0] * n, [0] * n, [0] * n
    for i in range(n):
        for j in range(i, min(n, i + MAX_WORD)):
            if x[i : j + 1] in lex:
                L = j - i + 1
                start[i] = max(start[i], L)
                end[j] = max(end[j], L)
                for k in range(i + 1, j):
                    mid[k] = max(mid[k], L)
                if L >= 2:
                    bit = 1 << min(L - 2, 3)
                    smask[i] |= bit
                    emask[j] |= bit
    return start, end, mid, smask, emask


# -- domain statistics ------------------------------------------------------

FNV = 0xCBF29CE484222325


def han_like(c: int) -> bool:
    """Chars of domain grams: classes 1, 4 and 5 but % and ‰."""
    k = char_class(c)
    return k in (1, 4) or (k == 5 and c not in (0x25, 0x2030))


def gram_key(gram: str) -> int:
    """The key of a (normalised) gram, as the kernel computes it."""
    h = FNV
    for ch in gram:
        h = ((h ^ ord(ch)) * 0x100000001B3) & M64
    return mix(h ^ (len(gram) * GOLD & M64)) | 1


def _bucket(h: float) -> int:
    return max(0, min(7, int(h * 2.0)))


def domain_table(lines: Iterable[str], min_count: int = 2) -> dict[int, int]:
    """Gram key -> value (right entropy bucket | left entropy bucket << 3)
    of the Han grams of 2..4 chars of ``lines`` seen ``min_count`` times,
    as ``DomainCounter.table`` gives (zero values left out)."""
    import math
    from collections import Counter

    counts: Counter[str] = Counter()
    for line in lines:
        x = "".join(chr(norm(ord(c))) for c in line)
        for i in range(len(x)):
            for L in range(1, 6):
                g = x[i : i + L]
                if len(g) < L or not all(han_like(ord(c)) for c in g):
                    break
                counts[g] += 1
    sr: dict[str, float] = {}
    sl: dict[str, float] = {}
    for g, c in counts.items():
        if len(g) >= 3:
            sr[g[:-1]] = sr.get(g[:-1], 0.0) + c * math.log(c)
            sl[g[1:]] = sl.get(g[1:], 0.0) + c * math.log(c)
    out = {}
    for g, c in counts.items():
        if 2 <= len(g) <= 4 and c >= min_count:
            right = math.log(c) - sr.get(g, 0.0) / c
            left = math.log(c) - sl.get(g, 0.0) / c
            v = _bucket(right) | _bucket(left) << 3
            if v:
                out[gram_key(g)] = v
    return out


def domain_values(table: dict[int, int], text: str) -> list[list[int]]:
    """Per char of ``text``, the values of the grams of 2, 3, 4 chars
    starting there (0: absent or not all Han)."""
    x = "".join(chr(norm(ord(c))) for c in text)
    out = []
    for i in range(len(x)):
        row = [0, 0, 0]
        for L in (2, 3, 4):
            g = x[i : i + L]
            if len(g) < L or not all(han_like(ord(c)) for c in g):
                break
            row[L - 2] = table.get(gram_key(g), 0)
        out.append(row)
    return out


def _h(t: int, v: int) -> int:
    return mix(v ^ ((t + 1) * GOLD & M64))


def feature_buckets(
    words: Iterable[str],
    text: str,
    bits: int,
    std_words: Iterable[str] | None = None,
    domain: dict[int, int] | None = None,
) -> list[list[int]]:
    """The 34 feature buckets of each char of ``text``; ``words``: the
    lexicon of all standards, ``std_words``: the decoded standard's own
    (None: no such lexicon, its features are all 0); ``domain``: the
    domain table (:func:`domain_table`; None: no domain, constant
    features)."""
    mask = (1 << bits) - 1
    ls, le, lm, sm, em = lex_scan(words, text)
    ls2, le2, lm2, sm2, em2 = lex_scan(std_words if std_words is not None else (), text)
    absent = 0 if std_words is not None else 1 << 60
    x = [BOS, BOS] + [norm(ord(c)) for c in text] + [EOS, EOS]
    n = len(text)

    def lb(v: int) -> int:
        return min(v, 6)

    dv = domain_values(domain or {}, text)
    nodom = 0 if domain is not None else 1 << 60

    def dl(i: int, L: int) -> int:  # left bucket of the gram starting at i
        return dv[i][L - 2] >> 3 if 0 <= i < n else 0

    def dr(i: int, L: int) -> int:  # right bucket of the gram ending at i
        s = i - L + 1
        return dv[s][L - 2] & 7 if s >= 0 and i < n else 0

    out = []
    for i in range(n):
        a, b, c, d, e = x[i : i + 5]
        cls = char_class
        le_prev = le[i - 1] if i > 0 else 0
        ls_next = ls[i + 1] if i + 1 < n else 0
        vals = [
            0,
            a,
            b,
            c,
            d,
            e,
            a | b << 21,
            b | c << 21,
            c | d << 21,
            d | e << 21,
            b | c << 21 | d << 42,
            a | b << 21 | c << 42,
            c | d << 21 | e << 42,
            cls(b) | cls(c) << 4 | cls(d) << 8 | cls(a) << 12 | cls(e) << 16,
            lb(ls[i]),
            lb(le[i]),
            lb(lm[i]),
            lb(ls[i]) | lb(le_prev) << 4 | lb(le[i]) << 8 | lb(ls_next) << 12,
            (c == b) | (c == d) << 1 | (b == d) << 2 | (a == c) << 3 | cls(c) << 4,
            b | d << 21,
            c | lb(ls[i]) << 21,
            c | lb(le[i]) << 21,
            c | lb(lm[i]) << 21,
            sm[i] | em[i] << 4,
            (em[i - 1] if i > 0 else 0) | sm[i] << 4,
            lb(ls2[i]) | absent,
            lb(le2[i]) | absent,
            lb(lm2[i]) | absent,
            sm2[i] | em2[i] << 4 | absent,
            (em2[i - 1] if i > 0 else 0)
            | sm2[i] << 4
            | lb(ls2[i]) << 8
            | lb(le2[i]) << 12
            | absent,
            dl(i, 2) | dl(i, 3) << 3 | dl(i, 4) << 6 | nodom,
            dr(i, 2) | dr(i, 3) << 3 | dr(i, 4) << 6 | nodom,
            dr(i - 1, 2) | dl(i, 2) << 3 | dr(i - 1, 3) << 6 | dl(i, 3) << 9 | nodom,
            dr(i, 2) | dl(i + 1, 2) << 3 | dr(i, 3) << 6 | dl(i + 1, 3) << 9 | nodom,
        ]
        out.append([_h(t, v) & mask for t, v in enumerate(vals)])
    return out


def viterbi(score: Sequence[Sequence[int]], trans: Sequence[int], mask: Sequence[int]) -> list[int]:
    """Best tag sequence; ties to the smaller tag (first found); all S when
    the mask admits no sequence."""
    tags = best_path(score, trans, mask)
    return [3] * len(score) if tags is None else tags


def best_path(
    score: Sequence[Sequence[int]], trans: Sequence[int], mask: Sequence[int]
) -> list[int] | None:
    """Best tag sequence, or None when the mask admits none."""
    n = len(score)
    if n == 0:
        return []
    prev = [
        score[0][t] + trans[16 + t] if ALLOWED[4][t] and mask[0] >> t & 1 else NEG for t in range(4)
    ]
    back = [[-1] * 4 for _ in range(n)]
    for i in range(1, n):
        cur = [NEG] * 4
        for t in range(4):
            if not mask[i] >> t & 1:
                continue
            best, bp = NEG, -1
            for p in range(4):
                if ALLOWED[p][t] and prev[p] > NEG:
                    v = prev[p] + trans[p * 4 + t]
                    if bp < 0 or v > best:
                        best, bp = v, p
            back[i][t] = bp
            if bp >= 0:
                cur[t] = best + score[i][t]
        prev = cur
    bp = -1
    best = NEG
    for t in (2, 3):
        if prev[t] > NEG and (bp < 0 or prev[t] > best):
            best, bp = prev[t], t
    if bp < 0:
        return None
    tags = [0] * n
    tags[-1] = bp
    for i in range(n - 1, 0, -1):
        bp = back[i][bp]
        tags[i - 1] = bp
    return tags


def scores(
    table: Sequence[int], buckets: list[list[int]], bits: int, std: int, templates: int = 34
) -> list[list[int]]:
    """Emission scores: per char, per tag, the sum of the folded rows of
    the first ``templates`` features (30: a model without the domain ones)."""
    return [
        [sum(table[fold_index(b, bits, std) * 4 + t] for b in row[:templates]) for t in range(4)]
        for row in buckets
    ]


def decode(
    table: Sequence[int],
    trans: Sequence[int],
    words: Iterable[str],
    text: str,
    bits: int,
    std: int,
    forced: bytes | None = None,
    std_words: Iterable[str] | None = None,
    domain: dict[int, int] | None = None,
    templates: int = 34,
) -> list[int]:
    """The tags the compiled Decoder gives with the folded ``table`` of
    standard ``std`` (whitespace forced to S; when the forced mask admits
    nothing, decoding without it)."""
    sc = scores(table, feature_buckets(words, text, bits, std_words, domain), bits, std, templates)
    space = [is_space(norm(ord(c))) for c in text]
    mask = [8 if sp else (forced[i] if forced is not None else 15) for i, sp in enumerate(space)]
    tags = best_path(sc, trans, mask)
    if tags is None and forced is not None:
        tags = best_path(sc, trans, [8 if sp else 15 for sp in space])
    return [3] * len(text) if tags is None else tags


def fold_index(b: int, bits: int, std: int) -> int:
    """Row of bucket ``b`` in standard ``std``'s folded table: ``b`` and
    ``b ^ salt`` share a row; it is the member whose bit k (the salt's top
    bit) is clear, with bit k removed."""
    sl = salt(std, bits)
    k = sl.bit_length() - 1
    if b >> k & 1:
        b ^= sl
    return (b >> (k + 1)) << k | (b & ((1 << k) - 1))


def fold(raw: Sequence[int], bits: int, std: int, parent: int = 0) -> list[int]:
    """Folded table: row ``fold_index(b)`` = ``raw[b] + raw[b ^ salt]`` per
    tag, plus, with a ``parent`` standard, ``raw[b ^ psalt] + raw[b ^ salt ^
    psalt]``; saturated to int16."""
    sl = salt(std, bits)
    sp = salt(parent, bits) if parent else 0
    out = [0] * ((1 << (bits - 1)) * 4)
    for b in range(1 << bits):
        r = fold_index(b, bits, std)
        for t in range(4):
            v = raw[b * 4 + t] + raw[(b ^ sl) * 4 + t]
            if parent:
                v += raw[(b ^ sp) * 4 + t] + raw[(b ^ sl ^ sp) * 4 + t]
            out[r * 4 + t] = max(-32768, min(32767, v))
    return out


def train_step(
    W: list[int],
    U: list[int],
    TW: list[int],
    TU: list[int],
    c: int,
    words: Iterable[str],
    text: str,
    gold: bytes,
    std: int,
    bits: int,
    std_words: Iterable[str] | None = None,
    shared_step: int = 1,
    std_step: int = 1,
    domain: dict[int, int] | None = None,
    parent: int = 0,
) -> int:
    """One perceptron step (in place), as ``Perceptron.train``; returns the
    number of wrongly tagged chars. The shared weights move by
    ``shared_step``, the standard's own by ``std_step``; a ``parent``'s own
    weights count in the scores and do not move."""
    n = len(text)
    if n == 0:
        return 0
    sl = salt(std, bits)
    sp = salt(parent, bits) if parent else 0
    buckets = feature_buckets(words, text, bits, std_words, domain)
    sc = []
    for row in buckets:
        s = [0] * 4
        for b in row:
            for t in range(4):
                s[t] += W[b * 4 + t] + W[(b ^ sl) * 4 + t]
                if parent:
                    s[t] += W[(b ^ sp) * 4 + t] + W[(b ^ sl ^ sp) * 4 + t]
        sc.append(s)
    tr = [TW[i] + TW[std * 20 + i] + (TW[parent * 20 + i] if parent else 0) for i in range(20)]
    pred = viterbi(sc, tr, [15] * n)
    errors = 0
    for i in range(n):
        gt, pt = gold[i], pred[i]
        if gt != pt:
            errors += 1
            for b in buckets[i]:
                for bb, step in ((b, shared_step), (b ^ sl, std_step)):
                    W[bb * 4 + gt] += step
                    U[bb * 4 + gt] += c * step
                    W[bb * 4 + pt] -= step
                    U[bb * 4 + pt] -= c * step
        gp = gold[i - 1] if i > 0 else 4
        pp = pred[i - 1] if i > 0 else 4
        if gt != pt or gp != pp:
            for base, step in ((0, shared_step), (std * 20, std_step)):
                TW[base + gp * 4 + gt] += step
                TU[base + gp * 4 + gt] += c * step
                TW[base + pp * 4 + pt] -= step
                TU[base + pp * 4 + pt] -= c * step
    return errors
