# cython: language_level=3
"""Compiled kernels of the learned engine (see :mod:`qieci.engines.learned`).

A character-level B/M/E/S tagger: hashed features, a first-order Viterbi
decoder with hard structural constraints, and an averaged structured
perceptron trainer with feature augmentation (one shared weight plus one
per-standard weight per feature).

Contracts (mirrored line by line in :mod:`qieci.engines.learned.reference`):

* characters are normalised before use (:func:`normalize`): full-width ASCII
  (U+FF01..U+FF5E) to half width, U+3000 to a space;
* NF = 34 feature templates per character (the last four read the domain
  statistics of :class:`Domain`, constant without them); template ``t`` with packed
  value ``v`` hashes to bucket ``mix(v ^ (t+1)*GOLD) & mask``; the
  per-standard copy for standard ``s`` (1-based) lives in bucket
  ``b ^ salt(s)``, ``salt(s) < 2**16``;
* decoding one standard uses a *folded* table of ``2**(bits-1)`` rows:
  ``b`` and ``b ^ salt(s)`` share the row holding their summed weights
  (:func:`fold_into`, :func:`fold_row`);
* tags are B=0, M=1, E=2, S=3; B/M must be followed by M/E, E/S by B/S, a
  sentence starts with B/S and ends with E/S; ties in Viterbi go to the
  smaller tag index;
* a constraint mask (one byte per char, bit t = tag t allowed) restricts the
  decoder; whitespace is always S.
"""

from libc.stdlib cimport malloc, free, realloc, calloc
from libc.math cimport log
from libc.string cimport memcpy, memset
from libc.stdint cimport uint64_t, int64_t, int32_t, int16_t, uint8_t, uint16_t, uint32_t
from cpython.unicode cimport PyUnicode_KIND, PyUnicode_DATA, PyUnicode_FromKindAndData

import numpy as np
cimport numpy as cnp
from qieci._mem cimport huge_alloc, big_calloc, prefetch

cnp.import_array()

DEF PREFETCH = 4  # positions ahead whose weight rows are prefetched
DEF LEX_AHEAD = 8  # positions ahead whose lexicon slot is prefetched
DEF DOM_AHEAD = 8  # positions ahead whose domain grams are prefetched

DEF NT = 4
DEF NF = 34
DEF NF_NO_DOMAIN = 30  # the templates of a model without the domain features
DEF MAXWORD = 16
DEF BOS = 0x110001
DEF EOS = 0x110002
DEF SALT_BITS = 16
DEF DECODE_WINDOW = 32768  # characters decoded at once (Decoder.window)
DEF MARGIN = MAXWORD + 2  # context a window's features read beyond it
DEF ABSENT = 0x1000000000000000  # 2**60: "this standard has no lexicon of its own"

cdef extern from *:
    """
    /* constants the compiler folds into the feature hashes */
    #define QIECI_GOLD 0x9E3779B97F4A7C15ULL
    #define QIECI_NEG (-1152921504606846976LL)  /* -(2**60): impossible */
    """
    const uint64_t GOLD "QIECI_GOLD"
    const int64_t NEG "QIECI_NEG"

NUM_TEMPLATES = NF
NUM_TEMPLATES_NO_DOMAIN = NF_NO_DOMAIN
NUM_TAGS = NT
MAX_WORD = MAXWORD
FOLD_BLOCK_ROWS = 1 << SALT_BITS


cdef inline uint64_t mix(uint64_t h) nogil:
    h ^= h >> 30
    h *= 0xbf58476d1ce4e5b9ULL
    h ^= h >> 27
    h *= 0x94d049bb133111ebULL
    h ^= h >> 31
    return h


cdef inline uint32_t norm(uint32_t c) nogil:
    if 0xFF01 <= c <= 0xFF5E:
        return c - 0xFEE0
    if c == 0x3000:
        return 0x20
    return c


cdef inline int is_space(uint32_t c) nogil:
    # exactly the characters of str.isspace()
    if c < 0x80:
        return c == 0x20 or (0x09 <= c <= 0x0D) or (0x1C <= c <= 0x1F)
    return c == 0x85 or c == 0xA0 or c == 0x1680 or (0x2000 <= c <= 0x200A) or c == 0x2028 \
        or c == 0x2029 or c == 0x202F or c == 0x205F or c == 0x3000


cdef inline uint64_t cclass(uint32_t c) nogil:
    """0 other, 1 Han, 2 digit, 3 Latin, 4 Chinese numeral, 5 date/unit,
    6 punctuation, 7 space, 8 sentence edge."""
    if c == BOS or c == EOS:
        return 8
    if is_space(c):
        return 7
    if 0x30 <= c <= 0x39:
        return 2
    if (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A):
        return 3
    if c in (0x3007, 0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03,
             0x516B, 0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E07, 0x4EBF, 0x4E24):
        return 4  # 〇零一二三四五六七八九十百千万亿两
    if c in (0x5E74, 0x6708, 0x65E5, 0x65F6, 0x5206, 0x79D2, 0x53F7, 0x70B9, 0x5C81,
             0x5143, 0x0025, 0x2030):
        return 5  # 年月日时分秒号点岁元%‰
    if (0x4E00 <= c <= 0x9FFF) or (0x3400 <= c <= 0x4DBF) or (0x20000 <= c <= 0x2FFFF) \
            or (0xF900 <= c <= 0xFAFF):
        return 1
    if (0x21 <= c <= 0x2F) or (0x3A <= c <= 0x40) or (0x5B <= c <= 0x60) \
            or (0x7B <= c <= 0x7E) or (0x2000 <= c <= 0x206F) or (0x3000 <= c <= 0x303F) \
            or (0xFF00 <= c <= 0xFFEF) or (0xFE30 <= c <= 0xFE4F) or (0xA1 <= c <= 0xBF):
        return 6
    return 0


# the classes of the BMP, filled once at import from cclass (then only read)
cdef uint8_t CCLASS[0x10000]
cdef Py_ssize_t _c
for _c in range(0x10000):
    CCLASS[_c] = <uint8_t>cclass(<uint32_t>_c)


cdef inline uint64_t fast_class(uint32_t c) noexcept nogil:
    """``cclass(c)``, from the table in the BMP."""
    return CCLASS[c] if c < 0x10000 else cclass(c)


cdef extern from *:
    """
    /* The emission scores of one position: the sums, per tag, of its nf
       rows of 4 int16 weights (row offsets f[k], in int16 units). Summed
       in int32, which is exact: nf * 32768 < 2**31. */
    #if defined(__SSE2__)
    #include <emmintrin.h>
    static inline void qieci_sum_rows(const short *tab, const unsigned long long *f, int nf,
                                      long long *out) {
        __m128i acc = _mm_setzero_si128();
        int k;
        int tmp[4];
        for (k = 0; k < nf; k++) {
            __m128i r = _mm_loadl_epi64((const __m128i *)(tab + f[k]));
            acc = _mm_add_epi32(acc, _mm_srai_epi32(_mm_unpacklo_epi16(r, r), 16));
        }
        _mm_storeu_si128((__m128i *)tmp, acc);
        out[0] = tmp[0]; out[1] = tmp[1]; out[2] = tmp[2]; out[3] = tmp[3];
    }
    #else
    static inline void qieci_sum_rows(const short *tab, const unsigned long long *f, int nf,
                                      long long *out) {
        int k;
        int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (k = 0; k < nf; k++) {
            const short *row = tab + f[k];
            s0 += row[0]; s1 += row[1]; s2 += row[2]; s3 += row[3];
        }
        out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3;
    }
    #endif
    """
    void qieci_sum_rows(const cnp.int16_t *tab, const uint64_t *f, int nf,
                        int64_t *out) noexcept nogil


cdef extern from *:
    """
    #if defined(__GLIBC__)
    #include <malloc.h>
    static void qieci_learned_trim(void) { (void)malloc_trim(0); }
    #else
    static void qieci_learned_trim(void) { }
    #endif
    """
    void qieci_learned_trim() noexcept nogil


def trim_heap():
    """Give freed heap memory back to the OS (glibc; a no-op elsewhere):
    loading a model frees tens of MB of temporary buffers."""
    qieci_learned_trim()


def normalize(str text):
    """The normalised code points of ``text`` as a list of ints."""
    return [norm(ord(ch)) for ch in text]


def char_class(int c):
    return cclass(c)


def hash_feature(int t, uint64_t v):
    """Bucket-independent 64-bit hash of template ``t`` with packed value ``v``."""
    return mix(v ^ ((<uint64_t>(t + 1)) * GOLD))


def salt(int s, int bits):
    """The XOR salt of standard ``s`` (1-based) for a table of 2**bits buckets."""
    return _salt(s, bits)


cdef uint64_t _salt(int s, int bits):
    # only the low SALT_BITS bits: a bucket and its partner then lie in the
    # same aligned block of 2**SALT_BITS rows, so tables fold block by block
    cdef uint64_t mask = ((<uint64_t>1) << (bits if bits < SALT_BITS else SALT_BITS)) - 1
    cdef uint64_t x = mix((<uint64_t>s) * 0xD1B54A32D192ED03ULL + 12345) & mask
    if x == 0:
        x = 1
    return x


# ---------------------------------------------------------------------------
# Lexicon: an open-addressing set of word prefixes (hashes of code points)


cdef inline uint64_t lex_step(uint64_t h, uint32_t c) nogil:
    return (h ^ c) * 0x100000001B3ULL


cdef inline void lex_prefetch(const uint32_t *slots, uint64_t mask, const uint32_t *x,
                              Py_ssize_t i, Py_ssize_t n, uint64_t *keys) noexcept nogil:
    """The keys of the prefixes ``x[i:i+2]`` and ``x[i:i+3]`` (those inside
    the text) into ``keys[0]``, ``keys[1]``, their home slots prefetched."""
    cdef uint64_t h
    if i + 1 < n:
        h = lex_step(lex_step(0xcbf29ce484222325ULL, x[i]), x[i + 1])
        keys[0] = mix(h)
        prefetch(slots + (keys[0] & mask))
        if i + 2 < n:
            keys[1] = mix(lex_step(h, x[i + 2]))
            prefetch(slots + (keys[1] & mask))


cdef class Lexicon:
    """A set of words (normalised) for the lexicon features: a hash table of
    the hashes of every word and of every prefix of a word. Words longer
    than MAX_WORD characters are ignored. Built once, from ``words`` (any
    iterable of str) and/or ``text`` (words separated by ``\\n``, read
    without making a str per word), then read-only.

    A slot is 32 bits: a 29-bit fingerprint of the 64-bit prefix hash, an
    occupied bit and two flags (is a word; has a longer continuation). The
    home slot comes from other bits of the same hash, so two prefixes are
    confused only when 50+ hash bits agree.
    """

    cdef uint32_t *slots
    cdef uint8_t *first       # the low 3 bits of the slot of each one-char prefix in the BMP
    cdef uint64_t mask
    cdef Py_ssize_t count
    cdef Py_ssize_t capacity
    cdef Py_ssize_t words

    def __cinit__(self, words=(), str text=None):
        self.first = NULL
        cdef Py_ssize_t bound = 0, size = 1024
        words = [w for w in words if isinstance(w, str)] if words else []
        for w in words:
            bound += min(len(<str>w), MAXWORD)
        if text is not None:
            bound += len(text)
        while size * 3 < bound * 4:
            size <<= 1
        # zeroed, on huge pages when large: the walks are random lookups
        self.slots = <uint32_t *>big_calloc(size * sizeof(uint32_t))
        self.first = <uint8_t *>malloc(0x10000)
        if self.slots == NULL or self.first == NULL:
            raise MemoryError()
        self.mask = size - 1
        self.capacity = size - size // 8
        self.count = 0
        self.words = 0
        for w in words:
            self._add(w)
        if text is not None:
            self._add_lines(text)
        # every walk starts with a one-char prefix: those of the BMP are read
        # from this table (the same bits as their slots), not probed
        cdef uint32_t c
        for c in range(0x10000):
            self.first[c] = self.slots[self._slot(mix(lex_step(0xcbf29ce484222325ULL, c)))] & 7

    def __dealloc__(self):
        free(self.slots)
        free(self.first)

    def __len__(self):
        return self.words

    cdef Py_ssize_t _slot(self, uint64_t key) noexcept nogil:
        """The slot holding ``key``'s fingerprint, or the empty slot where
        it would go."""
        cdef uint64_t i = key & self.mask
        cdef uint32_t fp = <uint32_t>((key >> 35) << 3) | 4
        while self.slots[i] != 0 and (self.slots[i] | 3) != (fp | 3):
            i = (i + 1) & self.mask
        return i

    cdef int _put(self, uint64_t key, uint32_t flag) except -1:
        cdef Py_ssize_t i = self._slot(key)
        if self.slots[i] == 0:
            if self.count >= self.capacity:
                raise RuntimeError("lexicon table full")  # the bound makes this unreachable
            self.slots[i] = <uint32_t>((key >> 35) << 3) | 4
            self.count += 1
        self.slots[i] |= flag
        return 0

    cdef int _add(self, str word) except -1:
        cdef uint64_t h = 0xcbf29ce484222325ULL
        cdef Py_ssize_t n = len(word), k = 0
        cdef Py_UCS4 ch
        if n == 0 or n > MAXWORD:
            return 0
        for ch in word:
            h = lex_step(h, norm(ch))
            k += 1
            self._put(mix(h), 1 if k == n else 2)
        self.words += 1
        return 0

    cdef int _add_lines(self, str text) except -1:
        cdef uint64_t h = 0xcbf29ce484222325ULL
        cdef Py_ssize_t k = 0
        cdef Py_UCS4 ch
        cdef uint64_t keys[MAXWORD]
        cdef Py_ssize_t i
        for ch in text:
            if ch == 10:
                if 0 < k <= MAXWORD:
                    for i in range(k):
                        self._put(keys[i], 1 if i == k - 1 else 2)
                    self.words += 1
                h = 0xcbf29ce484222325ULL
                k = 0
                continue
            h = lex_step(h, norm(ch))
            if k < MAXWORD:
                keys[k] = mix(h)
            k += 1
        if 0 < k <= MAXWORD:
            for i in range(k):
                self._put(keys[i], 1 if i == k - 1 else 2)
            self.words += 1
        return 0

    def __contains__(self, word):
        cdef uint64_t h = 0xcbf29ce484222325ULL
        cdef Py_ssize_t i
        cdef Py_UCS4 ch
        if not isinstance(word, str) or len(word) == 0 or len(word) > MAXWORD:
            return False
        for ch in <str>word:
            h = lex_step(h, norm(ch))
        i = self._slot(mix(h))
        return self.slots[i] != 0 and (self.slots[i] & 1) != 0

    cdef void scan(self, const uint32_t *x, Py_ssize_t n, uint8_t *start,
                   uint8_t *end, uint8_t *mid, uint8_t *smask,
                   uint8_t *emask) noexcept nogil:
        """Longest word starting at / ending at / strictly covering each
        char (0 when none), over the normalised chars ``x[0:n]``; and the
        lengths of the words (of 2+ chars) starting / ending at each char as
        bit masks (bit 0: 2 chars, 1: 3, 2: 4, 3: 5 or more)."""
        cdef Py_ssize_t i, j, k, L
        cdef uint64_t h
        cdef Py_ssize_t s
        cdef uint8_t bit
        memset(start, 0, n)
        memset(end, 0, n)
        memset(mid, 0, n)
        memset(smask, 0, n)
        memset(emask, 0, n)
        cdef const uint32_t *slots = self.slots
        cdef const uint8_t *first = self.first
        cdef uint64_t mask = self.mask, key
        cdef uint32_t fp, v
        # the keys of the two and three chars at each position, made LEX_AHEAD
        # positions ahead of the walk (a ring), their slots prefetched: most
        # walks go there
        cdef uint64_t ring[LEX_AHEAD * 2]
        cdef uint64_t k2, k3
        for i in range(min(n, LEX_AHEAD)):
            lex_prefetch(slots, mask, x, i, n, ring + 2 * i)
        for i in range(n):
            k2 = ring[2 * (i % LEX_AHEAD)]
            k3 = ring[2 * (i % LEX_AHEAD) + 1]
            if i + LEX_AHEAD < n:
                lex_prefetch(slots, mask, x, i + LEX_AHEAD, n, ring + 2 * (i % LEX_AHEAD))
            h = 0xcbf29ce484222325ULL
            j = i
            while j < n and j - i < MAXWORD:
                h = lex_step(h, x[j])
                if j == i and x[j] < 0x10000:
                    v = first[x[j]]
                else:
                    # the slot of this prefix (see _slot), inlined
                    key = k2 if j == i + 1 else (k3 if j == i + 2 else mix(h))
                    s = key & mask
                    fp = <uint32_t>((key >> 35) << 3) | 7
                    v = slots[s]
                    while v != 0 and (v | 3) != fp:
                        s = (s + 1) & mask
                        v = slots[s]
                if v == 0:
                    break
                if v & 1:
                    L = j - i + 1
                    if L > start[i]:
                        start[i] = L
                    if L > end[j]:
                        end[j] = L
                    for k in range(i + 1, j):
                        if L > mid[k]:
                            mid[k] = L
                    if L >= 2:
                        bit = 1 << (L - 2 if L < 5 else 3)
                        smask[i] |= bit
                        emask[j] |= bit
                if not (v & 2):
                    break
                j += 1

    def lex_features(self, str text):
        """(start, end, mid, smask, emask) lists for ``text`` (see
        ``scan``); for tests."""
        cdef Py_ssize_t n = len(text)
        x = normalize(text)
        cdef uint32_t *buf = <uint32_t *>malloc((n + 1) * sizeof(uint32_t))
        cdef uint8_t *a = <uint8_t *>malloc(n + 1)
        cdef uint8_t *b = <uint8_t *>malloc(n + 1)
        cdef uint8_t *c = <uint8_t *>malloc(n + 1)
        cdef uint8_t *d = <uint8_t *>malloc(n + 1)
        cdef uint8_t *e = <uint8_t *>malloc(n + 1)
        try:
            for i in range(n):
                buf[i] = x[i]
            self.scan(buf, n, a, b, c, d, e)
            return ([a[i] for i in range(n)], [b[i] for i in range(n)],
                    [c[i] for i in range(n)], [d[i] for i in range(n)],
                    [e[i] for i in range(n)])
        finally:
            free(buf); free(a); free(b); free(c); free(d); free(e)


# ---------------------------------------------------------------------------
# Domain statistics: branching entropy of the Han n-grams of raw text

DEF DOMAIN_MIN_LEN = 2
DEF DOMAIN_MAX_LEN = 4          # grams whose entropies are features
DEF COUNT_MAX_LEN = 5           # grams counted (one longer, for the neighbours)


cdef inline bint han_like(uint32_t c) nogil:
    """Characters that domain grams are made of: Han, Chinese numerals and
    the Han date and unit characters (classes 1, 4, 5 but % and ‰)."""
    cdef uint64_t k = cclass(c)
    return k == 1 or k == 4 or (k == 5 and c != 0x25 and c != 0x2030)


cdef inline uint64_t gram_key(uint64_t h, Py_ssize_t L) nogil:
    """The key of a gram from its FNV-1a prefix hash ``h`` (as the Lexicon
    hashes words) and its length; never 0 (the empty slot)."""
    return mix(h ^ (<uint64_t>L * GOLD)) | 1


cdef inline uint8_t entropy_bucket(double h) nogil:
    """Branching entropy (nats) in half-nat steps, 0..7."""
    cdef int b = <int>(h * 2.0)
    return 7 if b > 7 else (0 if b < 0 else <uint8_t>b)


cdef struct _Gram:
    uint64_t key
    uint64_t pre       # key of the gram without its last char (0: length 1)
    uint64_t suf       # key of the gram without its first char
    uint32_t count
    uint32_t length


cdef class DomainCounter:
    """Counts the Han n-grams (1 to 5 chars) of raw text lines, then gives
    each gram of 2 to 4 chars seen ``min_count`` times its left and right
    branching entropy (:meth:`table`).

    The right entropy of ``g`` is over the chars that follow its
    occurrences: ``-sum p log p`` with ``p = count(g + x) / count(g)``;
    an occurrence at the end of a Han run (before punctuation, a Latin
    letter, a line end) counts as a neighbour of its own. The left entropy
    likewise. ``max_grams`` caps the distinct grams held (memory: 32 bytes
    each); once full, new grams are not counted, old ones still are.
    """

    cdef _Gram *slots
    cdef uint64_t cap
    cdef uint64_t used
    cdef readonly uint64_t max_grams
    cdef readonly uint64_t chars
    cdef readonly bint full

    def __cinit__(self, uint64_t max_grams=1 << 23):
        if max_grams < 16:
            raise ValueError("max_grams must be at least 16")
        self.max_grams = max_grams
        self.cap = 1024
        self.used = 0
        self.chars = 0
        self.full = False
        self.slots = <_Gram *>calloc(self.cap, sizeof(_Gram))
        if self.slots == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.slots)

    def __len__(self):
        return self.used

    cdef Py_ssize_t _find(self, uint64_t key) noexcept nogil:
        cdef uint64_t m = self.cap - 1, i = mix(key) & m
        while self.slots[i].key != 0 and self.slots[i].key != key:
            i = (i + 1) & m
        return i

    cdef int _grow(self) except -1:
        cdef _Gram *old = self.slots
        cdef uint64_t oldcap = self.cap, j
        cdef Py_ssize_t i
        cdef _Gram *fresh = <_Gram *>calloc(oldcap * 2, sizeof(_Gram))
        if fresh == NULL:
            raise MemoryError()
        self.slots = fresh
        self.cap = oldcap * 2
        for j in range(oldcap):
            if old[j].key != 0:
                i = self._find(old[j].key)
                self.slots[i] = old[j]
        free(old)
        return 0

    cdef int _count(self, uint64_t key, uint64_t pre, uint64_t suf, Py_ssize_t L) except -1:
        cdef Py_ssize_t i = self._find(key)
        if self.slots[i].key == key:
            self.slots[i].count += 1
            return 0
        if self.used >= self.max_grams:
            self.full = True
            return 0
        if 2 * (self.used + 1) > self.cap:
            self._grow()
            i = self._find(key)
        self.slots[i].key = key
        self.slots[i].pre = pre
        self.slots[i].suf = suf
        self.slots[i].count = 1
        self.slots[i].length = <uint32_t>L
        self.used += 1
        return 0

    def add(self, str text):
        """Count the grams of ``text`` (one or more lines)."""
        cdef Py_ssize_t n = len(text), i, j, k, L
        cdef uint32_t *x = <uint32_t *>malloc((n + 1) * sizeof(uint32_t))
        cdef uint64_t h, pre, suf
        cdef uint64_t keys[COUNT_MAX_LEN + 1]
        cdef Py_UCS4 ch
        if x == NULL:
            raise MemoryError()
        try:
            i = 0
            for ch in text:
                x[i] = norm(ch)
                i += 1
            self.chars += n
            for i in range(n):
                if not han_like(x[i]):
                    continue
                # keys of the grams x[i:i+L]; the suffix of x[i:i+L] is x[i+1:i+L]
                h = 0xcbf29ce484222325ULL
                L = 0
                while L < COUNT_MAX_LEN and i + L < n and han_like(x[i + L]):
                    h = lex_step(h, x[i + L])
                    L += 1
                    keys[L] = gram_key(h, L)
                for j in range(1, L + 1):
                    pre = keys[j - 1] if j > 1 else 0
                    if j > 1:
                        suf = 0xcbf29ce484222325ULL
                        for k in range(i + 1, i + j):
                            suf = lex_step(suf, x[k])
                        suf = gram_key(suf, j - 1)
                    else:
                        suf = 0
                    self._count(keys[j], pre, suf, j)
        finally:
            free(x)

    def table(self, int min_count=2):
        """``(keys, values)``: numpy uint64 and uint8 arrays, sorted by key,
        of the grams of 2..4 chars counted ``min_count`` times or more
        whose value is not 0; a value is the right entropy bucket (bits
        0-2) and the left entropy bucket (bits 3-5) (half nats, 0..7)."""
        cdef uint64_t j, k
        cdef Py_ssize_t i
        cdef double *sr = <double *>calloc(self.cap, sizeof(double))
        cdef double *sl = <double *>calloc(self.cap, sizeof(double))
        cdef double c, cnt
        cdef uint8_t v
        if sr == NULL or sl == NULL:
            free(sr); free(sl)
            raise MemoryError()
        try:
            for j in range(self.cap):
                if self.slots[j].key == 0 or self.slots[j].length < DOMAIN_MIN_LEN + 1:
                    continue
                c = self.slots[j].count
                i = self._find(self.slots[j].pre)
                if self.slots[i].key != 0:
                    sr[i] += c * log(c)
                i = self._find(self.slots[j].suf)
                if self.slots[i].key != 0:
                    sl[i] += c * log(c)
            keys = []
            vals = []
            for j in range(self.cap):
                if (self.slots[j].key == 0 or self.slots[j].count < min_count
                        or not DOMAIN_MIN_LEN <= self.slots[j].length <= DOMAIN_MAX_LEN):
                    continue
                cnt = self.slots[j].count
                v = entropy_bucket(log(cnt) - sr[j] / cnt) | (
                    entropy_bucket(log(cnt) - sl[j] / cnt) << 3)
                if v:
                    keys.append(self.slots[j].key)
                    vals.append(v)
        finally:
            free(sr); free(sl)
        order = np.argsort(np.array(keys, dtype=np.uint64), kind="stable")
        return (np.array(keys, dtype=np.uint64)[order], np.array(vals, dtype=np.uint8)[order])


cdef class Domain:
    """A domain's statistics for decoding: gram key -> value (see
    :meth:`DomainCounter.table`), an open-addressing table."""

    cdef uint64_t *keys
    cdef uint8_t *vals
    cdef uint64_t mask
    cdef readonly Py_ssize_t count

    def __cinit__(self, const uint64_t[::1] keys, const uint8_t[::1] vals):
        cdef Py_ssize_t n = keys.shape[0], k
        cdef uint64_t cap = 16, i
        if vals.shape[0] != n:
            raise ValueError("one value per key")
        while cap < <uint64_t>(2 * n + 2):
            cap *= 2
        self.keys = <uint64_t *>big_calloc(cap * sizeof(uint64_t))
        self.vals = <uint8_t *>big_calloc(cap)
        if self.keys == NULL or self.vals == NULL:
            raise MemoryError()
        self.mask = cap - 1
        self.count = 0
        for k in range(n):
            if keys[k] == 0 or vals[k] == 0 or vals[k] > 63:
                raise ValueError("domain table: a key of 0 or a value out of range")
            i = mix(keys[k]) & self.mask
            while self.keys[i] != 0 and self.keys[i] != keys[k]:
                i = (i + 1) & self.mask
            if self.keys[i] == 0:
                self.count += 1
            self.keys[i] = keys[k]
            self.vals[i] = vals[k]

    def __dealloc__(self):
        free(self.keys)
        free(self.vals)

    def __len__(self):
        return self.count

    cdef inline uint8_t get(self, uint64_t key) noexcept nogil:
        cdef uint64_t i = mix(key) & self.mask
        while self.keys[i] != 0:
            if self.keys[i] == key:
                return self.vals[i]
            i = (i + 1) & self.mask
        return 0

    cdef inline void _keys(self, const uint32_t *x, Py_ssize_t n, Py_ssize_t i,
                           uint64_t *dst) noexcept nogil:
        """The keys of the grams ``x[i:i+L]`` (L = 2..4; 0 when not all Han)
        into ``dst[L - 2]``, their slots prefetched."""
        cdef Py_ssize_t L
        cdef uint64_t h, k
        dst[0] = 0; dst[1] = 0; dst[2] = 0
        if not han_like(x[i]):
            return
        h = lex_step(0xcbf29ce484222325ULL, x[i])
        L = 1
        while L < DOMAIN_MAX_LEN and i + L < n and han_like(x[i + L]):
            h = lex_step(h, x[i + L])
            L += 1
            k = gram_key(h, L)
            dst[L - 2] = k
            prefetch(self.keys + (mix(k) & self.mask))
            prefetch(self.vals + (mix(k) & self.mask))

    cdef void scan(self, const uint32_t *x, Py_ssize_t n, uint8_t *out) noexcept nogil:
        """``out[i * 3 + L - 2]``: the value of the gram ``x[i:i+L]`` (L = 2..4;
        0 when absent or not all Han). The keys of the grams DOM_AHEAD
        positions ahead are made (and their slots prefetched) before they
        are looked up."""
        cdef Py_ssize_t i, L
        cdef uint64_t ring[DOM_AHEAD * 3]
        cdef uint64_t cur[3]
        cdef uint64_t *k
        memset(out, 0, 3 * n)
        for i in range(min(n, DOM_AHEAD)):
            self._keys(x, n, i, ring + i * 3)
        for i in range(n):
            k = ring + (i % DOM_AHEAD) * 3
            cur[0] = k[0]; cur[1] = k[1]; cur[2] = k[2]
            if i + DOM_AHEAD < n:
                self._keys(x, n, i + DOM_AHEAD, k)
            for L in range(3):
                if cur[L]:
                    out[i * 3 + L] = self.get(cur[L])

    def values(self, str text):
        """Per char, the values of the grams of 2, 3, 4 chars starting
        there; for tests."""
        cdef Py_ssize_t n = len(text), i
        x = normalize(text)
        cdef uint32_t *buf = <uint32_t *>malloc((n + 1) * sizeof(uint32_t))
        cdef uint8_t *o = <uint8_t *>malloc(3 * n + 1)
        try:
            for i in range(n):
                buf[i] = x[i]
            self.scan(buf, n, o)
            return [[o[i * 3], o[i * 3 + 1], o[i * 3 + 2]] for i in range(n)]
        finally:
            free(buf); free(o)


# ---------------------------------------------------------------------------
# Feature extraction


ctypedef signed char *int8_t_ptr


cdef inline uint64_t lexb(uint8_t L) nogil:
    return 6 if L >= 6 else L


cdef class _Work:
    """Reusable per-call buffers (grown on demand)."""
    cdef Py_ssize_t cap
    cdef uint32_t *x          # padded chars: x[0], x[1] = BOS; text at x[2:]
    cdef uint8_t *ls
    cdef uint8_t *le
    cdef uint8_t *lm
    cdef uint8_t *sm
    cdef uint8_t *em
    cdef uint8_t *l2          # the standard lexicon's ls, le, lm, sm, em: 5 * (cap + 1)
    cdef uint8_t *dom         # the domain values of the grams starting at each char: 3 * (cap + 1)
    cdef uint64_t *feats      # n * NF buckets
    cdef int64_t *score       # n * NT
    cdef int8_t_ptr back
    cdef uint8_t *mask
    cdef uint8_t *tags
    cdef uint8_t *forced      # a constraint mask made by the kernel (Decoder.cut_lines)

    def __cinit__(self):
        self.cap = 0
        self.x = NULL; self.ls = NULL; self.le = NULL; self.lm = NULL
        self.sm = NULL; self.em = NULL; self.l2 = NULL; self.dom = NULL
        self.feats = NULL; self.score = NULL; self.back = NULL; self.mask = NULL
        self.tags = NULL; self.forced = NULL

    def __dealloc__(self):
        free(self.x); free(self.ls); free(self.le); free(self.lm); free(self.feats)
        free(self.sm); free(self.em); free(self.l2); free(self.dom)
        free(self.score); free(self.back); free(self.mask); free(self.tags)
        free(self.forced)

    cdef int ensure(self, Py_ssize_t n) except -1:
        if self.x != NULL and n <= self.cap:
            return 0
        cdef Py_ssize_t c = max(n, 2 * self.cap, 256)
        self.x = <uint32_t *>realloc(self.x, (c + 4) * sizeof(uint32_t))
        self.ls = <uint8_t *>realloc(self.ls, c + 1)
        self.le = <uint8_t *>realloc(self.le, c + 1)
        self.lm = <uint8_t *>realloc(self.lm, c + 1)
        self.sm = <uint8_t *>realloc(self.sm, c + 1)
        self.em = <uint8_t *>realloc(self.em, c + 1)
        self.l2 = <uint8_t *>realloc(self.l2, 5 * (c + 1))
        self.dom = <uint8_t *>realloc(self.dom, 3 * (c + 1))
        self.feats = <uint64_t *>realloc(self.feats, (c + 1) * NF * sizeof(uint64_t))
        self.score = <int64_t *>realloc(self.score, (c + 1) * NT * sizeof(int64_t))
        self.back = <int8_t_ptr>realloc(self.back, (c + 1) * NT)
        self.mask = <uint8_t *>realloc(self.mask, c + 1)
        self.tags = <uint8_t *>realloc(self.tags, c + 1)
        self.forced = <uint8_t *>realloc(self.forced, c + 1)
        if (self.x == NULL or self.ls == NULL or self.le == NULL or self.lm == NULL
                or self.sm == NULL or self.em == NULL or self.l2 == NULL or self.dom == NULL
                or self.feats == NULL or self.score == NULL or self.back == NULL
                or self.mask == NULL or self.tags == NULL or self.forced == NULL):
            raise MemoryError()
        self.cap = c
        return 0



cdef Py_ssize_t load_text(_Work w, str text) except -1:
    cdef Py_ssize_t n = len(text), i = 2
    cdef Py_UCS4 ch
    w.ensure(n)
    w.x[0] = BOS
    w.x[1] = BOS
    for ch in text:
        w.x[i] = norm(<uint32_t>ch)
        i += 1
    w.x[n + 2] = EOS
    w.x[n + 3] = EOS
    return n


cdef Py_ssize_t load_chars(_Work w, const void *data, int kind, Py_ssize_t start,
                           Py_ssize_t n) except -1:
    """``load_text`` of the ``n`` characters at ``start`` of a str's data
    (``PyUnicode_DATA``, ``PyUnicode_KIND``): no str of its own."""
    cdef Py_ssize_t i
    cdef uint32_t *x
    w.ensure(n)
    x = w.x + 2
    w.x[0] = BOS
    w.x[1] = BOS
    if kind == 1:
        for i in range(n):
            x[i] = norm((<const uint8_t *>data)[start + i])
    elif kind == 2:
        for i in range(n):
            x[i] = norm((<const uint16_t *>data)[start + i])
    else:
        for i in range(n):
            x[i] = norm((<const uint32_t *>data)[start + i])
    x[n] = EOS
    x[n + 1] = EOS
    return n


cdef inline uint64_t dom_r(const uint8_t *dom, Py_ssize_t i, Py_ssize_t n, int L) noexcept nogil:
    """Right entropy bucket of the gram of ``L`` chars ending at ``i``."""
    cdef Py_ssize_t s = i - L + 1
    if s < 0 or i >= n:
        return 0
    return dom[s * 3 + L - 2] & 7


cdef inline uint64_t dom_l(const uint8_t *dom, Py_ssize_t i, Py_ssize_t n, int L) noexcept nogil:
    """Left entropy bucket of the gram of ``L`` chars starting at ``i``."""
    if i < 0 or i >= n:
        return 0
    return dom[i * 3 + L - 2] >> 3


cdef void extract_prepare(_Work w, Lexicon lex, Lexicon lex2, bint has2, Domain domain,
                          bint hasdom, Py_ssize_t n, int nf) noexcept nogil:
    """The lexicon (and domain) scans of the ``n`` chars in ``w.x`` that
    :func:`features_at` reads (see :func:`extract`)."""
    cdef const uint32_t *x = w.x + 2
    cdef Py_ssize_t stride = w.cap + 1
    lex.scan(x, n, w.ls, w.le, w.lm, w.sm, w.em)
    if nf > NF_NO_DOMAIN:
        if hasdom:
            domain.scan(x, n, w.dom)
        else:
            memset(w.dom, 0, 3 * n)
    if has2:
        lex2.scan(x, n, w.l2, w.l2 + stride, w.l2 + 2 * stride, w.l2 + 3 * stride,
                  w.l2 + 4 * stride)
    else:
        memset(w.l2, 0, 5 * stride)


cdef inline void features_at(_Work w, Py_ssize_t i, Py_ssize_t n, uint64_t absent,
                             uint64_t noddom, int nf, uint64_t *f) noexcept nogil:
    """The ``nf`` feature hashes of position ``i`` (not yet masked to
    buckets) into ``f``, after :func:`extract_prepare`. ``absent``: ABSENT
    when the standard has no lexicon of its own, else 0; ``noddom``:
    likewise without domain statistics."""
    cdef const uint32_t *x = w.x + 2
    cdef uint64_t a, b, c, d, e, ca, cb, cc
    cdef Py_ssize_t stride = w.cap + 1
    cdef const uint8_t *ls2 = w.l2
    cdef const uint8_t *le2 = w.l2 + stride
    cdef const uint8_t *lm2 = w.l2 + 2 * stride
    cdef const uint8_t *sm2 = w.l2 + 3 * stride
    cdef const uint8_t *em2 = w.l2 + 4 * stride
    cdef const uint8_t *dom = w.dom
    a = x[i - 2]; b = x[i - 1]; c = x[i]; d = x[i + 1]; e = x[i + 2]
    f[0] = mix(0 ^ (1 * GOLD))
    f[1] = mix(a ^ (2 * GOLD))
    f[2] = mix(b ^ (3 * GOLD))
    f[3] = mix(c ^ (4 * GOLD))
    f[4] = mix(d ^ (5 * GOLD))
    f[5] = mix(e ^ (6 * GOLD))
    f[6] = mix((a | (b << 21)) ^ (7 * GOLD))
    f[7] = mix((b | (c << 21)) ^ (8 * GOLD))
    f[8] = mix((c | (d << 21)) ^ (9 * GOLD))
    f[9] = mix((d | (e << 21)) ^ (10 * GOLD))
    f[10] = mix((b | (c << 21) | (d << 42)) ^ (11 * GOLD))
    f[11] = mix((a | (b << 21) | (c << 42)) ^ (12 * GOLD))
    f[12] = mix((c | (d << 21) | (e << 42)) ^ (13 * GOLD))
    ca = fast_class(b); cb = fast_class(c); cc = fast_class(d)
    f[13] = mix((ca | (cb << 4) | (cc << 8) | (fast_class(a) << 12) | (fast_class(e) << 16))
                ^ (14 * GOLD))
    f[14] = mix(lexb(w.ls[i]) ^ (15 * GOLD))
    f[15] = mix(lexb(w.le[i]) ^ (16 * GOLD))
    f[16] = mix(lexb(w.lm[i]) ^ (17 * GOLD))
    f[17] = mix((lexb(w.ls[i]) | (lexb(w.le[i - 1] if i > 0 else 0) << 4)
                 | (lexb(w.le[i]) << 8) | (lexb(w.ls[i + 1] if i + 1 < n else 0) << 12))
                ^ (18 * GOLD))
    f[18] = mix(((1 if c == b else 0) | (2 if c == d else 0) | (4 if b == d else 0)
                 | (8 if a == c else 0) | (cb << 4)) ^ (19 * GOLD))
    f[19] = mix((b | (d << 21)) ^ (20 * GOLD))
    f[20] = mix((c | (lexb(w.ls[i]) << 21)) ^ (21 * GOLD))
    f[21] = mix((c | (lexb(w.le[i]) << 21)) ^ (22 * GOLD))
    f[22] = mix((c | (lexb(w.lm[i]) << 21)) ^ (23 * GOLD))
    f[23] = mix((<uint64_t>w.sm[i] | (<uint64_t>w.em[i] << 4)) ^ (24 * GOLD))
    f[24] = mix((<uint64_t>(w.em[i - 1] if i > 0 else 0)
                 | (<uint64_t>w.sm[i] << 4)) ^ (25 * GOLD))
    # without a lexicon of its own, a standard gets constant values
    # (ABSENT set) unlike any standard that has one and finds nothing
    f[25] = mix((lexb(ls2[i]) | absent) ^ (26 * GOLD))
    f[26] = mix((lexb(le2[i]) | absent) ^ (27 * GOLD))
    f[27] = mix((lexb(lm2[i]) | absent) ^ (28 * GOLD))
    f[28] = mix((<uint64_t>sm2[i] | (<uint64_t>em2[i] << 4) | absent) ^ (29 * GOLD))
    f[29] = mix((<uint64_t>(em2[i - 1] if i > 0 else 0) | (<uint64_t>sm2[i] << 4)
                 | (lexb(ls2[i]) << 8) | (lexb(le2[i]) << 12) | absent) ^ (30 * GOLD))
    if nf <= NF_NO_DOMAIN:
        return
    # domain statistics: left entropies of the grams starting here (a
    # word may start here), right entropies of those ending here (one
    # may end here), and both across each edge of this char
    f[30] = mix((dom_l(dom, i, n, 2) | (dom_l(dom, i, n, 3) << 3)
                 | (dom_l(dom, i, n, 4) << 6) | noddom) ^ (31 * GOLD))
    f[31] = mix((dom_r(dom, i, n, 2) | (dom_r(dom, i, n, 3) << 3)
                 | (dom_r(dom, i, n, 4) << 6) | noddom) ^ (32 * GOLD))
    f[32] = mix((dom_r(dom, i - 1, n, 2) | (dom_l(dom, i, n, 2) << 3)
                 | (dom_r(dom, i - 1, n, 3) << 6) | (dom_l(dom, i, n, 3) << 9)
                 | noddom) ^ (33 * GOLD))
    f[33] = mix((dom_r(dom, i, n, 2) | (dom_l(dom, i + 1, n, 2) << 3)
                 | (dom_r(dom, i, n, 3) << 6) | (dom_l(dom, i + 1, n, 3) << 9)
                 | noddom) ^ (34 * GOLD))


cdef void extract(_Work w, Lexicon lex, Lexicon lex2, bint has2, Domain domain,
                  bint hasdom, Py_ssize_t n, uint64_t bmask, int nf=NF) noexcept nogil:
    """Fill ``w.feats`` with the NF bucket numbers of each position.
    ``lex``: the lexicon of every standard; ``lex2`` (when ``has2``): the
    lexicon of the decoded standard (its features are 0 without one);
    ``domain`` (when ``hasdom``): the domain statistics (without them their
    features are constants); ``nf``: NF, or NF_NO_DOMAIN to fill only the
    templates before the domain features (the others are left unset)."""
    cdef Py_ssize_t i, k
    cdef uint64_t *f
    cdef uint64_t absent = 0 if has2 else ABSENT
    cdef uint64_t noddom = 0 if hasdom else ABSENT
    extract_prepare(w, lex, lex2, has2, domain, hasdom, n, nf)
    for i in range(n):
        f = w.feats + i * NF
        features_at(w, i, n, absent, noddom, nf, f)
    for i in range(n):
        f = w.feats + i * NF
        for k in range(nf):
            f[k] &= bmask


def feature_buckets(Lexicon lex, str text, int bits, Lexicon lex2=None, Domain domain=None):
    """The NF bucket numbers of each char of ``text`` (list of lists); for
    tests against the reference."""
    cdef _Work w = _Work()
    cdef Py_ssize_t n = load_text(w, text)
    extract(w, lex, lex2, lex2 is not None, domain, domain is not None, n,
            ((<uint64_t>1) << bits) - 1)
    return [[w.feats[i * NF + k] for k in range(NF)] for i in range(n)]


# ---------------------------------------------------------------------------
# Viterbi

cdef int ALLOWED[5][4]
# prev tag (B, M, E, S, start) -> cur tag allowed
ALLOWED[0][:] = [0, 1, 1, 0]
ALLOWED[1][:] = [0, 1, 1, 0]
ALLOWED[2][:] = [1, 0, 0, 1]
ALLOWED[3][:] = [1, 0, 0, 1]
ALLOWED[4][:] = [1, 0, 0, 1]


cdef inline int best_before(const int64_t *prev, const int64_t *trans, int t, int p,
                            int64_t *best) noexcept nogil:
    """The better of tags ``p`` and ``p + 1`` before tag ``t`` (the first on
    a tie; one whose path is impossible never), its score in ``best``; -1
    when both are impossible."""
    cdef int bp = -1
    cdef int64_t v
    if prev[p] > NEG:
        best[0] = prev[p] + trans[p * NT + t]
        bp = p
    if prev[p + 1] > NEG:
        v = prev[p + 1] + trans[(p + 1) * NT + t]
        if bp < 0 or v > best[0]:
            best[0] = v
            bp = p + 1
    return bp


cdef void viterbi_forward(const int64_t *score, const int64_t *trans, Py_ssize_t first,
                          Py_ssize_t count, const uint8_t *mask, signed char *back,
                          int64_t *prev) noexcept nogil:
    """The forward pass of :func:`viterbi` over positions ``first ..
    first + count`` of a longer text: ``score`` and ``mask`` hold those
    positions only (index 0 is position ``first``), ``back`` the whole
    text's back pointers (``back[i * NT + t]``), and ``prev`` the four
    scores of the best paths up to position ``first - 1`` (set at position
    0 from the start row). Calling it window after window is one pass."""
    cdef Py_ssize_t k, i
    cdef int t, p, bp
    cdef int64_t best, v
    cdef int64_t cur[4]
    for k in range(count):
        i = first + k
        if i == 0:
            for t in range(NT):
                if ALLOWED[4][t] and (mask[0] >> t) & 1:
                    prev[t] = score[t] + trans[4 * NT + t]
                else:
                    prev[t] = NEG
            continue
        for t in range(NT):
            bp = -1
            if (mask[k] >> t) & 1:
                # the two tags that may come before t (ALLOWED), in order
                bp = best_before(prev, trans, t, 2 if t == 0 or t == 3 else 0, &best)
            back[i * NT + t] = bp
            cur[t] = best + score[k * NT + t] if bp >= 0 else NEG
        for t in range(NT):
            prev[t] = cur[t]


cdef int viterbi_finish(const int64_t *prev, const signed char *back, Py_ssize_t n,
                        uint8_t *tags) noexcept nogil:
    """The best final tag and the back-trace of :func:`viterbi`."""
    cdef Py_ssize_t i
    cdef int t, bp = -1
    cdef int64_t best = NEG
    if n == 0:
        return 0
    for t in range(2, 4):
        if prev[t] > NEG and (bp < 0 or prev[t] > best):
            best = prev[t]
            bp = t
    if bp < 0:
        for i in range(n):
            tags[i] = 3
        return -1
    tags[n - 1] = bp
    i = n - 1
    while i > 0:
        bp = back[i * NT + bp]
        tags[i - 1] = bp
        i -= 1
    return 0


cdef int viterbi(int64_t *score, const int64_t *trans, Py_ssize_t n,
                 const uint8_t *mask, signed char *back, uint8_t *tags) noexcept nogil:
    """Best tag sequence for emission scores ``score[n][4]`` and transition
    scores ``trans[5][4]`` (row 4: start); ``mask[i]`` bit t allows tag t.
    Writes ``tags``; returns 0, or -1 when no sequence satisfies the mask
    (then tags are all S)."""
    cdef int64_t prev[4]
    if n == 0:
        return 0
    viterbi_forward(score, trans, 0, n, mask, back, prev)
    return viterbi_finish(prev, back, n, tags)


def viterbi_tags(list score, list trans, list mask):
    """Viterbi over Python lists (score: n lists of 4 ints; trans: 20 ints;
    mask: n ints); returns the tag list. For tests against the reference."""
    cdef Py_ssize_t n = len(score), i
    cdef int64_t *s = <int64_t *>malloc((n + 1) * NT * sizeof(int64_t))
    cdef int64_t tr[20]
    cdef uint8_t *m = <uint8_t *>malloc(n + 1)
    cdef signed char *b = <signed char *>malloc((n + 1) * NT)
    cdef uint8_t *tg = <uint8_t *>malloc(n + 1)
    try:
        for i in range(n):
            for t in range(NT):
                s[i * NT + t] = score[i][t]
            m[i] = mask[i]
        for i in range(20):
            tr[i] = trans[i]
        viterbi(s, tr, n, m, b, tg)
        return [tg[i] for i in range(n)]
    finally:
        free(s); free(m); free(b); free(tg)


# ---------------------------------------------------------------------------
# Inference: a table for one standard


cdef inline int high_bit(uint64_t x) nogil:
    cdef int k = 0
    while x > 1:
        x >>= 1
        k += 1
    return k


cdef inline uint64_t fold_index(uint64_t b, uint64_t sl, int k) nogil:
    """Row of bucket ``b`` in a folded table: ``b`` and ``b ^ sl`` share one
    row (the shared + specific weights of both are the same sum); the row
    number is the member with bit ``k`` (the salt's top bit) clear, with
    that bit removed."""
    if (b >> k) & 1:
        b ^= sl
    return ((b >> (k + 1)) << k) | (b & (((<uint64_t>1) << k) - 1))


def fold_row(uint64_t b, int bits, int std):
    """The folded-table row of bucket ``b`` for standard ``std``."""
    cdef uint64_t sl = _salt(std, bits)
    return fold_index(b, sl, high_bit(sl))


cdef inline Py_UCS4 _char_at(const void *data, int kind, Py_ssize_t i) noexcept nogil:
    if kind == 1:
        return (<const uint8_t *>data)[i]
    if kind == 2:
        return (<const uint16_t *>data)[i]
    return (<const uint32_t *>data)[i]


cdef struct _Out:
    # a growing buffer of code points (the output of Decoder.cut_lines)
    Py_UCS4 *buf
    Py_ssize_t n
    Py_ssize_t cap


cdef int out_reserve(_Out *o, Py_ssize_t extra) except -1:
    """Room for ``extra`` more code points in ``o``."""
    cdef Py_ssize_t c
    cdef Py_UCS4 *p
    if o.n + extra <= o.cap:
        return 0
    c = max(2 * o.cap, o.n + extra, 256)
    p = <Py_UCS4 *>realloc(o.buf, c * sizeof(Py_UCS4))
    if p == NULL:
        raise MemoryError()
    o.buf = p
    o.cap = c
    return 0


cdef class Decoder:
    """Decodes with one standard's weights.

    ``table``: the folded int16 table of that standard (``2**(bits-1) * 4``
    values, see :func:`fold`), copied into the decoder; or None for an
    all-zero table to be filled with :meth:`fold_in`. ``trans``: 20
    transition weights (5 x 4, row 4 = start), already shared + specific;
    ``std``: the standard's 1-based index (it fixes the fold). The table
    lives in 2 MiB-aligned memory advised to use huge pages (lookups are
    random).
    """

    cdef cnp.int16_t *table
    cdef Py_ssize_t table_len
    cdef int64_t trans[20]
    cdef uint64_t bmask
    cdef uint64_t salt
    cdef int fold_bit
    cdef readonly Lexicon lexicon
    cdef readonly Lexicon std_lexicon
    cdef bint has2
    cdef public Domain domain
    cdef _Work w
    cdef readonly int bits
    cdef readonly int std
    #: The standard whose own weights this one's come on top of (0: none)
    cdef readonly int parent
    #: Feature templates the model has: all NF, or the first NF_NO_DOMAIN
    #: (a model trained before the domain features, which it never reads)
    cdef readonly int templates
    #: Texts longer than this many characters are decoded window by window
    #: (see :meth:`_decode_long`): the work buffers never grow past it.
    cdef public Py_ssize_t window

    def __cinit__(self):
        self.table = NULL
        self.window = DECODE_WINDOW

    def __dealloc__(self):
        free(self.table)

    def __init__(self, table, trans, Lexicon lexicon, int bits, int std,
                 Lexicon std_lexicon=None, int templates=NF, int parent=0):
        cdef const cnp.int16_t[::1] src
        cdef void *p
        cdef size_t nbytes
        if not 2 <= bits <= 30:
            raise ValueError("bits out of range")
        if templates not in (NF_NO_DOMAIN, NF):
            raise ValueError(f"a model has {NF_NO_DOMAIN} or {NF} feature templates")
        self.templates = templates
        if std < 1:
            raise ValueError("standard index must be >= 1")
        if parent < 0 or parent == std:
            raise ValueError("a parent standard is another standard's index (or 0: none)")
        self.parent = parent
        self.table_len = ((<Py_ssize_t>1) << (bits - 1)) * NT
        nbytes = self.table_len * sizeof(cnp.int16_t)
        if table is not None:
            src = table
            if src.shape[0] != self.table_len:
                raise ValueError("folded weight table size does not match its bit count")
        p = huge_alloc(nbytes)
        if p == NULL:
            raise MemoryError()
        free(self.table)
        self.table = <cnp.int16_t *>p
        if table is not None:
            memcpy(self.table, &src[0], nbytes)
        else:
            memset(self.table, 0, nbytes)
        for i in range(20):
            self.trans[i] = trans[i]
        self.bmask = ((<uint64_t>1) << bits) - 1
        self.salt = _salt(std, bits)
        self.fold_bit = high_bit(self.salt)
        self.lexicon = lexicon
        self.std_lexicon = std_lexicon
        self.has2 = std_lexicon is not None
        self.w = _Work()
        self.bits = bits
        self.std = std

    def fold_in(self, const cnp.int16_t[::1] raw, Py_ssize_t first_row):
        """Fold raw rows ``first_row ..`` of the model's table into this
        decoder's table (see :func:`fold_into`)."""
        _fold_rows(raw, self.table, self.table_len, first_row, self.bits, self.std, self.parent)

    def table_array(self):
        """A copy of the folded table (numpy int16); for tests."""
        out = np.empty(self.table_len, dtype=np.int16)
        cdef cnp.int16_t[::1] o = out
        memcpy(&o[0], self.table, self.table_len * sizeof(cnp.int16_t))
        return out

    cdef int _decode(self, str text, const uint8_t *forced) except -1:
        """Tags of ``text`` into ``self.w.tags``. ``forced``: optional mask.
        Runs with the GIL held (the decoder's buffers are not per-thread)."""
        return self._decode_loaded(load_text(self.w, text), forced)

    cdef int _decode_loaded(self, Py_ssize_t n, const uint8_t *forced) except -1:
        """Tags of the ``n`` characters in ``self.w.x`` (see ``load_text``,
        ``load_chars``) into ``self.w.tags``; returns ``n``."""
        cdef _Work w = self.w
        cdef Py_ssize_t i, j, k
        cdef uint64_t absent = 0 if self.has2 else ABSENT
        cdef uint64_t noddom = 0 if self.domain is not None else ABSENT
        cdef uint64_t bmask = self.bmask, sl = self.salt
        cdef int fb = self.fold_bit
        cdef const cnp.int16_t *tab = self.table
        cdef uint64_t *f
        cdef int nf = self.templates
        if n == 0:
            return 0
        # the GIL stays held: the work buffers belong to this decoder, and a
        # tokenizer may be shared between threads
        extract_prepare(w, self.lexicon, self.std_lexicon, self.has2, self.domain,
                        self.domain is not None, n, nf)
        # one pass: the features of position i, their rows prefetched, and the
        # scores of position i - PREFETCH, whose rows have had time to arrive
        for j in range(n + PREFETCH):
            if j < n:
                f = w.feats + j * NF
                features_at(w, j, n, absent, noddom, nf, f)
                for k in range(nf):
                    f[k] = fold_index(f[k] & bmask, sl, fb) * NT
                    prefetch(tab + f[k])
            i = j - PREFETCH
            if i < 0:
                continue
            qieci_sum_rows(tab, w.feats + i * NF, nf, w.score + i * NT)
            if is_space(w.x[i + 2]):
                w.mask[i] = 8
            elif forced != NULL:
                w.mask[i] = forced[i]
            else:
                w.mask[i] = 15
        if viterbi(w.score, self.trans, n, w.mask, w.back, w.tags) < 0 and forced != NULL:
            # the constraints conflict: decode without them
            for i in range(n):
                w.mask[i] = 8 if is_space(w.x[i + 2]) else 15
            viterbi(w.score, self.trans, n, w.mask, w.back, w.tags)
        return n

    cdef int _score_window(self, str text, Py_ssize_t ws, Py_ssize_t we,
                           const uint8_t *forced) except -1:
        """Emission scores and masks of positions ``ws .. we`` of ``text``
        into ``self.w.score`` / ``self.w.mask`` (index 0 = position ``ws``).
        The features are extracted from the text ``MARGIN`` characters
        beyond the window on each side, which holds everything a position's
        features look at (two characters, and the lexicon words through
        it or next to it, at most MAXWORD long): the scores are those of
        decoding the whole text."""
        cdef _Work w = self.w
        cdef Py_ssize_t n = len(text), ss = max(0, ws - MARGIN), se = min(n, we + MARGIN)
        cdef Py_ssize_t i, j, k, m
        cdef const cnp.int16_t *tab = self.table
        cdef const cnp.int16_t *row
        cdef int64_t s0, s1, s2, s3
        cdef uint64_t *f
        m = load_text(w, text[ss:se])
        extract(w, self.lexicon, self.std_lexicon, self.has2, self.domain,
                self.domain is not None, m, self.bmask, self.templates)
        for i in range(ws, we):
            j = i - ss
            f = w.feats + j * NF
            s0 = 0; s1 = 0; s2 = 0; s3 = 0
            for k in range(self.templates):
                row = tab + fold_index(f[k], self.salt, self.fold_bit) * NT
                s0 += row[0]; s1 += row[1]; s2 += row[2]; s3 += row[3]
            k = i - ws
            w.score[k * NT] = s0
            w.score[k * NT + 1] = s1
            w.score[k * NT + 2] = s2
            w.score[k * NT + 3] = s3
            if is_space(w.x[j + 2]):
                w.mask[k] = 8
            elif forced != NULL:
                w.mask[k] = forced[i]
            else:
                w.mask[k] = 15
        return 0

    cdef int _decode_long(self, str text, const uint8_t *forced, uint8_t *tags) except -1:
        """Tags of a text longer than ``self.window`` into ``tags`` (one
        byte per character): the same tags as :meth:`_decode`, which would
        need about 300 bytes per character, with work buffers of one window
        and 4 bytes of back pointers per character (freed on return). The
        Viterbi forward pass runs window after window over exact scores
        (:meth:`_score_window`); the back-trace runs once at the end."""
        cdef Py_ssize_t n = len(text), ws, we, step = max(self.window, 1)
        cdef int64_t prev[4]
        cdef signed char *back = <signed char *>malloc(n * NT)
        cdef int result = -1, attempt
        cdef const uint8_t *mask = forced
        if back == NULL:
            raise MemoryError()
        try:
            for attempt in range(2):
                for ws in range(0, n, step):
                    we = min(n, ws + step)
                    self._score_window(text, ws, we, mask)
                    viterbi_forward(self.w.score, self.trans, ws, we - ws, self.w.mask,
                                    back, prev)
                result = viterbi_finish(prev, back, n, tags)
                if result == 0 or mask == NULL:
                    break
                mask = NULL  # the constraints conflict: decode without them
        finally:
            free(back)
        return 0

    cdef const uint8_t *_run(self, str text, bytes forced, uint8_t **owned) except NULL:
        """The tags of ``text``: in the work buffers (short texts), or in a
        buffer of its own that the caller frees (``*owned``)."""
        cdef Py_ssize_t n = len(text)
        cdef const uint8_t *f = NULL
        if forced is not None:
            if len(forced) != n:
                raise ValueError("forced mask must have one byte per character")
            f = <const uint8_t *><const char *>forced
        owned[0] = NULL
        if n <= self.window:
            self._decode(text, f)
            return self.w.tags
        owned[0] = <uint8_t *>malloc(n)
        if owned[0] == NULL:
            raise MemoryError()
        try:
            self._decode_long(text, f, owned[0])
        except BaseException:
            free(owned[0])
            raise
        return owned[0]

    def tags(self, str text, bytes forced=None):
        """The tag list of ``text`` (B=0 M=1 E=2 S=3)."""
        cdef uint8_t *owned
        cdef const uint8_t *tg = self._run(text, forced, &owned)
        try:
            return [tg[i] for i in range(len(text))]
        finally:
            free(owned)

    def scores(self, str text):
        """Emission scores (n lists of 4 ints); for tests."""
        cdef Py_ssize_t n = self._decode(text, NULL)
        return [[self.w.score[i * NT + t] for t in range(NT)] for i in range(n)]

    def lcut(self, str text, bytes forced=None):
        """The words of ``text``."""
        cdef Py_ssize_t n = len(text), i, s = 0
        cdef uint8_t *owned
        cdef const uint8_t *tg = self._run(text, forced, &owned)
        out = []
        try:
            for i in range(n):
                if tg[i] >= 2:
                    out.append(text[s:i + 1])
                    s = i + 1
        finally:
            free(owned)
        return out

    def spans(self, str text, bytes forced=None):
        """Word end offsets of ``text`` (exclusive ends, ascending)."""
        cdef uint8_t *owned
        cdef const uint8_t *tg = self._run(text, forced, &owned)
        try:
            return [i + 1 for i in range(len(text)) if tg[i] >= 2]
        finally:
            free(owned)

    def cut_lines(self, str text, str delimiter, bint crlf_to_lf=False, atoms=None):
        """Every ``\\n``-terminated line of ``text`` segmented, its words
        joined by ``delimiter``, line ends kept (``\\r\\n`` -> ``\\n`` with
        ``crlf_to_lf``): the result of ``join_lines(self.lcut, ...)``, made
        in one pass with no Python object per line or word.

        ``atoms``: None, or the atoms of the lines (:func:`qieci.atoms.atom_spans_by_line`):
        ``(start, end)`` offsets into ``text``, ascending, each inside one
        line's text. Each line is then decoded with the mask that keeps its
        atoms inside one word (first char B or M, inner chars M, last char M
        or E), as ``lcut(line, mask)`` would."""
        cdef Py_ssize_t n = len(text), na = 0, a = 0, ls = 0, le, ce, m, i, j, lo, hi
        cdef int kind = PyUnicode_KIND(text)
        cdef const void *data = PyUnicode_DATA(text)
        cdef _Out out = _Out(NULL, 0, 0)
        cdef Py_UCS4 *dl = NULL
        cdef Py_ssize_t nd = len(delimiter)
        cdef int64_t *spans = NULL
        cdef const uint8_t *tg
        cdef const uint8_t *forced
        cdef uint8_t *owned
        cdef uint8_t *fm
        cdef uint8_t *long_mask = NULL
        if atoms is not None:
            na = len(atoms)
        try:
            spans = <int64_t *>malloc((2 * na + 1) * sizeof(int64_t))
            dl = <Py_UCS4 *>malloc((nd + 1) * sizeof(Py_UCS4))
            if spans == NULL or dl == NULL:
                raise MemoryError()
            for i in range(na):
                lo, hi = atoms[i]
                if lo < 0 or hi - lo < 2 or hi > n or (i > 0 and lo < spans[2 * i - 1]):
                    raise ValueError("atoms must be ascending, disjoint spans of 2+ chars")
                spans[2 * i] = lo
                spans[2 * i + 1] = hi
            for i in range(nd):
                dl[i] = delimiter[i]
            out_reserve(&out, n + n // 2 + 16)
            while True:
                le = ls
                while le < n and _char_at(data, kind, le) != 10:
                    le += 1
                ce = le
                if le < n and ce > ls and _char_at(data, kind, ce - 1) == 13:
                    ce -= 1
                m = ce - ls
                forced = NULL
                if a < na and spans[2 * a] < ce:
                    # this line has atoms: its mask, as the engine makes it
                    # (in the work buffers, which never grow past a window)
                    if m > self.window:
                        fm = long_mask = <uint8_t *>malloc(m)
                        if fm == NULL:
                            raise MemoryError()
                    else:
                        self.w.ensure(m)
                        fm = self.w.forced
                    memset(fm, 15, m)
                    while a < na and spans[2 * a] < ce:
                        lo = spans[2 * a] - ls
                        hi = spans[2 * a + 1] - ls
                        if lo < 0 or hi > m:
                            raise ValueError("an atom lies across a line end")
                        fm[lo] &= 3
                        for j in range(lo + 1, hi - 1):
                            fm[j] = 2
                        fm[hi - 1] &= 6
                        a += 1
                    forced = fm
                if m > self.window:
                    # a long line, decoded window by window
                    try:
                        tg = self._run(text[ls:ce], None if forced == NULL
                                       else (<const char *>forced)[:m], &owned)
                    finally:
                        free(long_mask)
                        long_mask = NULL
                else:
                    owned = NULL
                    self._decode_loaded(load_chars(self.w, data, kind, ls, m), forced)
                    tg = self.w.tags
                try:
                    out_reserve(&out, m * (nd + 1) + 2)
                    for i in range(m):
                        out.buf[out.n] = _char_at(data, kind, ls + i)
                        out.n += 1
                        if tg[i] >= 2 and i + 1 < m:
                            for j in range(nd):
                                out.buf[out.n + j] = dl[j]
                            out.n += nd
                finally:
                    free(owned)
                if le >= n:
                    break
                if ce < le and not crlf_to_lf:
                    out.buf[out.n] = 13
                    out.n += 1
                out.buf[out.n] = 10
                out.n += 1
                ls = le + 1
            return PyUnicode_FromKindAndData(4, out.buf, out.n)
        finally:
            free(spans)
            free(dl)
            free(out.buf)
            free(long_mask)


cdef int _fold_rows(const cnp.int16_t[::1] raw, cnp.int16_t *out, Py_ssize_t out_len,
                    Py_ssize_t first_row, int bits, int std, int parent=0) except -1:
    cdef Py_ssize_t rows = raw.shape[0] // NT
    cdef Py_ssize_t block = min(<Py_ssize_t>FOLD_BLOCK_ROWS, (<Py_ssize_t>1) << bits)
    cdef uint64_t sl = _salt(std, bits)
    cdef uint64_t sp = _salt(parent, bits) if parent else 0
    cdef int k = high_bit(sl)
    cdef Py_ssize_t r, t, a, b
    cdef int v
    if std < 1 or parent < 0 or parent == std:
        raise ValueError("standard index must be >= 1, a parent another standard's (or 0)")
    if raw.shape[0] % NT or rows % block or first_row % block:
        raise ValueError("fold_into needs whole aligned blocks")
    if first_row + rows > ((<Py_ssize_t>1) << bits) or out_len != (1 << (bits - 1)) * NT:
        raise ValueError("fold_into: rows out of range or wrong output size")
    with nogil:
        for r in range(rows):
            a = first_row + r
            if (a >> k) & 1:
                continue
            b = r ^ <Py_ssize_t>sl
            for t in range(NT):
                v = raw[r * NT + t] + raw[b * NT + t]
                if parent:  # the parent's own weights of both features of the row
                    v += (raw[(r ^ <Py_ssize_t>sp) * NT + t]
                          + raw[(b ^ <Py_ssize_t>sp) * NT + t])
                if v > 32767:
                    v = 32767
                elif v < -32768:
                    v = -32768
                out[fold_index(a, sl, k) * NT + t] = v
    return 0


def fold_into(const cnp.int16_t[::1] raw, cnp.int16_t[::1] out, Py_ssize_t first_row,
              int bits, int std, int parent=0):
    """Fold the raw rows ``first_row ..`` (``raw``: whole blocks of
    FOLD_BLOCK_ROWS rows, or the whole table when it is smaller) into the
    folded table ``out`` of standard ``std``: ``out[fold(b)] = raw[b] +
    raw[b ^ salt(std)]`` per tag, saturated to int16. With a ``parent``
    standard (a standard that backs off to another), the parent's own
    weights of the two features of the row are added: ``raw[b ^ salt(parent)]
    + raw[b ^ salt(std) ^ salt(parent)]``."""
    _fold_rows(raw, &out[0], out.shape[0], first_row, bits, std, parent)


def fold(const cnp.int16_t[::1] raw, int bits, int std, int parent=0):
    """The folded decode table of standard ``std`` (1-based; with its
    ``parent``, see :func:`fold_into`) from the whole raw table
    (``2**bits * 4`` values)."""
    if raw.shape[0] != ((<Py_ssize_t>1) << bits) * NT:
        raise ValueError("weight table size does not match its bit count")
    out = np.empty(((<Py_ssize_t>1) << (bits - 1)) * NT, dtype=np.int16)
    fold_into(raw, out, 0, bits, std, parent)
    return out


# ---------------------------------------------------------------------------
# Training: averaged structured perceptron with feature augmentation


cdef class Perceptron:
    """Averaged perceptron state: ``W`` (int32) and ``U`` (int64, the sum of
    c * update) per bucket and tag, where c counts examples; the average is
    ``W - U / c``. Transitions: ``(nstd + 1) x 20`` likewise (row 0 shared).
    """

    cdef readonly int bits
    cdef readonly int nstd
    cdef uint64_t bmask
    cdef public object W
    cdef public object U
    cdef public object TW
    cdef public object TU
    cdef public int64_t c
    cdef Lexicon lexicon
    cdef list std_lexicons
    cdef _Work w

    def __init__(self, int bits, int nstd, Lexicon lexicon, std_lexicons=None):
        """``std_lexicons``: None, or one Lexicon-or-None per standard (index
        ``s - 1`` for standard ``s``)."""
        self.std_lexicons = list(std_lexicons) if std_lexicons is not None else [None] * nstd
        if len(self.std_lexicons) != nstd:
            raise ValueError("one standard lexicon (or None) per standard")
        self.bits = bits
        self.nstd = nstd
        self.bmask = ((<uint64_t>1) << bits) - 1
        self.W = np.zeros(((<Py_ssize_t>1) << bits) * NT, dtype=np.int32)
        self.U = np.zeros(((<Py_ssize_t>1) << bits) * NT, dtype=np.int64)
        self.TW = np.zeros((nstd + 1) * 20, dtype=np.int64)
        self.TU = np.zeros((nstd + 1) * 20, dtype=np.int64)
        self.c = 1
        self.lexicon = lexicon
        self.w = _Work()

    def train(self, str text, bytes gold, int std, Lexicon std_lexicon=None,
              int shared_step=1, int std_step=1, Domain domain=None, int parent=0):
        """One perceptron step on ``text`` with gold tags ``gold`` (one byte
        per char, 0..3) for standard ``std`` (1-based). Returns the number
        of chars whose predicted tag was wrong. Always advances ``c``.

        ``shared_step`` and ``std_step`` are the sizes of the update of the
        shared and of the standard's own weights (and transitions): a
        smaller own step backs a standard off to what the standards share
        (as a smaller feature value would). ``domain``: the domain
        statistics this sentence is seen with (None: none). ``parent``: the
        standard ``std`` backs off to (0: none): its own weights and
        transitions are added to the scores, as :func:`fold` adds them for
        decoding, and stay as they are (only the shared and ``std``'s own
        weights learn from this sentence).

        ``std_lexicon``, when given, replaces the standard's own lexicon for
        this step only (the trainer passes a held-out-fold copy of it, so
        that training sees words missing from the list as test text does).
        It is an error for a standard that has no lexicon of its own."""
        cdef _Work w = self.w
        cdef Py_ssize_t n = len(text)
        cdef Py_ssize_t i, k
        cdef cnp.int32_t[::1] W = self.W
        cdef cnp.int64_t[::1] U = self.U
        cdef cnp.int64_t[::1] TW = self.TW
        cdef cnp.int64_t[::1] TU = self.TU
        cdef const uint8_t *g = gold
        cdef uint64_t sl = _salt(std, self.bits)
        cdef uint64_t sp = 0
        cdef uint64_t *f
        cdef uint64_t bkt
        cdef int64_t tr[20]
        cdef int64_t s0, s1, s2, s3, c = self.c
        cdef int errors = 0, gt, pt, gp, pp
        cdef int a = shared_step, b = std_step
        cdef int64_t ca = c * shared_step, cb = c * std_step
        if len(gold) != n:
            raise ValueError("gold tags must have one byte per character")
        if not (0 <= shared_step <= 64 and 0 <= std_step <= 64):
            raise ValueError("update steps must be in 0..64")
        if not 1 <= std <= self.nstd:
            raise ValueError(f"standard index {std} out of range")
        if parent == std or not 0 <= parent <= self.nstd:
            raise ValueError(f"parent standard index {parent} out of range (or the standard's own)")
        if parent:
            sp = _salt(parent, self.bits)
        cdef Lexicon lex2 = self.std_lexicons[std - 1]
        if std_lexicon is not None:
            if lex2 is None:
                raise ValueError(f"standard index {std} has no lexicon of its own")
            lex2 = std_lexicon
        cdef bint has2 = lex2 is not None
        cdef bint hasdom = domain is not None
        load_text(w, text)
        if n == 0:
            self.c += 1
            return 0
        with nogil:
            extract(w, self.lexicon, lex2, has2, domain, hasdom, n, self.bmask)
            for i in range(20):
                tr[i] = TW[i] + TW[std * 20 + i]
                if parent:
                    tr[i] += TW[parent * 20 + i]
            for i in range(n):
                f = w.feats + i * NF
                s0 = 0; s1 = 0; s2 = 0; s3 = 0
                for k in range(NF):
                    bkt = f[k] * NT
                    s0 += W[bkt]; s1 += W[bkt + 1]; s2 += W[bkt + 2]; s3 += W[bkt + 3]
                    bkt = (f[k] ^ sl) * NT
                    s0 += W[bkt]; s1 += W[bkt + 1]; s2 += W[bkt + 2]; s3 += W[bkt + 3]
                    if parent:
                        bkt = (f[k] ^ sp) * NT
                        s0 += W[bkt]; s1 += W[bkt + 1]; s2 += W[bkt + 2]; s3 += W[bkt + 3]
                        bkt = (f[k] ^ sl ^ sp) * NT
                        s0 += W[bkt]; s1 += W[bkt + 1]; s2 += W[bkt + 2]; s3 += W[bkt + 3]
                w.score[i * NT] = s0
                w.score[i * NT + 1] = s1
                w.score[i * NT + 2] = s2
                w.score[i * NT + 3] = s3
                w.mask[i] = 15
            viterbi(w.score, tr, n, w.mask, w.back, w.tags)
            for i in range(n):
                gt = g[i]
                pt = w.tags[i]
                if gt != pt:
                    errors += 1
                    f = w.feats + i * NF
                    for k in range(NF):
                        bkt = f[k] * NT
                        W[bkt + gt] += a; U[bkt + gt] += ca
                        W[bkt + pt] -= a; U[bkt + pt] -= ca
                        bkt = (f[k] ^ sl) * NT
                        W[bkt + gt] += b; U[bkt + gt] += cb
                        W[bkt + pt] -= b; U[bkt + pt] -= cb
                gp = g[i - 1] if i > 0 else 4
                pp = w.tags[i - 1] if i > 0 else 4
                if gt != pt or gp != pp:
                    TW[gp * NT + gt] += a; TU[gp * NT + gt] += ca
                    TW[pp * NT + pt] -= a; TU[pp * NT + pt] -= ca
                    TW[std * 20 + gp * NT + gt] += b; TU[std * 20 + gp * NT + gt] += cb
                    TW[std * 20 + pp * NT + pt] -= b; TU[std * 20 + pp * NT + pt] -= cb
        self.c += 1
        return errors
