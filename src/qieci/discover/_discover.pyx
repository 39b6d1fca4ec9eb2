# cython: language_level=3
"""Compiled kernel of :mod:`qieci.discover`: counting character n-grams.

:class:`NgramCounter` counts every n-gram of 1 to ``max_len + 1``
characters inside runs of Han characters (a gram never crosses
punctuation, a space, a digit or a Latin letter), in a hash table of at most
``max_bytes`` bytes, and answers the statistics of new-word discovery:
frequency, cohesion (the smallest pointwise mutual information over the
split points of a gram) and the branching entropy of its left and right
neighbours, read from the counts of the grams one character longer.

Keys are exact, never hashes: each Han character has a 17-bit id (see
:func:`char_id`), and a gram of up to 7 characters is the 119-bit number of
its ids, lowest bits first. The table uses linear probing; while it is
smaller than its limit it doubles when three quarters full; at the limit it
*prunes* at the end of a run of Han characters when three quarters full (or
at once when nine tenths full, inside a very long run): it drops every gram
whose count is at most the smallest threshold ``t`` that frees half of the
table (lossy counting). A gram's count is then at most ``error`` (the sum of
all thresholds so far) below its true count, and, as pruning waits for the
end of a run, a gram that survives keeps all its sub-grams (a sub-gram's
count is never below the gram's). Its pure-Python twin is :mod:`qieci.discover.reference`.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.math cimport log
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from qieci._mem cimport big_calloc, prefetch

cdef extern from *:
    """
    #include <stdint.h>
    typedef struct { uint64_t lo; uint64_t hi; uint32_t count; uint32_t edges; } qc_entry;
    typedef unsigned __int128 qc_key;
    static inline qc_key qc_make(uint64_t lo, uint64_t hi) { return ((qc_key)hi << 64) | lo; }
    static inline uint64_t qc_lo(qc_key k) { return (uint64_t)k; }
    static inline uint64_t qc_hi(qc_key k) { return (uint64_t)(k >> 64); }
    static inline qc_key qc_put(qc_key k, uint32_t id, int n) { return k | ((qc_key)id << (17 * n)); }
    static inline uint32_t qc_char(qc_key k, int n) { return (uint32_t)(k >> (17 * n)) & 0x1FFFFu; }
    static inline qc_key qc_drop_first(qc_key k) { return k >> 17; }
    static inline qc_key qc_keep(qc_key k, int n) {
        return n >= 7 ? k : (k & ((((qc_key)1) << (17 * n)) - 1));
    }
    static inline uint64_t qc_hash(uint64_t lo, uint64_t hi) {
        uint64_t h = lo * 0x9E3779B97F4A7C15ull ^ (hi + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9ull; h ^= h >> 32;
        return h;
    }
    """
    ctypedef struct qc_entry:
        uint64_t lo
        uint64_t hi
        uint32_t count
        uint32_t edges
    ctypedef unsigned long long qc_key  # unsigned __int128 in C; only passed to the helpers
    qc_key qc_make(uint64_t lo, uint64_t hi) noexcept nogil
    uint64_t qc_lo(qc_key k) noexcept nogil
    uint64_t qc_hi(qc_key k) noexcept nogil
    qc_key qc_put(qc_key k, uint32_t id, int n) noexcept nogil
    uint32_t qc_char(qc_key k, int n) noexcept nogil
    qc_key qc_drop_first(qc_key k) noexcept nogil
    qc_key qc_keep(qc_key k, int n) noexcept nogil
    uint64_t qc_hash(uint64_t lo, uint64_t hi) noexcept nogil

#: The longest gram the key holds (7 ids of 17 bits in 128 bits).
MAX_ORDER = 7  # KEY_CHARS
#: Bytes per table slot.
SLOT_BYTES = sizeof(qc_entry)
DEF MIN_SLOTS = 64
DEF HIST = 256
DEF KEY_CHARS = 7
DEF BLOCK = 64
DEF AHEAD = 12


cdef inline uint32_t _id(Py_UCS4 ch) noexcept nogil:
    cdef uint32_t c = <uint32_t>ch
    if 0x3400 <= c <= 0x9FFF:
        if 0x4DC0 <= c <= 0x4DFF:  # the Yijing hexagrams, not Han
            return 0
        return c - 0x3400 + 1
    if 0xF900 <= c <= 0xFAFF:
        return c - 0xF900 + 27649
    if 0x20000 <= c <= 0x3134F:
        return c - 0x20000 + 28161
    if c == 0x3007:  # 〇
        return 98641
    return 0


cdef inline Py_UCS4 _char(uint32_t i) noexcept nogil:
    if i <= 27648:
        return <Py_UCS4>(i - 1 + 0x3400)
    if i <= 28160:
        return <Py_UCS4>(i - 27649 + 0xF900)
    if i <= 98640:
        return <Py_UCS4>(i - 28161 + 0x20000)
    return <Py_UCS4>0x3007


def char_id(str c) -> int:
    """The 17-bit id of a character (0: not Han, a gram boundary)."""
    return _id(c[0]) if c else 0


cdef inline int _length(qc_key k) noexcept nogil:
    cdef int n = 0
    while n < 7 and qc_char(k, n) != 0:
        n += 1
    return n


cdef str _decode(qc_key k):
    cdef int n = _length(k)
    cdef list chars = [chr(_char(qc_char(k, i))) for i in range(n)]
    return "".join(chars)


cdef class NgramCounter:
    """Counts of the n-grams (1 to ``max_len + 1`` characters) of Han runs,
    in at most ``max_bytes`` of table (see the module)."""

    cdef qc_entry* table
    cdef uint64_t slots
    cdef uint64_t max_slots
    cdef uint64_t size
    cdef readonly int max_len
    cdef readonly int order
    cdef readonly long long total
    cdef readonly long long error
    cdef readonly long long prunes
    cdef readonly bint frozen

    def __cinit__(self, int max_len=6, long long max_bytes=256 << 20):
        if not 1 <= max_len <= MAX_ORDER - 1:
            raise ValueError(f"max_len must be 1..{MAX_ORDER - 1}, not {max_len}")
        self.max_len = max_len
        self.order = max_len + 1
        cdef uint64_t cap = MIN_SLOTS
        while cap * 2 * sizeof(qc_entry) <= <uint64_t>max(max_bytes, 0):
            cap *= 2
        self.max_slots = cap
        self.slots = min(<uint64_t>1024, cap)
        self.table = <qc_entry*>big_calloc(self.slots * sizeof(qc_entry))
        if self.table == NULL:
            raise MemoryError("NgramCounter: out of memory")

    def __dealloc__(self):
        free(self.table)

    def __len__(self):
        return self.size

    @property
    def slots(self) -> int:
        return self.slots

    @property
    def max_slots(self) -> int:
        return self.max_slots

    # -- the table -------------------------------------------------------------

    cdef inline qc_entry* _find(self, qc_key k) noexcept nogil:
        """The slot of ``k``, or NULL."""
        cdef uint64_t lo = qc_lo(k), hi = qc_hi(k)
        cdef uint64_t mask = self.slots - 1
        cdef uint64_t i = qc_hash(lo, hi) & mask
        cdef qc_entry* e
        while True:
            e = &self.table[i]
            if e.lo == 0:
                return NULL
            if e.lo == lo and e.hi == hi:
                return e
            i = (i + 1) & mask

    cdef inline int _add(self, qc_key k, uint32_t delta) except -1:
        """Add ``delta`` to the count of ``k`` (a new gram when not frozen)."""
        return self._add_hashed(qc_lo(k), qc_hi(k), qc_hash(qc_lo(k), qc_hi(k)), delta)

    cdef int _add_hashed(self, uint64_t lo, uint64_t hi, uint64_t h, uint32_t delta) except -1:
        cdef uint64_t mask = self.slots - 1
        cdef uint64_t i = h & mask
        cdef qc_entry* e
        while True:
            e = &self.table[i]
            if e.lo == 0:
                break
            if e.lo == lo and e.hi == hi:
                if e.count > 0xFFFFFFFF - delta:
                    e.count = 0xFFFFFFFF
                else:
                    e.count += delta
                return 0
            i = (i + 1) & mask
        if self.frozen:
            return 0
        e.lo = lo
        e.hi = hi
        e.count = delta
        e.edges = 0
        self.size += 1
        if self.size * 4 > self.slots * 3 and self.slots < self.max_slots:
            self._resize(self.slots * 2)
        elif self.size * 10 > self.slots * 9:
            self._prune()  # inside a very long run: cannot wait for its end
        return 0

    cdef inline void _settle(self) noexcept nogil:
        """At the end of a run (all the grams of its positions counted, so
        that no gram is ahead of its sub-grams): prune when three quarters
        full."""
        if self.size * 4 > self.slots * 3:
            self._prune()

    cdef int _resize(self, uint64_t slots) except -1:
        cdef qc_entry* old = self.table
        cdef uint64_t n = self.slots, j, i, mask = slots - 1
        cdef qc_entry* fresh = <qc_entry*>big_calloc(slots * sizeof(qc_entry))
        if fresh == NULL:
            raise MemoryError("NgramCounter: out of memory")
        for j in range(n):
            if old[j].lo != 0:
                i = qc_hash(old[j].lo, old[j].hi) & mask
                while fresh[i].lo != 0:
                    i = (i + 1) & mask
                fresh[i] = old[j]
        self.table = fresh
        self.slots = slots
        free(old)
        return 0

    cdef void _prune(self) noexcept nogil:
        """Drop the grams counted at most ``t`` times, ``t`` the smallest
        threshold that leaves at most half the table full."""
        cdef uint64_t hist[HIST]
        cdef uint64_t j, need, cum = 0
        cdef uint32_t t
        for t in range(HIST):
            hist[t] = 0
        for j in range(self.slots):
            if self.table[j].lo != 0:
                hist[min(self.table[j].count, HIST - 1)] += 1
        need = self.size - self.slots // 2
        t = 0
        cum = hist[0]
        while cum < need and t < HIST - 1:
            t += 1
            cum += hist[t]
        self._drop_at_most(t)
        self.prunes += 1
        self.error += t

    cdef void _drop_at_most(self, uint32_t t) noexcept nogil:
        """Remove every entry with count <= t, in place (backward-shift
        deletion, scanning from an empty slot so that no probe run wraps
        past the start of the scan)."""
        cdef uint64_t mask = self.slots - 1, start = 0, s, pos, hole, j, home
        while self.table[start].lo != 0:
            start += 1
        for s in range(1, self.slots + 1):
            pos = (start + s) & mask
            while self.table[pos].lo != 0 and self.table[pos].count <= t:
                hole = pos
                j = pos
                while True:
                    j = (j + 1) & mask
                    if self.table[j].lo == 0:
                        break
                    home = qc_hash(self.table[j].lo, self.table[j].hi) & mask
                    # j's entry may move back into the hole unless its home
                    # lies cyclically in (hole, j]
                    if hole <= j:
                        if hole < home <= j:
                            continue
                    elif home > hole or home <= j:
                        continue
                    self.table[hole] = self.table[j]
                    hole = j
                self.table[hole].lo = 0
                self.table[hole].hi = 0
                self.table[hole].count = 0
                self.table[hole].edges = 0
                self.size -= 1

    # -- counting --------------------------------------------------------------

    def add(self, str text):
        """Count the grams of ``text`` (frozen: only the grams already in
        the table). Han characters only; anything else ends a run."""
        cdef Py_ssize_t n = len(text), i, j, block, q, m, end
        if n == 0:
            return
        cdef uint32_t* ids = <uint32_t*>malloc((n + 1) * sizeof(uint32_t))
        # the grams of BLOCK positions at a time, hashed first, so that the
        # table slot of a gram is prefetched AHEAD grams before its turn
        cdef uint64_t* los = <uint64_t*>malloc(BLOCK * KEY_CHARS * 3 * sizeof(uint64_t))
        cdef uint64_t* his
        cdef uint64_t* hs
        if ids == NULL or los == NULL:
            free(ids)
            free(los)
            raise MemoryError("NgramCounter: out of memory")
        his = los + BLOCK * KEY_CHARS
        hs = his + BLOCK * KEY_CHARS
        cdef long long han = 0
        cdef int k, order = self.order
        cdef qc_key key
        cdef Py_UCS4 ch
        cdef unsigned char runend[BLOCK * KEY_CHARS]
        memset(runend, 0, sizeof(runend))
        try:
            i = 0
            for ch in text:
                ids[i] = _id(ch)
                i += 1
            ids[n] = 0
            for block in range(0, n, BLOCK):
                end = min(n, block + BLOCK)
                m = 0
                for i in range(block, end):
                    if ids[i] == 0:
                        continue
                    han += 1
                    key = 0
                    j = i
                    k = 0
                    while k < order and ids[j] != 0:
                        key = qc_put(key, ids[j], k)
                        los[m] = qc_lo(key)
                        his[m] = qc_hi(key)
                        hs[m] = qc_hash(los[m], his[m])
                        m += 1
                        j += 1
                        k += 1
                    runend[m - 1] = ids[i + 1] == 0
                for q in range(min(m, AHEAD)):
                    prefetch(&self.table[hs[q] & (self.slots - 1)])
                for q in range(m):
                    if q + AHEAD < m:
                        prefetch(&self.table[hs[q + AHEAD] & (self.slots - 1)])
                    self._add_hashed(los[q], his[q], hs[q], 1)
                    if runend[q]:
                        runend[q] = 0
                        self._settle()
        finally:
            free(ids)
            free(los)
        if not self.frozen:
            self.total += han

    def add_cut(self, str text, const unsigned char[:] bounds):
        """Count the grams of ``text`` already in the table (as a frozen
        :meth:`add` does), and for each, apart, its *edge* count: the
        occurrences that start and end at a boundary of a segmenter's cut
        of the text. ``bounds`` has ``len(text) + 1`` bytes, non-zero where
        a word starts (and at the end)."""
        cdef Py_ssize_t n = len(text), i, j
        if bounds.shape[0] != n + 1:
            raise ValueError("add_cut: bounds must have len(text) + 1 bytes")
        if n == 0:
            return
        cdef uint32_t* ids = <uint32_t*>malloc((n + 1) * sizeof(uint32_t))
        if ids == NULL:
            raise MemoryError("NgramCounter: out of memory")
        cdef int k, order = self.order
        cdef qc_key key
        cdef qc_entry* e
        cdef Py_UCS4 ch
        try:
            i = 0
            for ch in text:
                ids[i] = _id(ch)
                i += 1
            ids[n] = 0
            for i in range(n):
                if ids[i] == 0:
                    continue
                key = 0
                j = i
                k = 0
                while k < order and ids[j] != 0:
                    key = qc_put(key, ids[j], k)
                    e = self._find(key)
                    if e != NULL:
                        if e.count < 0xFFFFFFFF:
                            e.count += 1
                        if bounds[i] and bounds[j + 1] and e.edges < 0xFFFFFFFF:
                            e.edges += 1
                    j += 1
                    k += 1
        finally:
            free(ids)

    def edge_items(self):
        """``(gram, count, edges)`` of every gram with a count (see
        :meth:`add_cut`)."""
        cdef uint64_t j
        out = []
        for j in range(self.slots):
            if self.table[j].lo != 0 and self.table[j].count:
                out.append((_decode(qc_make(self.table[j].lo, self.table[j].hi)),
                            self.table[j].count, self.table[j].edges))
        return out

    def add_words(self, words):
        """Put ``words`` in the table with count 0 (to count only them after
        :meth:`freeze`); a word that is not 1..``order`` Han characters is
        ignored."""
        cdef qc_key key
        for w in words:
            if _key_of(w, self.order, &key):
                self._add(key, 0)

    def freeze(self):
        """From now on :meth:`add` counts only the grams already here."""
        self.frozen = True

    def count(self, str gram) -> int:
        """The count of ``gram`` (0 when absent or not countable)."""
        cdef qc_key key
        cdef qc_entry* e
        if not _key_of(gram, self.order, &key):
            return 0
        e = self._find(key)
        return 0 if e == NULL else e.count

    def items(self):
        """``(gram, count)`` of every gram in the table (in table order)."""
        cdef uint64_t j
        out = []
        for j in range(self.slots):
            if self.table[j].lo != 0:
                out.append((_decode(qc_make(self.table[j].lo, self.table[j].hi)),
                            self.table[j].count))
        return out

    # -- merging (worker processes count parts of a corpus) ---------------------

    def dump(self) -> bytes:
        """The table's entries as bytes (for :meth:`merge`), with no empty
        slots; the total and error travel separately."""
        cdef uint64_t j, m = 0
        cdef bytes out = PyBytes_FromStringAndSize(NULL, self.size * sizeof(qc_entry))
        cdef char* dst = PyBytes_AS_STRING(out)
        for j in range(self.slots):
            if self.table[j].lo != 0:
                memcpy(dst + m * sizeof(qc_entry), &self.table[j], sizeof(qc_entry))
                m += 1
        return out

    def merge(self, const unsigned char[:] data, long long total, long long error):
        """Add the counts of a :meth:`dump` of a counter of the same
        ``max_len`` (its ``total`` and ``error`` too)."""
        cdef Py_ssize_t n = data.shape[0] // sizeof(qc_entry), j
        cdef qc_entry e
        if data.shape[0] % sizeof(qc_entry):
            raise ValueError("NgramCounter.merge: not a dump")
        for j in range(n):
            memcpy(&e, &data[j * sizeof(qc_entry)], sizeof(qc_entry))
            if e.lo == 0 or _length(qc_make(e.lo, e.hi)) > self.order:
                raise ValueError("NgramCounter.merge: not a dump of this max_len")
            self._add(qc_make(e.lo, e.hi), e.count)
            self._settle()
        self.total += total
        self.error += error

    # -- statistics ------------------------------------------------------------

    cdef double _pmi(self, qc_key k, int n, double count) noexcept nogil:
        """The smallest PMI over the split points of gram ``k`` (``n`` >= 2
        characters); -1e300 when a part is missing."""
        cdef double best = 1e300, v, total = <double>self.total
        cdef qc_entry* a
        cdef qc_entry* b
        cdef int s
        cdef qc_key right = k
        for s in range(1, n):
            right = qc_drop_first(right)
            a = self._find(qc_keep(k, s))
            b = self._find(right)
            if a == NULL or b == NULL or a.count == 0 or b.count == 0:
                return -1e300
            v = log(count * total / (<double>a.count * <double>b.count))
            if v < best:
                best = v
        return best

    def candidates(self, int min_count, int min_len, int max_len, double min_pmi,
                   Py_ssize_t limit=-1):
        """``(gram, count, pmi)`` of the grams of ``min_len``..``max_len``
        characters counted at least ``min_count`` times whose cohesion (see
        :meth:`stats`) is at least ``min_pmi``. With ``limit`` >= 0, the
        least count rises above ``min_count`` as far as needed for at most
        ``limit`` grams of those lengths to reach it (the most frequent are
        kept; ties at the threshold all go)."""
        cdef uint64_t j
        cdef int n
        cdef qc_key k
        cdef double pmi
        cdef uint64_t* hist
        cdef uint64_t above = 0
        cdef uint32_t least = <uint32_t>max(min_count, 1), b
        out = []
        max_len = min(max_len, self.max_len)
        min_len = max(min_len, 2)
        if limit >= 0:
            hist = <uint64_t*>big_calloc(65537 * sizeof(uint64_t))
            if hist == NULL:
                raise MemoryError("NgramCounter.candidates: out of memory")
            for j in range(self.slots):
                if self.table[j].lo == 0 or self.table[j].count < least:
                    continue
                n = _length(qc_make(self.table[j].lo, self.table[j].hi))
                if min_len <= n <= max_len:
                    hist[min(self.table[j].count, 65536)] += 1
            b = 65536
            while b >= least:
                if above + hist[b] > <uint64_t>limit:
                    least = b + 1
                    break
                above += hist[b]
                b -= 1
            free(hist)
        for j in range(self.slots):
            if self.table[j].lo == 0 or self.table[j].count < least:
                continue
            k = qc_make(self.table[j].lo, self.table[j].hi)
            n = _length(k)
            if n < min_len or n > max_len:
                continue
            pmi = self._pmi(k, n, self.table[j].count)
            if pmi >= min_pmi:
                out.append((_decode(k), self.table[j].count, pmi))
        return out

    def stats(self, words):
        """``(count, pmi, left_entropy, right_entropy)`` of each word (2 to
        ``max_len`` Han characters; anything else gives zeros).

        ``pmi`` is the smallest ``log(c(w) N / (c(a) c(b)))`` over the
        splits ``w = ab`` (``N``: Han characters counted). The right
        entropy is ``-sum p log p`` over the counts of ``w`` followed by each
        character; the occurrences of ``w`` not followed by a counted gram
        (at the end of a run, or pruned) count as distinct neighbours. The
        left entropy likewise.
        """
        cdef Py_ssize_t m = len(words), idx
        cdef uint64_t cslots = 64, mask, j, i, h
        while cslots < <uint64_t>(2 * m + 2):
            cslots *= 2
        mask = cslots - 1
        cdef qc_entry* index = <qc_entry*>big_calloc(cslots * sizeof(qc_entry))
        cdef double* racc = <double*>big_calloc((m + 1) * sizeof(double))
        cdef double* lacc = <double*>big_calloc((m + 1) * sizeof(double))
        cdef qc_key key, pre, suf
        cdef qc_entry* e
        cdef int n
        cdef double c, cnt
        out = []
        try:
            if index == NULL or racc == NULL or lacc == NULL:
                raise MemoryError("NgramCounter.stats: out of memory")
            for idx in range(m):
                w = words[idx]
                if isinstance(w, str) and 2 <= len(w) <= self.max_len and _key_of(w, self.order, &key):
                    i = qc_hash(qc_lo(key), qc_hi(key)) & mask
                    while index[i].lo != 0 and not (index[i].lo == qc_lo(key) and index[i].hi == qc_hi(key)):
                        i = (i + 1) & mask
                    index[i].lo = qc_lo(key)
                    index[i].hi = qc_hi(key)
                    index[i].count = idx + 1  # the last of equal words
            with nogil:
                for j in range(self.slots):
                    e = &self.table[j]
                    if e.lo == 0 or e.count == 0:
                        continue
                    key = qc_make(e.lo, e.hi)
                    n = _length(key)
                    if n < 3:
                        continue
                    c = e.count
                    c = c * log(c)
                    pre = qc_keep(key, n - 1)
                    suf = qc_drop_first(key)
                    idx = _lookup(index, mask, pre)
                    if idx >= 0:
                        racc[idx] += c
                    idx = _lookup(index, mask, suf)
                    if idx >= 0:
                        lacc[idx] += c
            for idx in range(m):
                w = words[idx]
                if not (isinstance(w, str) and 2 <= len(w) <= self.max_len and _key_of(w, self.order, &key)):
                    out.append((0, 0.0, 0.0, 0.0))
                    continue
                e = self._find(key)
                if e == NULL or e.count == 0:
                    out.append((0, 0.0, 0.0, 0.0))
                    continue
                cnt = e.count
                i = _lookup(index, mask, key)
                out.append((
                    e.count,
                    self._pmi(key, len(w), cnt),
                    max(0.0, log(cnt) - lacc[i] / cnt),
                    max(0.0, log(cnt) - racc[i] / cnt),
                ))
        finally:
            free(index)
            free(racc)
            free(lacc)
        return out


cdef inline Py_ssize_t _lookup(qc_entry* index, uint64_t mask, qc_key key) noexcept nogil:
    """The word index of ``key`` in a stats index, or -1."""
    cdef uint64_t lo = qc_lo(key), hi = qc_hi(key)
    cdef uint64_t i = qc_hash(lo, hi) & mask
    while index[i].lo != 0:
        if index[i].lo == lo and index[i].hi == hi:
            return index[i].count - 1
        i = (i + 1) & mask
    return -1


cdef bint _key_of(object w, int order, qc_key* out):
    """The key of ``w`` when it is 1..``order`` Han characters."""
    if not isinstance(w, str):
        return False
    cdef str s = <str>w
    cdef Py_ssize_t n = len(s), i
    cdef uint32_t c
    cdef qc_key key = 0
    if n < 1 or n > order:
        return False
    for i in range(n):
        c = _id(s[i])
        if c == 0:
            return False
        key = qc_put(key, c, <int>i)
    out[0] = key
    return True
