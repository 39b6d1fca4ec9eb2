# cython: language_level=3
"""Compiled kernels of qieci.

* :class:`Trie` -- the prefix dictionary (jieba's ``FREQ``): word -> frequency,
  where every prefix of a word is present with frequency 0 unless it is a word
  itself. Children are found through one open-addressing hash table, with a
  direct table for the root's BMP children. It is built from node arrays
  (``from_arrays``), or used in place from a prebuilt table (``from_table``,
  the bundled dictionary's: checked, never copied until an edit).
* :class:`HMM` -- the B/M/E/S character HMM for unknown Han words.
* ``lcut`` / ``tokenize`` / ``lcut_all`` -- the jieba-compatible segmenter:
  block splitting, DAG and max-probability route, HMM fallback, search grams.
* ``cut_lines`` / ``cut_lines_utf8`` -- many lines straight to the corpus
  format, from a ``str`` or from UTF-8 bytes (the file path: words are
  copied as their bytes, nothing is decoded to ``str``).

The pure-Python reference for every kernel is ``qieci.engines.jieba.reference``; the tests
check the two against each other and against jieba itself.

Thread safety: each kernel call first computes all token boundaries in plain
C, without touching a Python object (so no other thread can run and mutate the
Trie meanwhile, since the GIL is held throughout), and only then builds the
Python strings, without reading the Trie again.
"""

from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t, int64_t
from libc.stdlib cimport malloc, calloc, realloc, free
from libc.string cimport memcpy, memset, memchr
from libc.math cimport log, INFINITY
from cpython.mem cimport PyMem_Free
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject
from qieci._mem cimport big_calloc, huge_alloc, qieci_drop_pages

# The Trie and HMM classes' fields, the Trie's inline lookups, the character
# classes and the Work struct are declared in _core.pxd (shared with
# _posseg).

cdef extern from "Python.h":
    Py_UCS4* PyUnicode_AsUCS4Copy(object u) except NULL
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen, int copy_null) except NULL
    object PyUnicode_Substring(object u, Py_ssize_t start, Py_ssize_t end)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch)
    Py_UCS4 PyUnicode_READ_CHAR(object u, Py_ssize_t index)
    object PyLong_FromSsize_t(Py_ssize_t v)
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyBytes_FromStringAndSize(const char* v, Py_ssize_t size)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    int PyUnicode_KIND(object u)
    void* PyUnicode_DATA(object u)


cdef object new_str(const Py_UCS4* c, Py_ssize_t n):
    """The str of the n code points at c, made directly from them. The OR
    of the code points has the highest bit of the largest one, so it falls
    in the same range (ASCII, Latin-1, BMP, astral) and gives the str the
    same (most compact) kind as the largest code point would, as every str
    must have; PyUnicode_Substring's scan of the text's buffer for it is
    not needed."""
    cdef uint32_t bits = 0
    cdef Py_ssize_t i
    for i in range(n):
        bits |= <uint32_t>c[i]
    if bits > 0xFFFF:
        bits = 0x10FFFF  # (the OR of astral code points may pass the last one)
    obj = PyUnicode_New(n, <Py_UCS4>bits)
    cdef int kind = PyUnicode_KIND(obj)
    cdef void* data = PyUnicode_DATA(obj)
    if kind == 2:
        for i in range(n):
            (<uint16_t*>data)[i] = <uint16_t>c[i]
    elif kind == 1:
        for i in range(n):
            (<uint8_t*>data)[i] = <uint8_t>c[i]
    else:
        memcpy(data, c, n * sizeof(Py_UCS4))
    return obj


# ---------------------------------------------------------------------------
# character classes (jieba 0.42.1's regular expressions, as predicates)
# ---------------------------------------------------------------------------

cdef inline bint in_block(Py_UCS4 c) noexcept nogil:
    # [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]
    if c >= 128:
        return HAN_FIRST <= c <= HAN_LAST
    return is_eng(c) or c == 43 or c == 35 or c == 38 or c == 46 or c == 95 or c == 37 or c == 45


def char_class(Py_UCS4 c):
    """Return (in_block, is_han, is_eng) for one character (used by tests)."""
    return in_block(c), is_han(c), is_eng(c)


# ---------------------------------------------------------------------------
# the prefix dictionary
# ---------------------------------------------------------------------------

# Slot, RootEntry and the packed frequency class (F32_*): see _core.pxd.

cdef inline uint64_t freq_hash(int64_t freq) noexcept nogil:
    return <uint64_t>freq * <uint64_t>0x9E3779B97F4A7C15ULL

cdef enum:
    PREFETCH_AHEAD = 3

cdef enum:
    FLAG_FORCE_SPLIT = 1
    BUILD_BITS = 16               # from_arrays sorts entries by this many
    BUILD_BUCKETS = 1 << 16       # top bits of their slot's hash

cdef class Trie:
    """Word -> frequency map with prefix closure, as jieba's ``FREQ`` dict.

    ``get(w)`` is the frequency of ``w``: a positive count for a word, 0 for a
    bare prefix (or a deleted word), and -1 when ``w`` is not present at all.

    Its fields and inline lookups (``child``, ``step``, ``freq_of`` ...) are
    declared in ``_core.pxd``.
    """

    def __cinit__(self, Py_ssize_t expected_nodes=1024):
        cdef uint64_t cap = 1024
        while cap < <uint64_t>(expected_nodes * 2 + 16):
            cap <<= 1
        self._alloc_slots(cap)
        self.root_bmp = <RootEntry*>calloc(0x10000, sizeof(RootEntry))
        self.filt = <uint64_t*>calloc((1 << FILTER_BITS) // 64, sizeof(uint64_t))
        if self.filt == NULL:
            raise MemoryError()
        self.cls_freq = <int64_t*>malloc(16 * sizeof(int64_t))
        self.cls_log = <double*>malloc(16 * sizeof(double))
        self.cls_map = NULL
        self.cls_map_cap = 0
        if self.cls_freq == NULL or self.cls_log == NULL:
            raise MemoryError()
        self.cls_freq[0] = 0
        self.cls_log[0] = 0.0
        self.n_cls = 1
        self.cls_cap = 16
        memset(self.char_cache, 0, sizeof(self.char_cache))
        self.pair_cache = NULL
        self.node_cap = 0
        self.n_nodes = 0
        self.freq = NULL
        self.tag = NULL
        self.flags = NULL
        if self.root_bmp == NULL:
            raise MemoryError()
        self._reserve_nodes(max(expected_nodes, 16))
        self.n_nodes = 1      # the root
        self.freq[0] = 0
        self.tag[0] = 0
        self.flags[0] = 0
        self.total = 0
        self.n_force_split = 0
        self.borrowed = False
        self.owner = None

    def __dealloc__(self):
        cdef Py_ssize_t k
        for k in range(CHAR_CACHE):
            Py_XDECREF(self.char_cache[k])
        if self.pair_cache != NULL:
            for k in range(1 << PAIR_CACHE_BITS):
                Py_XDECREF(self.pair_cache[k].obj)
            free(self.pair_cache)
        self._release()

    cdef void _release(self) noexcept:
        """Free the arrays (the borrowed ones are the table's: kept)."""
        free(self.slots)  # (always the Trie's own: see from_table)
        if not self.borrowed:
            free(self.filt)
            free(self.root_bmp)
            free(self.freq)
            free(self.tag)
            free(self.cls_freq)
        free(self.flags)
        free(self.cls_log)
        free(self.cls_map)
        self.cls_freq = NULL
        self.cls_log = NULL
        self.cls_map = NULL
        self.cls_map_cap = 0
        self.slots = NULL
        self.filt = NULL
        self.root_bmp = NULL
        self.freq = NULL
        self.tag = NULL
        self.flags = NULL

    cdef int _own(self) except -1:
        """Copy the borrowed arrays of a prebuilt table into memory of the
        Trie's own (before its first edit; the buffers stay untouched)."""
        if not self.borrowed:
            return 0
        cdef size_t nf = (1 << FILTER_BITS) // 64
        cdef RootEntry* rt = <RootEntry*>malloc(0x10000 * sizeof(RootEntry))
        cdef uint64_t* fl = <uint64_t*>malloc(nf * sizeof(uint64_t))
        cdef int64_t* fr = <int64_t*>malloc(self.n_nodes * sizeof(int64_t))
        cdef uint16_t* tg = <uint16_t*>malloc(self.n_nodes * sizeof(uint16_t))
        cdef int64_t* cf = <int64_t*>malloc(self.cls_cap * sizeof(int64_t))
        if rt == NULL or fl == NULL or fr == NULL or tg == NULL or cf == NULL:
            free(rt)
            free(fl)
            free(fr)
            free(tg)
            free(cf)
            raise MemoryError()
        memcpy(rt, self.root_bmp, 0x10000 * sizeof(RootEntry))
        memcpy(fl, self.filt, nf * sizeof(uint64_t))
        memcpy(fr, self.freq, self.n_nodes * sizeof(int64_t))
        memcpy(tg, self.tag, self.n_nodes * sizeof(uint16_t))
        memcpy(cf, self.cls_freq, self.n_cls * sizeof(int64_t))
        self.root_bmp = rt
        self.filt = fl
        self.freq = fr
        self.tag = tg
        self.cls_freq = cf
        self.borrowed = False
        return 0

    cdef int _alloc_slots(self, uint64_t cap) except -1:
        cdef Slot* s = <Slot*>big_calloc(cap * sizeof(Slot))
        if s == NULL:
            raise MemoryError()
        self.slots = s
        self.cap = cap
        self.used = 0
        self.shift = 64
        while cap > 1:
            cap >>= 1
            self.shift -= 1
        return 0

    cdef int _reserve_nodes(self, uint32_t want) except -1:
        if want <= self.node_cap:
            return 0
        cdef uint32_t newcap = self.node_cap * 2 if self.node_cap else 16
        while newcap < want:
            newcap *= 2
        cdef void* p
        p = realloc(self.freq, newcap * sizeof(int64_t))
        if p == NULL:
            raise MemoryError()
        self.freq = <int64_t*>p
        p = realloc(self.tag, newcap * sizeof(uint16_t))
        if p == NULL:
            raise MemoryError()
        self.tag = <uint16_t*>p
        p = realloc(self.flags, newcap * sizeof(uint8_t))
        if p == NULL:
            raise MemoryError()
        self.flags = <uint8_t*>p
        self.node_cap = newcap
        return 0

    cdef object word(self, str text, const Py_UCS4* u, Py_ssize_t s, Py_ssize_t e):
        """text[s:e] as a new reference (one-character strings are cached)."""
        cdef PyObject* hit
        cdef Py_ssize_t k
        if e - s == 2:
            return self.pair(u[s], u[s + 1])
        if e - s != 1:
            return new_str(u + s, e - s)
        k = (<Py_ssize_t>u[s]) & (CHAR_CACHE - 1)
        hit = self.char_cache[k]
        if hit != NULL and PyUnicode_READ_CHAR(<object>hit, 0) == u[s]:
            return <object>hit
        obj = PyUnicode_Substring(text, s, e)
        Py_INCREF(obj)
        Py_XDECREF(hit)
        self.char_cache[k] = <PyObject*>obj
        return obj

    cdef object pair(self, Py_UCS4 c1, Py_UCS4 c2):
        """The two-character str c1 c2 as a new reference, from the pair
        cache (a hit costs a comparison instead of a new str, and the
        list's release later costs no free)."""
        cdef PairEntry* p = self.pair_cache
        cdef Py_UCS4 c[2]
        if p == NULL:
            p = <PairEntry*>calloc(1 << PAIR_CACHE_BITS, sizeof(PairEntry))
            if p == NULL:  # no memory for the cache: make the str
                c[0] = c1
                c[1] = c2
                return new_str(c, 2)
            self.pair_cache = p
        p += ((((<uint64_t>c1) << 21) | <uint64_t>c2) * <uint64_t>0x9E3779B97F4A7C15ULL) >> (64 - PAIR_CACHE_BITS)
        if p.obj != NULL and p.c1 == c1 and p.c2 == c2:
            return <object>p.obj
        c[0] = c1
        c[1] = c2
        obj = new_str(c, 2)
        Py_INCREF(obj)
        Py_XDECREF(p.obj)
        p.obj = <PyObject*>obj
        p.c1 = c1
        p.c2 = c2
        return obj

    cdef uint32_t* _f32_of(self, uint32_t parent, Py_UCS4 ch) noexcept nogil:
        """The packed-frequency field of the child (parent, ch), which must exist."""
        if parent == 0 and ch < 0x10000:
            return &self.root_bmp[ch].f32
        return &self._slot(parent, ch).f32

    cdef int _store_f32(self, uint32_t parent, Py_UCS4 ch, int64_t freq) except -1:
        cdef uint32_t c = self._class_of(freq)
        cdef uint32_t* p = self._f32_of(parent, ch)
        p[0] = (p[0] & F32_KIDS) | c
        return 0

    cdef int _index_classes(self, uint32_t cap) except -1:
        """(Re)build cls_map with ``cap`` entries (a power of two above
        twice the number of classes)."""
        cdef uint32_t* m = <uint32_t*>calloc(cap, sizeof(uint32_t))
        cdef uint32_t k, mask = cap - 1
        cdef uint64_t i
        if m == NULL:
            raise MemoryError()
        for k in range(1, self.n_cls):
            i = (freq_hash(self.cls_freq[k]) >> 32) & mask
            while m[i] != 0:
                i = (i + 1) & mask
            m[i] = k
        free(self.cls_map)
        self.cls_map = m
        self.cls_map_cap = cap
        return 0

    cdef uint32_t _class_of(self, int64_t freq) except? 0xFFFFFFFF:
        """The class of ``freq`` (>= 0), added when new. Class 0 is
        frequency 0; a class, once made, is never removed (a dictionary
        has few distinct frequencies). Call after ``_own`` on a table's
        Trie (the classes array may be the table's)."""
        if freq <= 0:
            return 0
        cdef uint32_t cap = 64, k
        cdef uint64_t i, mask
        cdef void* p
        if self.cls_map == NULL or (self.n_cls + 1) * 2 > self.cls_map_cap:
            while cap < (self.n_cls + 1) * 2:
                cap *= 2
            self._index_classes(cap)
        mask = self.cls_map_cap - 1
        i = (freq_hash(freq) >> 32) & mask
        while self.cls_map[i] != 0:
            k = self.cls_map[i]
            if self.cls_freq[k] == freq:
                return k
            i = (i + 1) & mask
        if self.n_cls >= F32_CLASS:
            raise OverflowError("dictionary has too many distinct frequencies")
        if self.n_cls == self.cls_cap:
            p = realloc(self.cls_freq, self.cls_cap * 2 * sizeof(int64_t))
            if p == NULL:
                raise MemoryError()
            self.cls_freq = <int64_t*>p
            p = realloc(self.cls_log, self.cls_cap * 2 * sizeof(double))
            if p == NULL:
                raise MemoryError()
            self.cls_log = <double*>p
            self.cls_cap *= 2
        k = self.n_cls
        self.cls_freq[k] = freq
        # as jieba's math.log(FREQ[w]) computes it: libm's log of the double
        self.cls_log[k] = log(<double>freq)
        self.cls_map[i] = k
        self.n_cls += 1
        return k

    cdef int _slot_insert(self, uint32_t parent, uint32_t ch, uint32_t child,
                          uint32_t f32) except -1:
        cdef uint64_t mask = self.cap - 1
        cdef uint64_t i = slot_hash(parent, ch) >> self.shift
        while self.slots[i].child != 0:
            i = (i + 1) & mask
        self.slots[i].parent = parent
        self.slots[i].ch = ch
        self.slots[i].child = child
        self.slots[i].f32 = f32
        self.used += 1
        self._mark(parent, ch)
        return 0

    cdef int _grow_slots(self) except -1:
        cdef Slot* old = self.slots
        cdef uint64_t oldcap = self.cap
        cdef uint64_t i
        self._alloc_slots(oldcap * 2)
        for i in range(oldcap):
            if old[i].child != 0:
                self._slot_insert(old[i].parent, old[i].ch, old[i].child, old[i].f32)
        free(old)
        return 0

    cdef uint32_t _get_or_add_child(self, uint32_t node, Py_UCS4 ch) except 0:
        cdef uint32_t c = self.child(node, ch)
        if c != 0:
            return c
        if self.n_nodes == 0xFFFFFFFE:
            raise OverflowError("dictionary too large")
        self._reserve_nodes(self.n_nodes + 1)
        c = self.n_nodes
        self.n_nodes += 1
        self.freq[c] = 0
        self.tag[c] = 0
        self.flags[c] = 0
        if node == 0 and ch < 0x10000:
            self.root_bmp[ch].child = c
            self.root_bmp[ch].f32 = 0
        else:
            if (self.used + 1) * 2 > self.cap:
                self._grow_slots()
            self._slot_insert(node, ch, c, 0)
        return c

    cdef uint32_t _find(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil:
        cdef uint32_t node = 0
        cdef Py_ssize_t i
        for i in range(n):
            node = self.child(node, s[i])
            if node == 0:
                return 0
        return node

    cdef uint32_t _node_for(self, str word) except? 0:
        cdef uint32_t node = 0
        cdef Py_UCS4 ch
        for ch in word:
            node = self.child(node, ch)
            if node == 0:
                return 0
        return node

    # -- Python-facing operations ------------------------------------------

    def get(self, str word) -> int:
        """Frequency of ``word``; 0 for a bare prefix; -1 when absent."""
        cdef uint32_t node = self._node_for(word) if word else 0
        return self.freq[node] if node else -1

    def get_tag(self, str word) -> int:
        """Tag id stored with ``word`` (0 = none); -1 when absent."""
        cdef uint32_t node = self._node_for(word) if word else 0
        return self.tag[node] if node else -1

    def set(self, str word, int64_t freq, int tag=-1) -> None:
        """Set the frequency (and optionally the tag id) of ``word``.

        Missing prefixes are created with frequency 0, as jieba does. The
        caller keeps ``total`` up to date.
        """
        if not word:
            raise ValueError("empty word")
        if freq < 0:
            raise ValueError(f"negative frequency {freq} for {word!r}")
        self._own()
        cdef uint32_t node = 0, parent = 0, child
        cdef Py_UCS4 ch, last = 0
        for ch in word:
            child = self.child(node, ch)
            if child == 0:
                child = self._get_or_add_child(node, ch)
                if node != 0:
                    self._f32_of(parent, last)[0] |= F32_KIDS
            parent = node
            last = ch
            node = child
        self._store_f32(parent, last, freq)
        self.freq[node] = freq
        if tag >= 0:
            self.tag[node] = <uint16_t>tag
        self.owner = None  # (after the edit: releasing the buffers runs no kernel code)

    def add_word(self, str word, int64_t freq) -> None:
        """jieba's ``add_word`` on the dictionary, as one edit: set the
        frequency of ``word`` to ``freq``, add ``freq`` to ``total`` and, when
        ``freq`` is 0, mark the word force-split.

        The kernels read the trie holding the GIL and this method runs no
        Python code between its steps, so a concurrent cut or tagging call
        sees either all of the edit or none of it."""
        self.set(word, freq)
        self.total += freq
        if freq == 0:
            self.mark_force_split(word)

    def mark_force_split(self, str word) -> None:
        """Mark ``word`` so the HMM never emits it whole (jieba's
        ``Force_Split_Words``). The word must be present."""
        cdef uint32_t node = self._node_for(word)
        if node == 0:
            raise KeyError(word)
        if not (self.flags[node] & FLAG_FORCE_SPLIT):
            self.flags[node] |= FLAG_FORCE_SPLIT
            self.n_force_split += 1

    def is_force_split(self, str word) -> bool:
        cdef uint32_t node = self._node_for(word) if word else 0
        return node != 0 and (self.flags[node] & FLAG_FORCE_SPLIT) != 0

    def __len__(self):
        """Number of entries (words and prefixes)."""
        return self.n_nodes - 1

    @staticmethod
    def from_arrays(const uint32_t[:] parent_delta, const uint32_t[:] chars,
                    const int64_t[:] freq, const uint16_t[:] tag, int64_t total,
                    Py_ssize_t n_tags=0x10000):
        """Build from node arrays in which every parent precedes its child.

        Entry ``i`` (0-based) is node ``i + 1``; its parent is node
        ``i + 1 - parent_delta[i]`` (0 is the root). Raises ValueError on
        inconsistent arrays.
        """
        cdef Py_ssize_t n = parent_delta.shape[0]
        if chars.shape[0] != n or freq.shape[0] != n or tag.shape[0] != n:
            raise ValueError("node arrays differ in length")
        cdef Trie t = Trie(n + 1)
        t._reserve_nodes(<uint32_t>(n + 1))
        cdef bytearray has_kids = bytearray(n + 1)
        cdef unsigned char* kids = has_kids
        cdef Py_ssize_t i
        for i in range(n):
            if parent_delta[i] == 0 or parent_delta[i] > i + 1:
                raise ValueError(f"entry {i + 1}: invalid parent")
            kids[i + 1 - parent_delta[i]] = 1
        cdef uint32_t p, node, f32
        cdef int64_t f
        # the first bad entry, as a loop over the entries in order would
        # find it: a bad tag or code point, else a duplicate, else a
        # negative frequency (duplicates are found while inserting, below)
        cdef Py_ssize_t bad = n, dup = n
        cdef str why = ""
        for i in range(n):
            if tag[i] >= n_tags:
                bad, why = i, "tag id out of range"
                break
            if chars[i] > 0x10FFFF:
                bad, why = i, f"invalid code point {chars[i]}"
                break
        for i in range(min(bad, n)):
            if freq[i] < 0:
                bad, why = i, "negative frequency"
                break
        # insert in the order of the slots' hashes (a counting sort on their
        # top bits), so that the table and the filter fill front to back
        # instead of by random writes
        cdef uint32_t* order = <uint32_t*>malloc(max(n, 1) * sizeof(uint32_t))
        cdef uint32_t* start = <uint32_t*>calloc(BUILD_BUCKETS + 1, sizeof(uint32_t))
        cdef uint64_t h, mask = t.cap - 1, at
        cdef Py_ssize_t j
        cdef Slot* sl
        try:
            if order == NULL or start == NULL:
                raise MemoryError()
            for i in range(n):
                p = <uint32_t>(i + 1 - parent_delta[i])
                start[(slot_hash(p, chars[i]) >> (64 - BUILD_BITS)) + 1] += 1
            for j in range(BUILD_BUCKETS):
                start[j + 1] += start[j]
            for i in range(n):
                p = <uint32_t>(i + 1 - parent_delta[i])
                h = slot_hash(p, chars[i]) >> (64 - BUILD_BITS)
                order[start[h]] = <uint32_t>i
                start[h] += 1
            for j in range(n):
                i = order[j]
                node = <uint32_t>(i + 1)
                p = node - parent_delta[i]
                f = freq[i]
                t.freq[node] = f
                t.tag[node] = tag[i]
                t.flags[node] = 0
                # (a bad entry's class is never read: the build is refused)
                f32 = t._class_of(f if f > 0 else 0) | (F32_KIDS if kids[node] else 0)
                if p == 0 and chars[i] < 0x10000:
                    # (equal keys arrive in entry order: the sort is stable)
                    if t.root_bmp[chars[i]].child != 0:
                        dup = min(dup, i)
                        continue
                    t.root_bmp[chars[i]].child = node
                    t.root_bmp[chars[i]].f32 = f32
                    continue
                at = slot_hash(p, chars[i]) >> t.shift
                sl = &t.slots[at]
                while sl.child != 0 and not (sl.parent == p and sl.ch == chars[i]):
                    at = (at + 1) & mask
                    sl = &t.slots[at]
                if sl.child != 0:
                    dup = min(dup, i)
                    continue
                sl.parent = p
                sl.ch = chars[i]
                sl.child = node
                sl.f32 = f32
                t.used += 1
                t._mark(p, chars[i])
        finally:
            free(order)
            free(start)
        if dup < bad or (dup == bad and why == "negative frequency"):
            bad, why = dup, "duplicate entry"
        if bad < n:
            raise ValueError(f"entry {bad + 1}: {why}")
        t.n_nodes = <uint32_t>(n + 1)
        t.total = total
        return t

    @staticmethod
    def from_table(slots, root, filt, freq, tag, classes, int64_t total,
                   Py_ssize_t n_tags=0x10000, bint mapped=False):
        """A Trie over the prebuilt table of :meth:`to_table` (the format of
        :data:`TABLE_LAYOUT`): the buffers (native-order uint32 slots and
        root entries, uint64 filter words, int64 and uint16 per node, the
        root's first, and the int64 frequency of each frequency class, class
        0's first) are read in place and kept alive, and copied only
        before the first edit, except the slots, copied at once onto huge
        pages (with ``mapped``, the buffers are a read-only memory map of a
        file, whose pages of the slots are dropped as they are copied).
        Every index the lookups follow is checked first; ValueError names
        the first bad one. A table that passes is safe to read whatever it
        holds."""
        cdef const uint32_t[:] sv = slots
        cdef const uint32_t[:] rv = root
        cdef const uint64_t[:] fv = filt
        cdef const int64_t[:] qv = freq
        cdef const uint16_t[:] tv = tag
        cdef const int64_t[:] cv = classes
        cdef Py_ssize_t nodes = qv.shape[0], i, n_cls = cv.shape[0]
        cdef uint64_t cap = <uint64_t>sv.shape[0] // 4, used = 0
        if sv.shape[0] % 4 or cap < 1024 or cap > (<uint64_t>1 << 31) or cap & (cap - 1):
            raise ValueError("table slots: not a power of two of at least 1024 slots")
        if rv.shape[0] != 0x10000 * 2:
            raise ValueError("table root: wrong size")
        if fv.shape[0] != (1 << FILTER_BITS) // 64:
            raise ValueError("table filter: wrong size")
        if nodes < 1 or nodes > 0xFFFFFFFE or tv.shape[0] != nodes:
            raise ValueError("table node arrays: wrong size")
        if qv[0] != 0 or tv[0] != 0:
            raise ValueError("table node 0 (the root) has a frequency or a tag")
        if n_cls < 1 or n_cls > F32_CLASS or cv[0] != 0:
            raise ValueError("table frequency classes: wrong size, or class 0 is not frequency 0")
        for i in range(1, n_cls):
            if cv[i] <= 0:
                raise ValueError(f"table frequency class {i}: not a positive frequency")
        for i in range(nodes):
            if qv[i] < 0:
                raise ValueError(f"entry {i}: negative frequency")
            if tv[i] >= n_tags:
                raise ValueError(f"entry {i}: tag id out of range")
        cdef const RootEntry* rt = <const RootEntry*>&rv[0]
        for i in range(0x10000):
            if rt[i].child >= nodes or (rt[i].f32 & F32_CLASS) >= n_cls:
                raise ValueError(f"table root entry {i}: node or frequency class out of range")
        cdef const Slot* sl = <const Slot*>&sv[0]
        for i in range(<Py_ssize_t>cap):
            if sl[i].child != 0:
                # a child follows its parent; the node arrays hold it
                if sl[i].child >= nodes or sl[i].parent >= sl[i].child:
                    raise ValueError(f"table slot {i}: node out of range")
                if (sl[i].f32 & F32_CLASS) >= n_cls:
                    raise ValueError(f"table slot {i}: frequency class out of range")
                used += 1
        # at least half the slots empty: every probe ends (at an empty slot),
        # and an edit grows the table as it would one built here
        if used * 2 > cap:
            raise ValueError("table slots: more than half full")
        cdef Trie t = Trie.__new__(Trie, 16)
        t._release()
        t.borrowed = True
        t.owner = (root, filt, freq, tag, classes)
        # the slots, read at random by every lookup, are copied into memory
        # of the Trie's own, on huge pages where the system gives them (a
        # file's pages are 4 KiB: the lookups would miss the TLB)
        t.slots = <Slot*>huge_alloc(cap * sizeof(Slot))
        if t.slots == NULL:
            raise MemoryError()
        copy_dropping(t.slots, sl, cap * sizeof(Slot), mapped)
        t.root_bmp = <RootEntry*>rt
        t.filt = <uint64_t*>&fv[0]
        t.freq = <int64_t*>&qv[0]
        t.tag = <uint16_t*>&tv[0]
        t.node_cap = <uint32_t>nodes
        t.n_nodes = <uint32_t>nodes
        t.flags = <uint8_t*>calloc(nodes, 1)
        if t.flags == NULL:
            raise MemoryError()
        t.cls_freq = <int64_t*>&cv[0]
        t.n_cls = <uint32_t>n_cls
        t.cls_cap = <uint32_t>n_cls
        t.cls_log = <double*>malloc(n_cls * sizeof(double))
        if t.cls_log == NULL:
            raise MemoryError()
        t.cls_log[0] = 0.0
        for i in range(1, n_cls):
            t.cls_log[i] = log(<double>cv[i])
        t.cap = cap
        t.shift = 64
        while cap > 1:
            cap >>= 1
            t.shift -= 1
        t.used = used
        t.total = total
        return t

    def to_table(self):
        """The lookup table as native-order bytes (slots, root entries,
        filter, the frequency of each frequency class): with the node
        frequencies and tags, what :meth:`from_table` reads."""
        return (
            PyBytes_FromStringAndSize(<char*>self.slots, self.cap * sizeof(Slot)),
            PyBytes_FromStringAndSize(<char*>self.root_bmp, 0x10000 * sizeof(RootEntry)),
            PyBytes_FromStringAndSize(<char*>self.filt, ((1 << FILTER_BITS) // 64) * 8),
            PyBytes_FromStringAndSize(<char*>self.cls_freq, self.n_cls * sizeof(int64_t)),
        )

    def to_arrays(self):
        """Return (parent_delta, chars, freq, tag) as bytes of native-order
        arrays, in node order (the inverse of :meth:`from_arrays`)."""
        cdef Py_ssize_t n = self.n_nodes - 1
        cdef bytearray bp = bytearray(n * 4), bc = bytearray(n * 4)
        cdef bytearray bf = bytearray(n * 8), bt = bytearray(n * 2)
        cdef uint32_t[:] par = memoryview(bp).cast("I")
        cdef uint32_t[:] chs = memoryview(bc).cast("I")
        cdef int64_t[:] fr = memoryview(bf).cast("q")
        cdef uint16_t[:] tg = memoryview(bt).cast("H")
        cdef uint64_t i
        cdef uint32_t c
        for i in range(0x10000):
            c = self.root_bmp[i].child
            if c:
                par[c - 1] = c
                chs[c - 1] = <uint32_t>i
        for i in range(self.cap):
            c = self.slots[i].child
            if c:
                par[c - 1] = c - self.slots[i].parent
                chs[c - 1] = self.slots[i].ch
        for i in range(1, self.n_nodes):
            fr[i - 1] = self.freq[i]
            tg[i - 1] = self.tag[i]
        return bytes(bp), bytes(bc), bytes(bf), bytes(bt)

    def copy(self):
        """An independent deep copy."""
        cdef Trie t = Trie.__new__(Trie, 16)
        free(t.slots)
        t.slots = <Slot*>big_calloc(self.cap * sizeof(Slot))
        if t.slots == NULL:
            raise MemoryError()
        memcpy(t.slots, self.slots, self.cap * sizeof(Slot))
        t.cap = self.cap
        t.shift = self.shift
        t.used = self.used
        memcpy(t.root_bmp, self.root_bmp, 0x10000 * sizeof(RootEntry))
        memcpy(t.filt, self.filt, ((1 << FILTER_BITS) // 64) * sizeof(uint64_t))
        t._reserve_nodes(self.n_nodes)
        memcpy(t.freq, self.freq, self.n_nodes * sizeof(int64_t))
        memcpy(t.tag, self.tag, self.n_nodes * sizeof(uint16_t))
        memcpy(t.flags, self.flags, self.n_nodes * sizeof(uint8_t))
        t.n_nodes = self.n_nodes
        t.total = self.total
        t.n_force_split = self.n_force_split
        cdef void* cf = realloc(t.cls_freq, self.n_cls * sizeof(int64_t))
        if cf == NULL:
            raise MemoryError()
        t.cls_freq = <int64_t*>cf
        cdef void* cl = realloc(t.cls_log, self.n_cls * sizeof(double))
        if cl == NULL:
            raise MemoryError()
        t.cls_log = <double*>cl
        memcpy(t.cls_freq, self.cls_freq, self.n_cls * sizeof(int64_t))
        memcpy(t.cls_log, self.cls_log, self.n_cls * sizeof(double))
        t.n_cls = self.n_cls
        t.cls_cap = self.n_cls
        return t


#: The layout of a prebuilt table (Trie.to_table): the slot and root-entry
#: structs, slot_hash and FILTER_BITS. A file whose table has another
#: layout is rebuilt from its arrays instead.
TABLE_LAYOUT = f"slots16-fib64-filter{FILTER_BITS}-classes-v2"


cdef void copy_dropping(void* dst, const void* src, size_t n, bint mapped) noexcept nogil:
    """memcpy; with ``mapped`` (``src`` is a read-only memory map of a file),
    in steps, each dropping the source's pages once copied (they would be
    read from the file again if used), so that the process never holds
    both copies."""
    cdef size_t step = 1 << 21, done = 0, k, page = 4096
    cdef size_t a, b
    if not mapped:
        memcpy(dst, src, n)
        return
    while done < n:
        k = min(step, n - done)
        memcpy(<char*>dst + done, <const char*>src + done, k)
        # the whole pages inside the source's piece
        a = (<size_t>src + done + page - 1) & ~(page - 1)
        b = (<size_t>src + done + k) & ~(page - 1)
        if b > a:
            qieci_drop_pages(<void*>a, b - a)
        done += k


# ---------------------------------------------------------------------------
# the B/M/E/S HMM
# ---------------------------------------------------------------------------

cdef enum:
    ST_B = 0
    ST_M = 1
    ST_E = 2
    ST_S = 3

cdef double MIN_FLOAT = -3.14e100


cdef class HMM:
    """Start, transition and emission log-probabilities over B, M, E, S.

    Only the characters U+4E00..U+9FD5 are ever scored (jieba runs the HMM on
    those runs only); a missing emission scores ``-3.14e100`` as in jieba.
    Fields: see ``_core.pxd``.
    """

    def __cinit__(self, start, trans, const uint32_t[:] chars, const double[:] emit):
        cdef Py_ssize_t i, j, n = chars.shape[0]
        if len(start) != 4 or len(trans) != 16 or emit.shape[0] != n * 4:
            raise ValueError("HMM tables have the wrong shape")
        for i in range(4):
            self.start[i] = start[i]
            for j in range(4):
                self.trans[i][j] = trans[i * 4 + j]
        self.emit = <double*>malloc(HAN_COUNT * 4 * sizeof(double))
        if self.emit == NULL:
            raise MemoryError()
        for i in range(HAN_COUNT * 4):
            self.emit[i] = MIN_FLOAT
        cdef uint32_t c
        for i in range(n):
            c = chars[i]
            if HAN_FIRST <= c <= HAN_LAST:
                for j in range(4):
                    self.emit[(c - HAN_FIRST) * 4 + j] = emit[i * 4 + j]

    def __dealloc__(self):
        free(self.emit)


# ---------------------------------------------------------------------------
# the segmenter
# ---------------------------------------------------------------------------

cdef struct Spans:
    Py_ssize_t* a       # start, end pairs
    Py_ssize_t n        # number of pairs
    Py_ssize_t cap
    bint borrowed       # a is a caller's buffer (never freed or reallocated)

cdef inline void spans_init(Spans* sp) noexcept:
    sp.a = NULL
    sp.n = 0
    sp.cap = 0
    sp.borrowed = False

cdef inline void spans_free(Spans* sp) noexcept:
    if not sp.borrowed:
        free(sp.a)
    sp.a = NULL
    sp.borrowed = False


# A call on a short text (most sentences) runs in buffers on the C stack:
# no allocation per call.
cdef enum:
    SHORT_TEXT = 256

cdef struct ShortBufs:
    Py_UCS4 u[SHORT_TEXT + 1]
    double rp[SHORT_TEXT + 1]
    Py_ssize_t rx[SHORT_TEXT + 1]
    uint8_t bp[4 * (SHORT_TEXT + 1)]
    uint8_t states[SHORT_TEXT + 1]
    Py_ssize_t spans[2 * SHORT_TEXT]


cdef int spans_grow(Spans* sp) except -1:
    cdef Py_ssize_t newcap = sp.cap * 2 if sp.cap else 64
    cdef void* p
    if sp.borrowed:
        p = malloc(newcap * 2 * sizeof(Py_ssize_t))
        if p != NULL:
            memcpy(p, sp.a, sp.n * 2 * sizeof(Py_ssize_t))
    else:
        p = realloc(sp.a, newcap * 2 * sizeof(Py_ssize_t))
    if p == NULL:
        raise MemoryError()
    sp.a = <Py_ssize_t*>p
    sp.cap = newcap
    sp.borrowed = False
    return 0


cdef inline int spans_push(Spans* sp, Py_ssize_t s, Py_ssize_t e) except -1:
    if sp.n == sp.cap:
        spans_grow(sp)
    sp.a[2 * sp.n] = s
    sp.a[2 * sp.n + 1] = e
    sp.n += 1
    return 0


# Work (the per-call buffers) and work_zero: see _core.pxd.

cdef int work_init(Work* w, const Py_UCS4* u, Py_ssize_t n) except -1:
    """Buffers for texts of up to ``n`` characters over ``u``; release them
    with work_free (also on error, after work_zero)."""
    w.u = u
    w.n = n
    w.logtotal = 0.0
    w.rp = <double*>malloc((n + 1) * sizeof(double))
    w.rx = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
    w.bp = <uint8_t*>malloc((n + 1) * 4)
    w.states = <uint8_t*>malloc(n + 1)
    if w.rp == NULL or w.rx == NULL or w.bp == NULL or w.states == NULL:
        work_free(w)
        raise MemoryError()
    return 0


cdef void work_free(Work* w) noexcept:
    free(w.rp)
    free(w.rx)
    free(w.bp)
    free(w.states)
    w.rp = NULL
    w.rx = NULL
    w.bp = NULL
    w.states = NULL


cdef void calc_route(Trie t, Work* w, Py_ssize_t b, Py_ssize_t e) noexcept:
    """jieba's get_DAG + calc on the block u[b:e]: w.rx[k] is the end
    (inclusive, relative to b) of the best word at b + k and w.rp[k] the
    route's log-probability from there; w.logtotal must be log(t.total).
    Plain C: reads the Trie, calls no Python code."""
    cdef const Py_UCS4* u = w.u + b
    cdef Py_ssize_t N = e - b, idx, i, best_x
    cdef double logtotal = w.logtotal
    cdef double best_p, p
    cdef uint32_t node, f
    cdef const double* cls_log = t.cls_log
    cdef bint better, kids
    w.rp[N] = 0.0
    w.rx[N] = 0
    idx = N - 1
    while idx >= 0:
        if idx >= PREFETCH_AHEAD:
            # a position's first two-character lookup is usually a cache
            # miss: start it a few positions ahead to overlap the latency
            t.prefetch2(u[idx - PREFETCH_AHEAD], u[idx - PREFETCH_AHEAD + 1])
        node = 0
        i = idx
        # every score is finite, so the first word found always wins over
        # -inf; a later (longer) word wins a tie, as in jieba's max() over
        # (score, end) pairs; selects rather than branches
        best_p = -INFINITY
        best_x = -1
        while i < N:
            node = t.step(node, u[i], &f, &kids)
            if node == 0:
                break
            if f != 0:
                # log() of the count, as jieba's math.log(FREQ[w]) computes
                # it, by the count's frequency class
                p = (cls_log[f] - logtotal) + w.rp[i + 1]
                better = p >= best_p
                best_x = i if better else best_x
                best_p = p if better else best_p
            if not kids:
                break
            i += 1
        if best_x < 0:
            best_p = (0.0 - logtotal) + w.rp[idx + 1]
            best_x = idx
        w.rp[idx] = best_p
        w.rx[idx] = best_x
        idx -= 1


cdef int emit_hmm_word(Trie t, Work* w, Spans* sp, Py_ssize_t s, Py_ssize_t e) except -1:
    cdef Py_ssize_t i
    if t.n_force_split > 0:
        node = t._find(w.u + s, e - s)
        if node != 0 and (t.flags[node] & FLAG_FORCE_SPLIT):
            for i in range(s, e):
                spans_push(sp, i, i + 1)
            return 0
    spans_push(sp, s, e)
    return 0


cdef inline void viterbi_step(const double* V, const double* trans, const double* em, int y,
                              int lo, int hi, double* NV, uint8_t* bp) noexcept nogil:
    """Best way into state ``y`` from ``lo`` or ``hi`` (``hi`` wins ties),
    scored as jieba adds: (V[prev] + trans[prev][y]) + emit[y]."""
    cdef double a = V[lo] + trans[lo * 4 + y] + em[y]
    cdef double c = V[hi] + trans[hi * 4 + y] + em[y]
    if c >= a:
        NV[y] = c
        bp[y] = hi
    else:
        NV[y] = a
        bp[y] = lo


cdef int viterbi_cut(Trie t, HMM h, Work* w, Spans* sp, Py_ssize_t p, Py_ssize_t q) except -1:
    """jieba.finalseg.__cut on the Han run u[p:q]."""
    cdef Py_ssize_t T = q - p, k, i, begin, nexti
    cdef const Py_UCS4* u = w.u + p
    cdef double V[4]
    cdef double NV[4]
    cdef const double* em
    cdef uint8_t* bp = w.bp
    cdef uint8_t* st = w.states
    cdef uint8_t last
    em = h.emit + (<Py_ssize_t>u[0] - HAN_FIRST) * 4
    for k in range(4):
        V[k] = h.start[k] + em[k]
    for i in range(1, T):
        em = h.emit + (<Py_ssize_t>u[i] - HAN_FIRST) * 4
        # each state's best predecessor; on a tie jieba's max() over
        # (score, state) tuples takes the later letter
        viterbi_step(V, &h.trans[0][0], em, ST_B, ST_E, ST_S, NV, bp + 4 * i)
        viterbi_step(V, &h.trans[0][0], em, ST_M, ST_B, ST_M, NV, bp + 4 * i)
        viterbi_step(V, &h.trans[0][0], em, ST_E, ST_B, ST_M, NV, bp + 4 * i)
        viterbi_step(V, &h.trans[0][0], em, ST_S, ST_E, ST_S, NV, bp + 4 * i)
        V[0] = NV[0]
        V[1] = NV[1]
        V[2] = NV[2]
        V[3] = NV[3]
    last = ST_S if V[ST_S] >= V[ST_E] else ST_E
    st[T - 1] = last
    i = T - 1
    while i > 0:
        st[i - 1] = bp[4 * i + st[i]]
        i -= 1
    begin = 0
    nexti = 0
    for i in range(T):
        if st[i] == ST_B:
            begin = i
        elif st[i] == ST_E:
            emit_hmm_word(t, w, sp, p + begin, p + i + 1)
            nexti = i + 1
        elif st[i] == ST_S:
            emit_hmm_word(t, w, sp, p + i, p + i + 1)
            nexti = i + 1
    if nexti < T:
        emit_hmm_word(t, w, sp, p + nexti, q)
    return 0


cdef int skip_split(Work* w, Spans* sp, Py_ssize_t p, Py_ssize_t q) except -1:
    """Non-empty pieces of ``([a-zA-Z0-9]+(?:\\.\\d+)?%?)``.split(u[p:q])."""
    cdef const Py_UCS4* u = w.u
    cdef Py_ssize_t r = p, piece = p, m
    while r < q:
        if is_eng(u[r]):
            if piece < r:
                spans_push(sp, piece, r)
            m = r
            while m < q and is_eng(u[m]):
                m += 1
            if m + 1 < q and u[m] == 46 and Py_UNICODE_ISDECIMAL(u[m + 1]):
                m += 1
                while m < q and Py_UNICODE_ISDECIMAL(u[m]):
                    m += 1
            if m < q and u[m] == 37:
                m += 1
            spans_push(sp, r, m)
            r = m
            piece = m
        else:
            r += 1
    if piece < q:
        spans_push(sp, piece, q)
    return 0


cdef int hmm_cut(Trie t, HMM h, Work* w, Spans* sp, Py_ssize_t p, Py_ssize_t q) except -1:
    """jieba.finalseg.cut on u[p:q]."""
    cdef const Py_UCS4* u = w.u
    cdef Py_ssize_t r
    while p < q:
        r = p
        if is_han(u[p]):
            while r < q and is_han(u[r]):
                r += 1
            viterbi_cut(t, h, w, sp, p, r)
        else:
            while r < q and not is_han(u[r]):
                r += 1
            skip_split(w, sp, p, r)
        p = r
    return 0


cdef int flush_buf(Trie t, HMM h, Work* w, Spans* sp, Py_ssize_t s, Py_ssize_t e) except -1:
    cdef Py_ssize_t i
    if e - s == 1:
        spans_push(sp, s, e)
    elif t.freq_of(w.u + s, e - s) <= 0:
        hmm_cut(t, h, w, sp, s, e)
    else:
        for i in range(s, e):
            spans_push(sp, i, i + 1)
    return 0


cdef int cut_block(Trie t, HMM h, Work* w, Spans* sp, Py_ssize_t b, Py_ssize_t e,
                   bint use_hmm) except -1:
    """jieba's __cut_DAG (use_hmm) or __cut_DAG_NO_HMM on u[b:e]."""
    calc_route(t, w, b, e)
    cdef Py_ssize_t N = e - b, x = 0, y, buf = -1
    while x < N:
        y = w.rx[x] + 1
        if use_hmm:
            if y - x == 1:
                if buf < 0:
                    buf = x
            else:
                if buf >= 0:
                    flush_buf(t, h, w, sp, b + buf, b + x)
                    buf = -1
                spans_push(sp, b + x, b + y)
        else:
            if y - x == 1 and is_eng(w.u[b + x]):
                if buf < 0:
                    buf = x
            else:
                if buf >= 0:
                    spans_push(sp, b + buf, b + x)
                    buf = -1
                spans_push(sp, b + x, b + y)
        x = y
    if buf >= 0:
        if use_hmm:
            flush_buf(t, h, w, sp, b + buf, e)
        else:
            spans_push(sp, b + buf, e)
    return 0


cdef int cut_default(Trie t, HMM h, Work* w, Spans* sp, bint use_hmm) except -1:
    """Spans of jieba's cut(s, cut_all=False, HMM=use_hmm)."""
    cdef const Py_UCS4* u = w.u
    cdef Py_ssize_t n = w.n, i = 0, j
    while i < n:
        if in_block(u[i]):
            j = i + 1
            while j < n and in_block(u[j]):
                j += 1
            cut_block(t, h, w, sp, i, j, use_hmm)
            i = j
        elif u[i] == 13 and i + 1 < n and u[i + 1] == 10:
            spans_push(sp, i, i + 2)
            i += 2
        else:
            spans_push(sp, i, i + 1)
            i += 1
    return 0


cdef int add_search_grams(Trie t, Work* w, Spans* words, Spans* out) except -1:
    """jieba's cut_for_search: in-dictionary 2- and 3-grams before each word
    (all its 2-grams, then all its 3-grams, as jieba yields them)."""
    cdef Py_ssize_t k, s, e, L, i
    cdef uint32_t node, f
    cdef bint kids
    cdef uint8_t* has3 = w.states  # free here: one flag per position
    for k in range(words.n):
        s = words.a[2 * k]
        e = words.a[2 * k + 1]
        L = e - s
        if L > 2:
            # one walk per position finds its 2-gram and its 3-gram
            for i in range(s, e - 1):
                has3[i - s] = 0
                node = t.step(0, w.u[i], &f, &kids)
                if node == 0 or not kids:
                    continue
                node = t.step(node, w.u[i + 1], &f, &kids)
                if node == 0:
                    continue
                if f > 0:
                    spans_push(out, i, i + 2)
                if L > 3 and i + 2 < e and kids:
                    node = t.step(node, w.u[i + 2], &f, &kids)
                    has3[i - s] = node != 0 and f > 0
            if L > 3:
                for i in range(s, e - 2):
                    if has3[i - s]:
                        spans_push(out, i, i + 3)
        spans_push(out, s, e)
    return 0


cdef int compute_spans(Trie t, HMM h, Work* w, Spans* sp, bint use_hmm, bint search) except -1:
    cdef Spans words
    if not search:
        return cut_default(t, h, w, sp, use_hmm)
    spans_init(&words)
    try:
        cut_default(t, h, w, &words, use_hmm)
        add_search_grams(t, w, &words, sp)
    finally:
        spans_free(&words)
    return 0


cdef int check_ready(Trie t, HMM h, bint use_hmm) except -1:
    """ValueError unless ``t`` can route (positive total) and, with
    ``use_hmm``, ``h`` is an HMM."""
    if t.total <= 0:
        raise ValueError("the dictionary is empty (total frequency is 0)")
    if use_hmm and h is None:
        raise ValueError("HMM=True needs an HMM model")
    return 0


cdef Py_UCS4* text_spans(Trie t, HMM h, str text, Spans* sp, bint use_hmm,
                         bint search, ShortBufs* sb) except NULL:
    """Phase 1 of :func:`lcut` / :func:`tokenize`: the token spans of the
    non-empty ``text`` into ``sp`` (initialised here), in plain C; a short
    text works in ``sb`` (the caller's stack).

    Returns the text's code points: ``sb.u``, or a copy the caller releases
    (PyMem_Free); and sp (spans_free). On error both are released here.
    """
    check_ready(t, h, use_hmm)
    cdef Py_ssize_t n = len(text)
    cdef Py_UCS4* u
    cdef Work w
    spans_init(sp)
    work_zero(&w)
    if n <= SHORT_TEXT:
        u = PyUnicode_AsUCS4(text, sb.u, SHORT_TEXT + 1, 0)
        w.u = u
        w.n = n
        w.rp = sb.rp
        w.rx = sb.rx
        w.bp = sb.bp
        w.states = sb.states
        sp.a = sb.spans
        sp.cap = SHORT_TEXT
        sp.borrowed = True
        w.logtotal = log(<double>t.total)
        try:
            compute_spans(t, h, &w, sp, use_hmm, search)
        except:
            spans_free(sp)
            raise
        return u
    u = PyUnicode_AsUCS4Copy(text)
    try:
        work_init(&w, u, n)
        w.logtotal = log(<double>t.total)
        compute_spans(t, h, &w, sp, use_hmm, search)
    except:
        spans_free(sp)
        PyMem_Free(u)
        raise
    finally:
        work_free(&w)
    return u


def lcut(Trie t not None, HMM h, str text, bint use_hmm=True, bint search=False):
    """Words of ``text`` exactly as jieba 0.42.1's ``lcut`` (``search=False``)
    or ``lcut_for_search`` (``search=True``)."""
    return _lcut(t, h, text, use_hmm, search)


cdef list _lcut(Trie t, HMM h, str text, bint use_hmm, bint search):
    if len(text) == 0:
        return []
    cdef Spans sp
    cdef ShortBufs sb
    cdef Py_UCS4* u = text_spans(t, h, text, &sp, use_hmm, search, &sb)
    cdef list out
    cdef Py_ssize_t k
    try:
        # phase 2: build the strings; the Trie is not read from here on
        out = PyList_New(sp.n)
        for k in range(sp.n):
            word = t.word(text, u, sp.a[2 * k], sp.a[2 * k + 1])
            Py_INCREF(word)
            PyList_SET_ITEM(out, k, word)
        return out
    finally:
        spans_free(&sp)
        if u != sb.u:
            PyMem_Free(u)


def tokenize(Trie t not None, HMM h, str text, bint use_hmm=True, bint search=False,
             Py_ssize_t offset=0):
    """``(word, start, end)`` tuples exactly as jieba's ``tokenize`` in
    ``"default"`` (``search=False``) or ``"search"`` mode; ``offset`` is added
    to every position."""
    if len(text) == 0:
        return []
    cdef Spans sp
    cdef ShortBufs sb
    cdef Py_UCS4* u = text_spans(t, h, text, &sp, use_hmm, search, &sb)
    cdef list out
    cdef Py_ssize_t k, s, e
    try:
        # phase 2, as in lcut
        out = PyList_New(sp.n)
        for k in range(sp.n):
            s = sp.a[2 * k]
            e = sp.a[2 * k + 1]
            item = (t.word(text, u, s, e), s + offset, e + offset)
            Py_INCREF(item)
            PyList_SET_ITEM(out, k, item)
        return out
    finally:
        spans_free(&sp)
        if u != sb.u:
            PyMem_Free(u)


cdef int compute_dag(Trie t, const Py_UCS4* u, Py_ssize_t n, Py_ssize_t* off,
                     Spans* ends) except -1:
    """DAG of every in-block position, as CSR: ends of position k are
    ends.a[off[k] .. off[k+1]) (stored in the first slot of each pair)."""
    cdef Py_ssize_t i = 0, j, k, m
    cdef uint32_t node, f
    cdef bint any_, kids
    while i < n:
        if not in_block(u[i]):
            off[i] = ends.n
            i += 1
            continue
        j = i + 1
        while j < n and in_block(u[j]):
            j += 1
        for k in range(i, j):
            off[k] = ends.n
            node = 0
            m = k
            any_ = False
            while m < j:
                node = t.step(node, u[m], &f, &kids)
                if node == 0:
                    break
                if f != 0:
                    spans_push(ends, m - i, 0)
                    any_ = True
                if not kids:
                    break
                m += 1
            if not any_:
                spans_push(ends, k - i, 0)
        i = j
    off[n] = ends.n
    return 0


def lcut_all(Trie t not None, str text):
    """Words of ``text`` exactly as jieba 0.42.1's ``lcut(text, cut_all=True)``
    (which, like jieba, may contain empty strings and drops nothing else)."""
    return _lcut_all(t, text)


cdef list _lcut_all(Trie t, str text):
    cdef Py_ssize_t n = len(text)
    cdef list out = []
    if n == 0:
        return out
    check_ready(t, None, False)
    # a short text works in buffers on the stack (as in lcut)
    cdef ShortBufs sb
    cdef bint short = n <= SHORT_TEXT
    cdef Py_UCS4* u
    cdef Py_ssize_t* off
    cdef Spans ends
    spans_init(&ends)
    if short:
        u = PyUnicode_AsUCS4(text, &sb.u[0], SHORT_TEXT + 1, 0)
        off = &sb.rx[0]
        ends.a = &sb.spans[0]
        ends.cap = SHORT_TEXT
        ends.borrowed = True
    else:
        u = PyUnicode_AsUCS4Copy(text)
        off = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t i, j, k, b, N, old_j, L0, d, jj, p, q, piece, seplen
    cdef bint eng_scan
    try:
        if off == NULL:
            raise MemoryError()
        compute_dag(t, u, n, off, &ends)
        # phase 2: Python objects only; the Trie is not read from here on
        i = 0
        while i < n:
            if in_block(u[i]):
                b = i
                j = i + 1
                while j < n and in_block(u[j]):
                    j += 1
                N = j - b
                old_j = -1
                eng_scan = False
                eng_buf = ""
                for k in range(N):
                    if eng_scan and not is_eng(u[b + k]):
                        eng_scan = False
                        out.append(eng_buf)
                    d = off[b + k + 1] - off[b + k]
                    L0 = ends.a[2 * off[b + k]]
                    if d == 1 and k > old_j:
                        word = t.word(text, u, b + k, b + L0 + 1)
                        if is_eng(u[b + k]):
                            if not eng_scan:
                                eng_scan = True
                                eng_buf = word
                            else:
                                eng_buf = eng_buf + word
                        if not eng_scan:
                            out.append(word)
                        old_j = L0
                    else:
                        for jj in range(off[b + k], off[b + k + 1]):
                            L0 = ends.a[2 * jj]
                            if L0 > k:
                                out.append(t.word(text, u, b + k, b + L0 + 1))
                                old_j = L0
                if eng_scan:
                    out.append(eng_buf)
                i = j
            else:
                # a run outside the block class, split on (\r\n|\s) keeping
                # separators and empty pieces, as jieba's cut_all does
                q = i
                while q < n and not in_block(u[q]):
                    q += 1
                p = i
                piece = i
                while p < q:
                    if u[p] == 13 and p + 1 < q and u[p + 1] == 10:
                        seplen = 2
                    elif Py_UNICODE_ISSPACE(u[p]):
                        seplen = 1
                    else:
                        p += 1
                        continue
                    out.append(PyUnicode_Substring(text, piece, p))
                    out.append(PyUnicode_Substring(text, p, p + seplen))
                    p += seplen
                    piece = p
                out.append(PyUnicode_Substring(text, piece, q))
                i = q
        return out
    finally:
        spans_free(&ends)
        if not short:
            free(off)
            PyMem_Free(u)


# ---------------------------------------------------------------------------
# whole blocks of lines, straight to the output format
# ---------------------------------------------------------------------------

cdef struct OutBuf:
    Py_UCS4* a
    Py_ssize_t n
    Py_ssize_t cap

cdef int out_put(OutBuf* o, const Py_UCS4* src, Py_ssize_t k) except -1:
    cdef Py_ssize_t newcap
    cdef void* p
    if o.n + k > o.cap:
        newcap = o.cap * 2 if o.cap else 4096
        while newcap < o.n + k:
            newcap *= 2
        p = realloc(o.a, newcap * sizeof(Py_UCS4))
        if p == NULL:
            raise MemoryError()
        o.a = <Py_UCS4*>p
        o.cap = newcap
    memcpy(o.a + o.n, src, k * sizeof(Py_UCS4))
    o.n += k
    return 0


def cut_lines(Trie t not None, HMM h, str text, str delimiter, bint use_hmm=True, bint search=False,
              bint crlf_to_lf=False):
    """Segment every line of ``text`` and return the output text.

    Lines end at ``\\n``; a ``\\r`` before it belongs to the line end, which
    is written back as it was (as ``\\n`` with ``crlf_to_lf``). Each line's
    words (as :func:`lcut` gives them) are joined by ``delimiter``. This is
    ``qieci cut``'s inner loop: no Python object per word.
    """
    cdef Py_ssize_t n = len(text)
    if n == 0:
        return ""
    check_ready(t, h, use_hmm)
    cdef Py_UCS4* u = PyUnicode_AsUCS4Copy(text)
    cdef Py_UCS4* d = NULL
    cdef Py_ssize_t dn = len(delimiter)
    cdef Work w
    cdef Spans sp
    cdef OutBuf o
    cdef Py_UCS4 nl = 10
    cdef Py_UCS4 crnl[2]
    crnl[0] = 13
    crnl[1] = 10
    spans_init(&sp)
    work_zero(&w)
    o.a = NULL
    o.n = 0
    o.cap = 0
    cdef Py_ssize_t s = 0, e, end, k, a, b, longest = 0
    cdef bint crlf
    try:
        d = PyUnicode_AsUCS4Copy(delimiter) if dn else NULL
        # the work arrays are per line: size them for the longest one
        e = 0
        while e < n:
            a = e
            while e < n and u[e] != 10:
                e += 1
            if e - a > longest:
                longest = e - a
            e += 1
        work_init(&w, u, longest)
        w.logtotal = log(<double>t.total)
        while s < n:
            e = s
            while e < n and u[e] != 10:
                e += 1
            end = e  # the line's text is u[s:end]
            crlf = e < n and end > s and u[end - 1] == 13
            if crlf:
                end -= 1
            w.u = u + s
            w.n = end - s
            sp.n = 0
            if end > s:
                compute_spans(t, h, &w, &sp, use_hmm, search)
            for k in range(sp.n):
                if k and dn:
                    out_put(&o, d, dn)
                a = sp.a[2 * k]
                b = sp.a[2 * k + 1]
                out_put(&o, u + s + a, b - a)
            if e < n:
                if crlf and not crlf_to_lf:
                    out_put(&o, crnl, 2)
                else:
                    out_put(&o, &nl, 1)
            s = e + 1
        return PyUnicode_FromKindAndData(4, o.a, o.n)
    finally:
        spans_free(&sp)
        free(o.a)
        work_free(&w)
        PyMem_Free(u)
        if d != NULL:
            PyMem_Free(d)


# -- the byte path: UTF-8 in, UTF-8 out ---------------------------------------


cdef Py_ssize_t utf8_decode(const unsigned char* s, Py_ssize_t n, Py_UCS4* u,
                            uint32_t* off) noexcept nogil:
    """Decode the UTF-8 s[:n] into u, with off[k] the byte offset of
    character k (and off[count] = n). Returns the count, or -1 unless s is
    valid UTF-8 as Python's strict decoder takes it (no overlong forms, no
    surrogates, nothing past U+10FFFF)."""
    cdef Py_ssize_t i = 0, k = 0
    cdef uint32_t c, c1, c2, c3
    while i < n:
        c = s[i]
        off[k] = <uint32_t>i
        if c < 0x80:
            u[k] = c
            i += 1
        elif c < 0xC2:
            return -1
        elif c < 0xE0:
            if i + 1 >= n:
                return -1
            c1 = s[i + 1]
            if (c1 & 0xC0) != 0x80:
                return -1
            u[k] = ((c & 0x1F) << 6) | (c1 & 0x3F)
            i += 2
        elif c < 0xF0:
            if i + 2 >= n:
                return -1
            c1 = s[i + 1]
            c2 = s[i + 2]
            if ((c1 & 0xC0) != 0x80 or (c2 & 0xC0) != 0x80
                    or (c == 0xE0 and c1 < 0xA0) or (c == 0xED and c1 >= 0xA0)):
                return -1
            u[k] = ((c & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F)
            i += 3
        elif c < 0xF5:
            if i + 3 >= n:
                return -1
            c1 = s[i + 1]
            c2 = s[i + 2]
            c3 = s[i + 3]
            if ((c1 & 0xC0) != 0x80 or (c2 & 0xC0) != 0x80 or (c3 & 0xC0) != 0x80
                    or (c == 0xF0 and c1 < 0x90) or (c == 0xF4 and c1 >= 0x90)):
                return -1
            u[k] = ((c & 0x07) << 18) | ((c1 & 0x3F) << 12) | ((c2 & 0x3F) << 6) | (c3 & 0x3F)
            i += 4
        else:
            return -1
        k += 1
    off[k] = <uint32_t>n
    return k


cdef struct ByteBuf:
    char* a
    Py_ssize_t n
    Py_ssize_t cap

cdef int bytes_reserve(ByteBuf* o, Py_ssize_t extra) except -1:
    """Room for ``extra`` more bytes in ``o``."""
    cdef Py_ssize_t newcap = o.cap * 2 if o.cap else 4096
    cdef void* p
    while newcap < o.n + extra:
        newcap *= 2
    p = realloc(o.a, newcap)
    if p == NULL:
        raise MemoryError()
    o.a = <char*>p
    o.cap = newcap
    return 0


cdef inline int bytes_put(ByteBuf* o, const void* src, Py_ssize_t k) except -1:
    if o.n + k > o.cap:
        bytes_reserve(o, k)
    memcpy(o.a + o.n, src, k)
    o.n += k
    return 0


cdef inline int bytes_word(ByteBuf* o, const char* d, Py_ssize_t dn, const unsigned char* src,
                           Py_ssize_t k, const unsigned char* src_end) except -1:
    """Append the delimiter d[:dn] (when dn) and the word src[:k]. A short
    word (up to 16 bytes, the common case) whose source has 16 readable
    bytes is copied as 16 bytes at once: ``o`` always keeps 32 bytes
    beyond its length, and only its first ``k`` bytes count."""
    if o.n + dn + k + 32 > o.cap:
        bytes_reserve(o, dn + k + 32)
    if dn == 1:
        o.a[o.n] = d[0]
        o.n += 1
    elif dn:
        memcpy(o.a + o.n, d, dn)
        o.n += dn
    if k <= 16 and src + 16 <= src_end:
        memcpy(o.a + o.n, src, 16)
    else:
        memcpy(o.a + o.n, src, k)
    o.n += k
    return 0


cdef int line_buffers(Py_UCS4** u, uint32_t** off, Work* w, Py_ssize_t* cap,
                      Py_ssize_t want) except -1:
    """Grow the per-line buffers (code points, byte offsets, the work
    arrays) to lines of ``want`` characters, at least doubling."""
    cdef Py_ssize_t newcap = cap[0] * 2
    cdef void* p
    if newcap < want:
        newcap = want
    if newcap < 256:
        newcap = 256
    p = realloc(u[0], (newcap + 1) * sizeof(Py_UCS4))
    if p == NULL:
        raise MemoryError()
    u[0] = <Py_UCS4*>p
    p = realloc(off[0], (newcap + 1) * sizeof(uint32_t))
    if p == NULL:
        raise MemoryError()
    off[0] = <uint32_t*>p
    work_free(w)
    work_init(w, u[0], newcap)
    cap[0] = newcap
    return 0


def cut_lines_utf8(Trie t not None, HMM h, bytes data not None, bytes delimiter not None,
                   bint use_hmm=True, bint search=False, bint crlf_to_lf=False):
    """:func:`cut_lines` on UTF-8 bytes: ``(output, lines, chars)``, the
    output as UTF-8 bytes, or None when ``data`` is not valid UTF-8.

    The words are copied from ``data`` as they are, never decoded to a
    ``str`` or encoded again: each line is decoded into a reused buffer of
    code points with the byte offset of every character, and each word is
    written as its bytes. ``chars`` counts the characters of the lines
    without their line ends (as ``qieci cut`` reports them).
    """
    cdef Py_ssize_t n = len(data)
    if n == 0:
        return (b"", 0, 0)
    check_ready(t, h, use_hmm)
    cdef const unsigned char* s = <const unsigned char*><char*>data
    cdef const unsigned char* s_end = s + n
    cdef const char* d = delimiter
    cdef Py_ssize_t dn = len(delimiter)
    cdef Py_ssize_t a = 0, e, end, k, x, y, count, cap = 0, lines = 0, chars = 0
    cdef double logtotal
    cdef const unsigned char* nl
    cdef Py_UCS4* u = NULL
    cdef uint32_t* off = NULL
    cdef Work w
    cdef Spans sp
    cdef ByteBuf o
    cdef bint crlf
    spans_init(&sp)
    work_zero(&w)
    o.a = NULL
    o.n = 0
    o.cap = 0
    try:
        logtotal = log(<double>t.total)
        bytes_reserve(&o, n + n // 4 + 64)
        while a < n:
            nl = <const unsigned char*>memchr(s + a, 10, n - a)
            e = (nl - s) if nl != NULL else n
            end = e
            crlf = e < n and end > a and s[end - 1] == 13
            if crlf:
                end -= 1
            # a line of b bytes has at most b characters: the per-line
            # buffers grow (rarely) to the byte length of the line
            if u == NULL or end - a > cap:
                line_buffers(&u, &off, &w, &cap, end - a)
            count = utf8_decode(s + a, end - a, u, off)
            if count < 0:
                return None
            lines += 1
            chars += count
            sp.n = 0
            if count:
                w.u = u
                w.n = count
                w.logtotal = logtotal
                compute_spans(t, h, &w, &sp, use_hmm, search)
            for k in range(sp.n):
                x = off[sp.a[2 * k]]
                y = off[sp.a[2 * k + 1]]
                bytes_word(&o, d, dn if k else 0, s + a + x, y - x, s_end)
            if e < n:
                if crlf and not crlf_to_lf:
                    bytes_put(&o, b"\r\n", 2)
                else:
                    bytes_put(&o, b"\n", 1)
            a = e + 1
        return (PyBytes_FromStringAndSize(o.a, o.n), lines, chars)
    finally:
        spans_free(&sp)
        free(o.a)
        work_free(&w)
        free(u)
        free(off)


# -- the engine's entry point ------------------------------------------------


cdef class State:
    """What a jieba engine has loaded, swapped whole: its Trie (with the user
    words), the dictionary's tag names, the HMM, and the protected user words
    (None while there are none: the fast path)."""

    cdef readonly Trie trie
    cdef readonly HMM hmm
    cdef readonly tuple tags
    cdef public object protected

    def __init__(self, Trie trie not None, HMM hmm not None, tuple tags not None):
        self.trie = trie
        self.hmm = hmm
        self.tags = tags
        self.protected = None


cdef class EngineCore:
    """The jieba engine's per-call dispatch, compiled, so that a cut costs
    one Python-level call (the Tokenizer's) on top of the kernel.

    :class:`qieci.engines.jieba.engine.JiebaEngine` derives from it and
    provides ``state()`` (which loads the dictionary into ``_state``) and
    ``_lcut_pieces(state, text, mode, hmm)`` (the path around protected
    user words); this class is only the fast path between them.
    """

    cdef public State _state

    def lcut(self, str text not None, str mode not None, bint hmm):
        """The words of ``text`` in ``mode`` ("default", "all", "search")."""
        cdef State state = self._state
        if state is None:
            state = self.state()
        if state.protected is not None:
            return self._lcut_pieces(state, text, mode, hmm)
        if mode == "default":
            return _lcut(state.trie, state.hmm, text, hmm, False)
        if mode == "all":
            return _lcut_all(state.trie, text)
        return _lcut(state.trie, state.hmm, text, hmm, True)
