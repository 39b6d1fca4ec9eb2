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

# Each node's children sit together in one *block* of the pool: a small
# open-addressing table (a power of two of slots, probed linearly from the
# hash of the character). A walk reads one block per character, and the
# blocks of frequent characters stay in cache together, so the lookups of
# running text mostly hit close memory. The root's children below
# ROOT_DIRECT (ASCII and the CJK block) are a direct table.
cdef struct Slot:
    uint32_t key        # its character + 1 (0: an empty slot), with the log2
                        # of its block's size in the bits from KEY_LG_SHIFT
    uint32_t f32        # its frequency, or F32_BIG when Trie.freq holds it
    uint32_t blk        # pool offset of its children's block (0: no children)
    uint32_t node       # its node number (index into Trie.freq, tag, flags)

cdef enum:
    KEY_LG_SHIFT = 21
    KEY_CH_MASK = 0x1FFFFF
    ROOT_DIRECT = 0xA000
    F32_BIG = 0x7FFFFFFF
    LOG_CACHE = 1024
    CHAR_CACHE = 4096

cdef inline uint32_t block_hash(Py_UCS4 ch) noexcept nogil:
    return <uint32_t>((<uint64_t>ch * <uint64_t>0x9E3779B97F4A7C15ULL) >> 32)


cdef class Trie:
    cdef Slot* pool             # the blocks; pool[0] is never used (0 = none)
    cdef uint32_t* keys         # per pool slot: its character + 1 (0: empty),
                                # probed apart from the slots (16 to a cache
                                # line: a miss reads one line of the block)
    cdef uint64_t pool_used
    cdef uint64_t pool_cap
    cdef Slot* root_direct      # the root's children for chars < ROOT_DIRECT
    cdef Slot root              # the root itself: its block holds the others
    cdef int64_t* freq         # per node: its frequency (0: a bare prefix)
    cdef uint16_t* tag         # per node: its tag id (0: none)
    cdef uint8_t* flags
    cdef uint32_t n_nodes
    cdef uint32_t node_cap
    # log() of large counts (frequent words), direct-mapped by count
    cdef int64_t logc_key[LOG_CACHE]
    cdef double logc_val[LOG_CACHE]
    # one-character output strings, direct-mapped by code point (a
    # single-character word is the most common token)
    cdef PyObject* char_cache[CHAR_CACHE]
    cdef public int64_t total
    cdef public Py_ssize_t n_force_split

    cdef int _reserve_pool(self, uint64_t want) except -1
    cdef int _reserve_nodes(self, uint32_t want) except -1
    cdef uint32_t _alloc_block(self, int lg) except 0
    cdef Slot* _place(self, Slot* parent, Py_UCS4 ch) noexcept nogil
    cdef uint32_t _add_child(self, Slot* parent, Py_UCS4 ch) except 0
    cdef Slot* _grow_block(self, Slot* parent) except NULL
    cdef Slot* _slot_for(self, str word) except? NULL
    cdef Slot* _walk(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil
    cdef object word(self, str text, const Py_UCS4* u, Py_ssize_t s, Py_ssize_t e)
    cdef uint32_t _find(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil
    cdef uint32_t _node_for(self, str word) except? 0

    cdef inline Slot* next(self, const Slot* s, Py_UCS4 ch) noexcept nogil:
        """The child of ``s`` by ``ch``; NULL if none."""
        cdef uint32_t off = s.blk
        if off == 0:
            return NULL
        cdef uint32_t size = (<uint32_t>1) << (s.key >> KEY_LG_SHIFT)
        cdef uint32_t mask = size - 1
        cdef uint32_t i = block_hash(ch) & mask
        cdef uint32_t want = <uint32_t>ch + 1
        cdef uint32_t k, j
        cdef const uint32_t* b = self.keys + off
        for j in range(size):
            k = b[i]
            if k == want:
                return &self.pool[off + i]
            if k == 0:
                return NULL
            i = (i + 1) & mask
        return NULL

    cdef inline Slot* first(self, Py_UCS4 ch) noexcept nogil:
        """The root's child by ``ch``; NULL if none."""
        cdef Slot* s
        if ch < ROOT_DIRECT:
            s = &self.root_direct[ch]
            return s if s.key != 0 else NULL
        return self.next(&self.root, ch)

    cdef inline int64_t sfreq(self, const Slot* s) noexcept nogil:
        """The frequency of the node of ``s`` (0: a bare prefix)."""
        return self.freq[s.node] if s.f32 == F32_BIG else <int64_t>s.f32

    cdef inline void prefetch_next(self, const Slot* s, Py_UCS4 ch) noexcept nogil:
        """Start loading what ``next(s, ch)`` reads first."""
        if s.blk != 0:
            prefetch(&self.keys[s.blk + (block_hash(ch) & (((<uint32_t>1) << (s.key >> KEY_LG_SHIFT)) - 1))])

    cdef inline void prefetch2(self, Py_UCS4 c1, Py_UCS4 c2) noexcept nogil:
        """Start loading the slot of the two-character prefix c1 c2."""
        if c1 < ROOT_DIRECT:
            self.prefetch_next(&self.root_direct[c1], c2)

    cdef inline int64_t freq_of(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil:
        """Frequency of s[:n]: -1 when absent."""
        if n == 0:
            return self.freq[0]
        cdef Slot* sl = self._walk(s, n)
        if sl == NULL:
            return -1
        return self.sfreq(sl)


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
    # the first two levels of every position's dictionary walk (dag_scan)
    uint8_t* dag        # DAG_* bits per char
    double* lp1         # log(freq(u[k])) - logtotal, when DAG_W1
    double* lp2         # log(freq(u[k:k+2])) - logtotal, when DAG_W2
    const Slot** deep   # the slot of u[k:k+2], when DAG_DEEP

cdef inline void work_zero(Work* w) noexcept:
    """Make ``w`` safe to pass to work_free before work_init."""
    w.rp = NULL
    w.rx = NULL
    w.bp = NULL
    w.states = NULL
    w.dag = NULL
    w.lp1 = NULL
    w.lp2 = NULL
    w.deep = NULL

cdef int work_init(Work* w, const Py_UCS4* u, Py_ssize_t n) except -1
cdef void work_free(Work* w) noexcept
cdef int check_ready(Trie t, HMM h, bint use_hmm) except -1
cdef void calc_route(Trie t, Work* w, Py_ssize_t b, Py_ssize_t e) noexcept
