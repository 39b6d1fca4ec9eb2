# cython: language_level=3
"""C-level interface of :mod:`qieci.engines.jieba._core`, shared with the other kernels.

``from qieci.engines.jieba._core cimport Trie, ...`` gives another kernel (``_posseg``)
direct C access to a tokenizer's live dictionary: the :class:`Trie` with its
lookup methods (the hot ones inline, defined here), and the max-probability
route of jieba's ``calc`` over a block of text (:func:`calc_route`).

Contract for every reader: read the Trie only in a phase of plain C code that
calls no Python code (the GIL, held throughout, then keeps every dictionary
edit out, so a call sees the dictionary before or after an edit, never half
of one); build Python objects only afterwards, without reading the Trie again
(``Trie.word`` touches only its string cache, not the dictionary).
"""

from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t, int64_t
from cpython.ref cimport PyObject
from qieci._mem cimport prefetch

# ---------------------------------------------------------------------------
# character classes
# ---------------------------------------------------------------------------

cdef enum:
    HAN_FIRST = 0x4E00
    HAN_LAST = 0x9FD5
    HAN_COUNT = HAN_LAST - HAN_FIRST + 1

cdef inline bint is_han(Py_UCS4 c) noexcept nogil:
    # [\u4E00-\u9FD5]
    return HAN_FIRST <= c <= HAN_LAST

cdef inline bint is_eng(Py_UCS4 c) noexcept nogil:
    # [a-zA-Z0-9]
    return (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or (c >= 48 and c <= 57)


# ---------------------------------------------------------------------------
# the prefix dictionary
# ---------------------------------------------------------------------------

cdef struct Slot:
    uint32_t parent
    uint32_t ch
    uint32_t child          # 0 = empty slot (node 0 is the root, never a child)
    uint32_t f32            # see "packed frequency class" below

cdef struct RootEntry:     # the root's child for a BMP character
    uint32_t child
    uint32_t f32

# Packed frequency class (``f32``) of a child: bit 31 is set when the child
# has children of its own; bits 0..30 hold the class of its frequency, an
# index into Trie.cls_freq and Trie.cls_log (a dictionary has few distinct
# frequencies: jieba's 349,046 words have 5,087). Class 0 is frequency 0
# (a bare prefix), and only it. The route reads log(frequency) from
# cls_log, one load from a small array, never calling log() or testing
# which table holds it; the exact frequency stays in Trie.freq.
cdef enum:
    F32_CLASS = 0x7FFFFFFF
    F32_KIDS = 0x80000000

# A bit set over hash(parent, ch) of every non-root transition: most
# lookups in running text are misses, and this 1 MiB filter (which stays in
# L2) answers them without touching the 16-byte slots.
cdef enum:
    FILTER_BITS = 23
    CHAR_CACHE = 4096
    PAIR_CACHE_BITS = 14

# A two-character output string, direct-mapped by its code points (the
# second most common token)
cdef struct PairEntry:
    uint32_t c1
    uint32_t c2
    PyObject* obj

cdef inline uint64_t slot_hash(uint32_t parent, uint32_t ch) noexcept nogil:
    return ((<uint64_t>parent << 21) | ch) * <uint64_t>0x9E3779B97F4A7C15ULL


cdef class Trie:
    cdef Slot* slots
    cdef uint64_t cap          # number of slots, a power of two
    cdef int shift
    cdef uint64_t used
    cdef RootEntry* root_bmp   # root children for chars < 0x10000
    cdef int64_t* freq         # per node: its frequency (0: a bare prefix)
    cdef uint16_t* tag         # per node: its tag id (0: none)
    cdef uint8_t* flags
    cdef uint32_t n_nodes
    cdef uint32_t node_cap
    cdef uint64_t* filt
    # the frequency classes (see "packed frequency class"): per class its
    # frequency (borrowed from a prebuilt table like freq) and log() of it,
    # as CPython's math.log computes it (class 0: frequency 0, log unused);
    # cls_map finds a frequency's class for an edit (open addressing over
    # class ids, 0 = empty; made on the first edit)
    cdef int64_t* cls_freq
    cdef double* cls_log
    cdef uint32_t n_cls
    cdef uint32_t cls_cap
    cdef uint32_t* cls_map
    cdef uint32_t cls_map_cap
    # one-character output strings, direct-mapped by code point (a
    # single-character word is the most common token)
    cdef PyObject* char_cache[CHAR_CACHE]
    cdef PairEntry* pair_cache  # 2 ** PAIR_CACHE_BITS entries, made on first use
    cdef public int64_t total
    cdef public Py_ssize_t n_force_split
    # True while slots, root_bmp, filt, freq and tag point into buffers of a
    # prebuilt table (Trie.from_table) that ``owner`` keeps alive: read
    # only, copied into memory of the Trie's own before the first edit
    cdef bint borrowed
    cdef object owner

    cdef int _alloc_slots(self, uint64_t cap) except -1
    cdef int _own(self) except -1
    cdef void _release(self) noexcept
    cdef int _reserve_nodes(self, uint32_t want) except -1
    cdef object word(self, str text, const Py_UCS4* u, Py_ssize_t s, Py_ssize_t e)
    cdef object pair(self, Py_UCS4 c1, Py_UCS4 c2)
    cdef uint32_t* _f32_of(self, uint32_t parent, Py_UCS4 ch) noexcept nogil
    cdef int _store_f32(self, uint32_t parent, Py_UCS4 ch, int64_t freq) except -1
    cdef uint32_t _class_of(self, int64_t freq) except? 0xFFFFFFFF
    cdef int _index_classes(self, uint32_t cap) except -1
    cdef int _slot_insert(self, uint32_t parent, uint32_t ch, uint32_t child,
                          uint32_t f32) except -1
    cdef int _grow_slots(self) except -1
    cdef uint32_t _get_or_add_child(self, uint32_t node, Py_UCS4 ch) except 0
    cdef uint32_t _find(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil
    cdef uint32_t _node_for(self, str word) except? 0

    cdef inline bint _maybe(self, uint32_t node, Py_UCS4 ch) noexcept nogil:
        cdef uint64_t h = slot_hash(node, ch) >> (64 - FILTER_BITS)
        return (self.filt[h >> 6] >> (h & 63)) & 1

    cdef inline void _mark(self, uint32_t node, Py_UCS4 ch) noexcept nogil:
        cdef uint64_t h = slot_hash(node, ch) >> (64 - FILTER_BITS)
        self.filt[h >> 6] |= (<uint64_t>1) << (h & 63)

    cdef inline void prefetch2(self, Py_UCS4 c1, Py_UCS4 c2) noexcept nogil:
        """Start loading the slot of the two-character prefix c1 c2."""
        cdef uint32_t n1
        if c1 < 0x10000:
            n1 = self.root_bmp[c1].child
            if n1 != 0 and (self.root_bmp[c1].f32 & F32_KIDS):
                prefetch(&self.slots[slot_hash(n1, c2) >> self.shift])

    cdef inline Slot* _slot(self, uint32_t node, Py_UCS4 ch) noexcept nogil:
        """The slot of (node, ch), or the empty slot where it would go."""
        cdef uint64_t mask = self.cap - 1
        cdef uint64_t i = slot_hash(node, ch) >> self.shift
        cdef Slot* s
        while True:
            s = &self.slots[i]
            if s.child == 0 or (s.parent == node and s.ch == ch):
                return s
            i = (i + 1) & mask

    cdef inline uint32_t child(self, uint32_t node, Py_UCS4 ch) noexcept nogil:
        """Child of ``node`` by ``ch``; 0 if none."""
        if node == 0 and ch < 0x10000:
            return self.root_bmp[ch].child
        if not self._maybe(node, ch):
            return 0
        return self._slot(node, ch).child

    cdef inline uint32_t step(self, uint32_t node, Py_UCS4 ch, uint32_t* f,
                              bint* kids) noexcept nogil:
        """Child of ``node`` by ``ch`` (0 if none); the class of its
        frequency into ``f`` (0 exactly when the frequency is 0: a bare
        prefix; ``cls_log[f]`` is the log of the frequency) and whether it
        has children into ``kids``.

        One memory access for the common case: the class sits in the slot,
        so the hot loop never touches the node arrays.
        """
        cdef uint32_t c, f32
        cdef Slot* s
        if node == 0 and ch < 0x10000:
            c = self.root_bmp[ch].child
            f32 = self.root_bmp[ch].f32
        elif not self._maybe(node, ch):
            return 0
        else:
            s = self._slot(node, ch)
            c = s.child
            f32 = s.f32
        kids[0] = (f32 & F32_KIDS) != 0
        f[0] = f32 & F32_CLASS
        return c

    cdef inline int64_t freq_of(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil:
        """Frequency of s[:n]: -1 when absent."""
        cdef uint32_t node = self._find(s, n)
        if node == 0 and n > 0:
            return -1
        return self.freq[node]


# ---------------------------------------------------------------------------
# the B/M/E/S HMM and the route over a block
# ---------------------------------------------------------------------------

cdef class HMM:
    cdef double start[4]
    cdef double trans[4][4]
    cdef double* emit          # HAN_COUNT rows of 4

cdef struct Work:
    const Py_UCS4* u
    Py_ssize_t n
    double logtotal     # log(total), as jieba's calc() computes it
    double* rp          # route probability, n + 1
    Py_ssize_t* rx      # route end, n + 1
    uint8_t* bp         # viterbi back pointers, 4 per char
    uint8_t* states     # viterbi path

cdef inline void work_zero(Work* w) noexcept:
    """Make ``w`` safe to pass to work_free before work_init."""
    w.rp = NULL
    w.rx = NULL
    w.bp = NULL
    w.states = NULL

cdef int work_init(Work* w, const Py_UCS4* u, Py_ssize_t n) except -1
cdef void work_free(Work* w) noexcept
cdef int check_ready(Trie t, HMM h, bint use_hmm) except -1
cdef void calc_route(Trie t, Work* w, Py_ssize_t b, Py_ssize_t e) noexcept
