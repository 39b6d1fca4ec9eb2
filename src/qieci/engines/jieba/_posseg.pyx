# cython: language_level=3
"""Compiled kernel of :mod:`qieci.posseg`: jieba 0.42.1's ``posseg`` in C.

* :class:`PosHMM` -- the joint (B/M/E/S x tag) HMM of ``jieba.posseg``.
* :class:`pair` -- jieba's ``pair(word, flag)``.
* ``lcut`` / ``tokenize`` -- the tagger: ``posseg``'s block split (which,
  unlike ``cut``'s, leaves out ``%`` and ``-``), the max-probability route,
  the POS HMM for unknown runs, and the tags of non-Han runs.

The dictionary is the tokenizer's own :class:`qieci.engines.jieba._core.Trie`, read
directly through ``_core.pxd`` (the route of a block is ``_core``'s
``calc_route``, the very one ``cut`` uses); no copy of it is made.

The pure-Python reference is :mod:`qieci.engines.jieba.reference_posseg`; the tests check
this kernel against it and both against jieba.

Thread safety, as in ``_core``: each call computes every token boundary and
tag code in plain C first (the only phase that reads the Trie, with the GIL
held throughout, so no dictionary edit can interleave), then builds the
Python objects without reading the Trie again.
"""

from libc.stdint cimport uint8_t, uint16_t, uint32_t, int32_t
from libc.stdlib cimport malloc, calloc, realloc, free
from libc.string cimport memset, memcpy
from libc.math cimport log, INFINITY
from cpython.mem cimport PyMem_Free
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF, PyObject
from cpython.dict cimport PyDict_GetItem
from qieci.engines.jieba._core cimport (HAN_FIRST, HAN_LAST, HAN_COUNT, Trie, Work, calc_route,
                          check_ready, is_eng, is_han, work_free, work_init, work_zero)

cdef extern from "Python.h":
    Py_UCS4* PyUnicode_AsUCS4Copy(object u) except NULL


cdef double MIN_FLOAT = -3.14e100

# tag codes of a token (>= 0: a tag of the HMM)
cdef enum:
    K_LOOKUP = -1   # the word's dictionary tag (or a user tag, or "x")
    K_M = -2
    K_ENG = -3
    K_X = -4

# positions of the HMM states
cdef enum:
    P_B = 0
    P_M = 1
    P_E = 2
    P_S = 3


cdef inline bint is_digit(Py_UCS4 c) noexcept nogil:
    return 48 <= c <= 57

cdef inline bint is_alpha(Py_UCS4 c) noexcept nogil:
    return (97 <= c <= 122) or (65 <= c <= 90)

cdef inline bint in_pblock(Py_UCS4 c) noexcept nogil:
    # posseg's block class: [\u4E00-\u9FD5a-zA-Z0-9+#&\._]
    if c >= 128:
        return HAN_FIRST <= c <= HAN_LAST
    return is_eng(c) or c == 43 or c == 35 or c == 38 or c == 46 or c == 95


def block_char(Py_UCS4 c):
    """True when ``c`` is in posseg's block class (used by tests)."""
    return in_pblock(c)


# ---------------------------------------------------------------------------
# the word pair
# ---------------------------------------------------------------------------

cdef class pair:
    """A word and its part-of-speech flag, as jieba's ``posseg.pair``: it
    unpacks as ``word, flag``, prints as ``word/flag``, is equal to another
    pair with the same word and flag, hashes and orders by the word."""

    cdef public object word
    cdef public object flag

    def __init__(self, word, flag):
        self.word = word
        self.flag = flag

    def __iter__(self):
        return iter((self.word, self.flag))

    def __repr__(self):
        return f"pair({self.word!r}, {self.flag!r})"

    def __str__(self):
        return f"{self.word}/{self.flag}"

    def __lt__(self, other):
        return self.word < other.word

    def __eq__(self, other):
        return (isinstance(other, pair) and self.word == (<pair>other).word
                and self.flag == (<pair>other).flag)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.word)

    def __reduce__(self):
        return (pair, (self.word, self.flag))

    def encode(self, *args):
        return str(self).encode(*args)


cdef inline pair new_pair(object word, object flag):
    cdef pair p = pair.__new__(pair)
    p.word = word
    p.flag = flag
    return p


# ---------------------------------------------------------------------------
# the POS HMM
# ---------------------------------------------------------------------------

cdef class PosHMM:
    """The joint HMM over (position, tag) states (see :mod:`qieci.engines.jieba.posmodel`).

    Built from the arrays of a ``PosHMMTables``; ``positions`` gives each
    state's position as 0..3 for B, M, E, S, ``tag_ids`` its tag number.
    Only characters U+4E00..U+9FD5 are ever decoded.
    """
    cdef int S
    cdef double* start
    cdef int32_t* pred_ptr       # S + 1: predecessors of each state, ascending
    cdef uint16_t* pred_from
    cdef double* pred_p
    cdef int32_t* succ_ptr       # S + 1: successors of each state
    cdef uint16_t* succ_to
    cdef uint8_t* pos
    cdef uint16_t* tag
    cdef int32_t* em_ptr         # HAN_COUNT + 1
    cdef uint16_t* em_state
    cdef double* em_p
    cdef int32_t* cs_ptr         # HAN_COUNT + 1
    cdef uint8_t* cs_has         # HAN_COUNT: character listed in the state table
    cdef uint16_t* cs_state

    def __cinit__(self, const uint8_t[:] positions, const uint16_t[:] tag_ids,
                  const double[:] start, const uint16_t[:] trans_from,
                  const uint16_t[:] trans_to, const double[:] trans_p,
                  const uint32_t[:] emit_chars, const uint32_t[:] emit_ptr,
                  const uint16_t[:] emit_state, const double[:] emit_p,
                  const uint32_t[:] cs_chars, const uint32_t[:] cs_ptr,
                  const uint16_t[:] cs_state):
        cdef Py_ssize_t S = positions.shape[0], K = trans_from.shape[0], i, j, k, c
        self.start = NULL
        self.pred_ptr = NULL
        self.pred_from = NULL
        self.pred_p = NULL
        self.succ_ptr = NULL
        self.succ_to = NULL
        self.pos = NULL
        self.tag = NULL
        self.em_ptr = NULL
        self.em_state = NULL
        self.em_p = NULL
        self.cs_ptr = NULL
        self.cs_has = NULL
        self.cs_state = NULL
        if S == 0 or S > 0xFFFF or tag_ids.shape[0] != S or start.shape[0] != S:
            raise ValueError("state arrays have the wrong size")
        if trans_to.shape[0] != K or trans_p.shape[0] != K:
            raise ValueError("transition arrays differ in length")
        if emit_ptr.shape[0] != emit_chars.shape[0] + 1 or cs_ptr.shape[0] != cs_chars.shape[0] + 1:
            raise ValueError("offset arrays have the wrong size")
        if emit_ptr[emit_ptr.shape[0] - 1] != emit_state.shape[0] or emit_p.shape[0] != emit_state.shape[0]:
            raise ValueError("emission arrays have the wrong size")
        if cs_ptr[cs_ptr.shape[0] - 1] != cs_state.shape[0]:
            raise ValueError("state table arrays have the wrong size")
        self.S = <int>S
        self.start = <double*>malloc(S * sizeof(double))
        self.pos = <uint8_t*>malloc(S)
        self.tag = <uint16_t*>malloc(S * sizeof(uint16_t))
        self.pred_ptr = <int32_t*>calloc(S + 1, sizeof(int32_t))
        self.succ_ptr = <int32_t*>calloc(S + 1, sizeof(int32_t))
        self.pred_from = <uint16_t*>malloc((K + 1) * sizeof(uint16_t))
        self.pred_p = <double*>malloc((K + 1) * sizeof(double))
        self.succ_to = <uint16_t*>malloc((K + 1) * sizeof(uint16_t))
        self.em_ptr = <int32_t*>calloc(HAN_COUNT + 1, sizeof(int32_t))
        self.cs_ptr = <int32_t*>calloc(HAN_COUNT + 1, sizeof(int32_t))
        self.cs_has = <uint8_t*>calloc(HAN_COUNT, 1)
        self.em_state = <uint16_t*>malloc((emit_state.shape[0] + 1) * sizeof(uint16_t))
        self.em_p = <double*>malloc((emit_state.shape[0] + 1) * sizeof(double))
        self.cs_state = <uint16_t*>malloc((cs_state.shape[0] + 1) * sizeof(uint16_t))
        if (self.start == NULL or self.pos == NULL or self.tag == NULL or self.pred_ptr == NULL
                or self.succ_ptr == NULL or self.pred_from == NULL or self.pred_p == NULL
                or self.succ_to == NULL or self.em_ptr == NULL or self.cs_ptr == NULL
                or self.cs_has == NULL or self.em_state == NULL or self.em_p == NULL
                or self.cs_state == NULL):
            raise MemoryError()
        for i in range(S):
            if positions[i] > 3:
                raise ValueError("invalid state position")
            self.pos[i] = positions[i]
            self.tag[i] = tag_ids[i]
            self.start[i] = start[i]
        # transitions, grouped by target (preds) and by source (succs); the
        # input is sorted by (from, to), so each group stays ascending
        for k in range(K):
            if trans_from[k] >= S or trans_to[k] >= S:
                raise ValueError("transition state out of range")
            self.pred_ptr[trans_to[k] + 1] += 1
            self.succ_ptr[trans_from[k] + 1] += 1
        for i in range(S):
            self.pred_ptr[i + 1] += self.pred_ptr[i]
            self.succ_ptr[i + 1] += self.succ_ptr[i]
        cdef int32_t* fill = <int32_t*>malloc((S + 1) * sizeof(int32_t))
        if fill == NULL:
            raise MemoryError()
        try:
            memcpy(fill, self.pred_ptr, (S + 1) * sizeof(int32_t))
            for k in range(K):
                j = fill[trans_to[k]]
                fill[trans_to[k]] += 1
                self.pred_from[j] = trans_from[k]
                self.pred_p[j] = trans_p[k]
            memcpy(fill, self.succ_ptr, (S + 1) * sizeof(int32_t))
            for k in range(K):
                j = fill[trans_from[k]]
                fill[trans_from[k]] += 1
                self.succ_to[j] = trans_to[k]
        finally:
            free(fill)
        # per-Han-character emissions and state lists
        self._han_csr(emit_chars, emit_ptr, emit_state, self.em_ptr, self.em_state, NULL)
        for i in range(emit_chars.shape[0]):
            c = emit_chars[i]
            if HAN_FIRST <= c <= HAN_LAST:
                k = self.em_ptr[c - HAN_FIRST]
                for j in range(emit_ptr[i], emit_ptr[i + 1]):
                    self.em_p[k] = emit_p[j]
                    k += 1
        self._han_csr(cs_chars, cs_ptr, cs_state, self.cs_ptr, self.cs_state, self.cs_has)

    cdef int _han_csr(self, const uint32_t[:] chars, const uint32_t[:] ptr,
                      const uint16_t[:] state, int32_t* out_ptr, uint16_t* out_state,
                      uint8_t* has) except -1:
        """Re-index a per-character CSR by Han character offset."""
        cdef Py_ssize_t i, j, c, k = 0
        cdef uint32_t prev = 0
        for i in range(chars.shape[0]):
            if ptr[i] > ptr[i + 1] or ptr[i + 1] > state.shape[0]:
                raise ValueError("offsets are not increasing")
            if i and chars[i] <= prev:
                raise ValueError("characters are not sorted")
            prev = chars[i]
            for j in range(ptr[i], ptr[i + 1]):
                if state[j] >= self.S:
                    raise ValueError("state out of range")
        i = 0
        for c in range(HAN_COUNT):
            out_ptr[c] = <int32_t>k
            while i < chars.shape[0] and chars[i] < c + HAN_FIRST:
                i += 1
            if i < chars.shape[0] and chars[i] == c + HAN_FIRST:
                if has != NULL:
                    has[c] = 1
                for j in range(ptr[i], ptr[i + 1]):
                    out_state[k] = state[j]
                    k += 1
        out_ptr[HAN_COUNT] = <int32_t>k
        return 0

    def __dealloc__(self):
        free(self.start)
        free(self.pos)
        free(self.tag)
        free(self.pred_ptr)
        free(self.pred_from)
        free(self.pred_p)
        free(self.succ_ptr)
        free(self.succ_to)
        free(self.em_ptr)
        free(self.em_state)
        free(self.em_p)
        free(self.cs_ptr)
        free(self.cs_has)
        free(self.cs_state)

    @property
    def n_states(self):
        return self.S


cdef struct Vit:
    # per-call viterbi buffers (S entries each) and the back pointers
    double* V
    double* NV
    double* erow
    uint16_t* cur
    uint16_t* nxt
    uint8_t* inP
    uint8_t* mark
    uint16_t* explist
    uint16_t* bp
    Py_ssize_t bp_cap
    uint16_t* path
    Py_ssize_t path_cap


cdef int vit_init(Vit* v, int S) except -1:
    v.V = <double*>malloc(S * sizeof(double))
    v.NV = <double*>malloc(S * sizeof(double))
    v.erow = <double*>malloc(S * sizeof(double))
    v.cur = <uint16_t*>malloc(S * sizeof(uint16_t))
    v.nxt = <uint16_t*>malloc(S * sizeof(uint16_t))
    v.explist = <uint16_t*>malloc(S * sizeof(uint16_t))
    v.inP = <uint8_t*>calloc(S, 1)
    v.mark = <uint8_t*>calloc(S, 1)
    v.bp = NULL
    v.bp_cap = 0
    v.path = NULL
    v.path_cap = 0
    if (v.V == NULL or v.NV == NULL or v.erow == NULL or v.cur == NULL or v.nxt == NULL
            or v.explist == NULL or v.inP == NULL or v.mark == NULL):
        raise MemoryError()
    cdef int i
    for i in range(S):
        v.erow[i] = MIN_FLOAT
    return 0


cdef void vit_free(Vit* v) noexcept:
    free(v.V)
    free(v.NV)
    free(v.erow)
    free(v.cur)
    free(v.nxt)
    free(v.explist)
    free(v.inP)
    free(v.mark)
    free(v.bp)
    free(v.path)


cdef int vit_reserve(Vit* v, Py_ssize_t T, int S) except -1:
    cdef void* p
    if T * S > v.bp_cap:
        p = realloc(v.bp, T * S * sizeof(uint16_t))
        if p == NULL:
            raise MemoryError()
        v.bp = <uint16_t*>p
        v.bp_cap = T * S
    if T > v.path_cap:
        p = realloc(v.path, T * sizeof(uint16_t))
        if p == NULL:
            raise MemoryError()
        v.path = <uint16_t*>p
        v.path_cap = T
    return 0


cdef inline void set_erow(PosHMM h, Vit* v, Py_UCS4 c, bint on) noexcept nogil:
    """Scatter the emissions of ``c`` into v.erow (``on``), or reset them."""
    cdef Py_ssize_t k, a = <Py_ssize_t>c - HAN_FIRST
    for k in range(h.em_ptr[a], h.em_ptr[a + 1]):
        v.erow[h.em_state[k]] = h.em_p[k] if on else MIN_FLOAT


cdef inline Py_ssize_t collect(const uint16_t* states, Py_ssize_t a, Py_ssize_t b,
                               uint8_t* mark, uint8_t was, uint8_t now, uint16_t* out,
                               Py_ssize_t n) noexcept nogil:
    """Append to out[n:] each of states[a:b] whose mark is ``was``, setting
    its mark to ``now`` (so that each is taken once); return the new length."""
    cdef Py_ssize_t k
    cdef uint16_t y
    for k in range(a, b):
        y = states[k]
        if mark[y] == was:
            mark[y] = now
            out[n] = y
            n += 1
    return n


cdef inline int best_state(const double* V, const uint16_t* states, Py_ssize_t n) noexcept nogil:
    """The state of states[:n] (n >= 1) with the highest score in ``V``; on
    a tie the larger state, as jieba's max() over (score, state) tuples."""
    cdef int arg = states[0], y
    cdef Py_ssize_t k
    for k in range(1, n):
        y = states[k]
        if V[y] > V[arg] or (V[y] == V[arg] and y > arg):
            arg = y
    return arg


cdef int viterbi(PosHMM h, Vit* v, const Py_UCS4* u, Py_ssize_t T) except -1:
    """jieba.posseg.viterbi on the Han run u[:T]; the states into v.path."""
    cdef int S = h.S
    cdef Py_ssize_t t, k, a, ncur = 0, nnxt, nexp, nP
    cdef int y, y0, maxP, arg
    cdef double best, val
    cdef bint found
    cdef double* tmp
    cdef uint16_t* tmp16
    vit_reserve(v, T, S)
    # t = 0
    a = <Py_ssize_t>u[0] - HAN_FIRST
    set_erow(h, v, u[0], True)
    if h.cs_has[a]:
        ncur = collect(h.cs_state, h.cs_ptr[a], h.cs_ptr[a + 1], v.mark, 0, 1, v.cur, 0)
        for k in range(ncur):
            y = v.cur[k]
            v.V[y] = h.start[y] + v.erow[y]
            v.mark[y] = 0
    else:
        for y in range(S):
            v.V[y] = h.start[y] + v.erow[y]
            v.cur[y] = <uint16_t>y
        ncur = S
    set_erow(h, v, u[0], False)
    for t in range(1, T):
        # the previous states that have a successor
        nP = 0
        maxP = -1
        for k in range(ncur):
            y0 = v.cur[k]
            if h.succ_ptr[y0 + 1] > h.succ_ptr[y0]:
                v.inP[y0] = 1
                nP += 1
                if y0 > maxP:
                    maxP = y0
        # the states they may go to (marked in v.mark while collected)
        nexp = 0
        for k in range(ncur):
            y0 = v.cur[k]
            if v.inP[y0]:
                nexp = collect(h.succ_to, h.succ_ptr[y0], h.succ_ptr[y0 + 1], v.mark, 0, 1,
                               v.explist, nexp)
        # this character's states among them
        a = <Py_ssize_t>u[t] - HAN_FIRST
        nnxt = 0
        if h.cs_has[a]:
            nnxt = collect(h.cs_state, h.cs_ptr[a], h.cs_ptr[a + 1], v.mark, 1, 2, v.nxt, 0)
            for k in range(nnxt):
                v.mark[v.nxt[k]] = 1
        else:
            for k in range(nexp):
                v.nxt[k] = v.explist[k]
            nnxt = nexp
        if nnxt == 0:
            if nexp:
                for k in range(nexp):
                    v.nxt[k] = v.explist[k]
                nnxt = nexp
            else:
                for y in range(S):
                    v.nxt[y] = <uint16_t>y
                nnxt = S
        for k in range(nexp):
            v.mark[v.explist[k]] = 0
        set_erow(h, v, u[t], True)
        for k in range(nnxt):
            y = v.nxt[k]
            if nP == 0:
                # no previous state can go on (jieba's max() fails here):
                # start afresh after the best previous state
                arg = best_state(v.V, v.cur, ncur)
                v.NV[y] = h.start[y] + v.erow[y]
                v.bp[t * S + y] = <uint16_t>arg
                continue
            found = False
            best = -INFINITY
            arg = maxP
            for a in range(h.pred_ptr[y], h.pred_ptr[y + 1]):
                y0 = h.pred_from[a]
                if v.inP[y0]:
                    val = (v.V[y0] + h.pred_p[a]) + v.erow[y]
                    if not found or val >= best:
                        best = val
                        arg = y0
                        found = True
            if not found or best == -INFINITY:
                # every candidate scores -inf: the largest state wins
                best = -INFINITY
                arg = maxP
            v.NV[y] = best
            v.bp[t * S + y] = <uint16_t>arg
        set_erow(h, v, u[t], False)
        for k in range(ncur):
            v.inP[v.cur[k]] = 0
        tmp = v.V
        v.V = v.NV
        v.NV = tmp
        tmp16 = v.cur
        v.cur = v.nxt
        v.nxt = tmp16
        ncur = nnxt
    # the best final state (ties: the larger state)
    arg = best_state(v.V, v.cur, ncur)
    v.path[T - 1] = <uint16_t>arg
    t = T - 1
    while t > 0:
        v.path[t - 1] = v.bp[t * S + v.path[t]]
        t -= 1
    return 0


def viterbi_states(PosHMM h not None, str run):
    """The state numbers jieba.posseg's viterbi picks for a Han string."""
    cdef Py_ssize_t T = len(run), i
    if T == 0:
        return []
    for ch in run:
        if not is_han(ch):
            raise ValueError("viterbi_states takes U+4E00..U+9FD5 characters only")
    cdef Py_UCS4* u = PyUnicode_AsUCS4Copy(run)
    cdef Vit v
    memset(&v, 0, sizeof(Vit))
    try:
        vit_init(&v, h.S)
        viterbi(h, &v, u, T)
        return [v.path[i] for i in range(T)]
    finally:
        vit_free(&v)
        PyMem_Free(u)


# ---------------------------------------------------------------------------
# the tagger
# ---------------------------------------------------------------------------

cdef struct Tok:
    Py_ssize_t s
    Py_ssize_t e
    int32_t code
    int32_t aux

cdef struct Toks:
    Tok* a
    Py_ssize_t n
    Py_ssize_t cap


cdef int push(Toks* o, Py_ssize_t s, Py_ssize_t e, int32_t code, int32_t aux) except -1:
    cdef void* p
    cdef Py_ssize_t newcap
    if o.n == o.cap:
        newcap = o.cap * 2 if o.cap else 64
        p = realloc(o.a, newcap * sizeof(Tok))
        if p == NULL:
            raise MemoryError()
        o.a = <Tok*>p
        o.cap = newcap
    o.a[o.n].s = s
    o.a[o.n].e = e
    o.a[o.n].code = code
    o.a[o.n].aux = aux
    o.n += 1
    return 0


cdef inline int push_lookup(Trie t, Work* w, Toks* o, Py_ssize_t s, Py_ssize_t e) except -1:
    """A dictionary-route word u[s:e], with its dictionary tag id."""
    cdef uint32_t node = t._find(w.u + s, e - s)
    return push(o, s, e, K_LOOKUP, t.tag[node] if node else 0)


cdef int cut_skip_detail(Work* w, Toks* o, Py_ssize_t p, Py_ssize_t q) except -1:
    """A non-Han run inside an unknown stretch: ([\\.0-9]+|[a-zA-Z0-9]+)
    pieces are m / eng, the text between them x."""
    cdef const Py_UCS4* u = w.u
    cdef Py_ssize_t r = p, gap = p, m
    cdef Py_UCS4 c
    cdef int32_t code
    while r < q:
        c = u[r]
        if c == 46 or is_digit(c):
            m = r + 1
            while m < q and (u[m] == 46 or is_digit(u[m])):
                m += 1
            code = K_M
        elif is_alpha(c):
            m = r + 1
            while m < q and is_eng(u[m]):
                m += 1
            code = K_ENG
        else:
            r += 1
            continue
        if gap < r:
            push(o, gap, r, K_X, 0)
        push(o, r, m, code, 0)
        r = m
        gap = m
    if gap < q:
        push(o, gap, q, K_X, 0)
    return 0


cdef int cut_han_hmm(PosHMM h, Vit* v, Work* w, Toks* o, Py_ssize_t p, Py_ssize_t q) except -1:
    """posseg's __cut: words and tags of the Han run u[p:q] from the HMM."""
    cdef Py_ssize_t T = q - p, i, begin = 0, nexti = 0
    cdef uint16_t st
    viterbi(h, v, w.u + p, T)
    for i in range(T):
        st = v.path[i]
        if h.pos[st] == P_B:
            begin = i
        elif h.pos[st] == P_E:
            push(o, p + begin, p + i + 1, h.tag[st], 0)
            nexti = i + 1
        elif h.pos[st] == P_S:
            push(o, p + i, p + i + 1, h.tag[st], 0)
            nexti = i + 1
    if nexti < T:
        push(o, p + nexti, q, h.tag[v.path[nexti]], 0)
    return 0


cdef int cut_detail(PosHMM h, Vit* v, Work* w, Toks* o, Py_ssize_t p, Py_ssize_t q) except -1:
    """posseg's __cut_detail on u[p:q]."""
    cdef const Py_UCS4* u = w.u
    cdef Py_ssize_t r
    while p < q:
        r = p + 1
        if is_han(u[p]):
            while r < q and is_han(u[r]):
                r += 1
            cut_han_hmm(h, v, w, o, p, r)
        else:
            while r < q and not is_han(u[r]):
                r += 1
            cut_skip_detail(w, o, p, r)
        p = r
    return 0


cdef int flush_buf(Trie t, PosHMM h, Vit* v, Work* w, Toks* o,
                   Py_ssize_t s, Py_ssize_t e) except -1:
    cdef Py_ssize_t i
    if e - s == 1:
        return push_lookup(t, w, o, s, e)
    if t.freq_of(w.u + s, e - s) <= 0:
        return cut_detail(h, v, w, o, s, e)
    for i in range(s, e):
        push_lookup(t, w, o, i, i + 1)
    return 0


cdef int cut_block(Trie t, PosHMM h, Vit* v, Work* w, Toks* o,
                   Py_ssize_t b, Py_ssize_t e, bint use_hmm) except -1:
    """posseg's __cut_DAG (use_hmm) or __cut_DAG_NO_HMM on u[b:e]."""
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
                    flush_buf(t, h, v, w, o, b + buf, b + x)
                    buf = -1
                push_lookup(t, w, o, b + x, b + y)
        else:
            if y - x == 1 and is_eng(w.u[b + x]):
                if buf < 0:
                    buf = x
            else:
                if buf >= 0:
                    push(o, b + buf, b + x, K_ENG, 0)
                    buf = -1
                push_lookup(t, w, o, b + x, b + y)
        x = y
    if buf >= 0:
        if use_hmm:
            flush_buf(t, h, v, w, o, b + buf, e)
        else:
            push(o, b + buf, e, K_ENG, 0)
    return 0


cdef int cut_text(Trie t, PosHMM h, Vit* v, Work* w, Toks* o, bint use_hmm) except -1:
    cdef const Py_UCS4* u = w.u
    cdef Py_ssize_t n = w.n, i = 0, j
    while i < n:
        if in_pblock(u[i]):
            j = i + 1
            while j < n and in_pblock(u[j]):
                j += 1
            cut_block(t, h, v, w, o, i, j, use_hmm)
            i = j
        elif u[i] == 13 and i + 1 < n and u[i + 1] == 10:
            push(o, i, i + 2, K_X, 0)
            i += 2
        else:
            push(o, i, i + 1, K_X, 0)
            i += 1
    return 0


cdef class _Tagger:
    """Phase 1 of a call: tokens with tag codes, in C memory."""
    cdef Toks toks
    cdef Py_UCS4* u

    def __cinit__(self):
        self.toks.a = NULL
        self.toks.n = 0
        self.toks.cap = 0
        self.u = NULL

    def __dealloc__(self):
        free(self.toks.a)
        if self.u != NULL:
            PyMem_Free(self.u)

    cdef int run(self, Trie t, PosHMM h, str text, bint use_hmm) except -1:
        """The tokens of ``text`` into self.toks; the only phase that reads
        ``t`` (plain C, no Python code runs meanwhile)."""
        cdef Work w
        cdef Vit v
        check_ready(t, None, False)
        self.u = PyUnicode_AsUCS4Copy(text)
        memset(&v, 0, sizeof(Vit))
        work_zero(&w)
        try:
            work_init(&w, self.u, len(text))
            w.logtotal = log(<double>t.total)
            vit_init(&v, h.S)
            cut_text(t, h, &v, &w, &self.toks, use_hmm)
        finally:
            work_free(&w)
            vit_free(&v)
        return 0

    cdef object flag(self, Py_ssize_t k, object word, tuple dict_tags, dict user_tags,
                     tuple hmm_tags):
        cdef Tok* t = &self.toks.a[k]
        cdef PyObject* hit
        if t.code >= 0:
            return hmm_tags[t.code]
        if t.code == K_LOOKUP:
            if user_tags:
                hit = PyDict_GetItem(user_tags, word)
                if hit != NULL:
                    return <object>hit
            if t.aux > 0 and t.aux < len(dict_tags):
                tag = dict_tags[t.aux]
                if tag:
                    return tag
            return "x"
        if t.code == K_M:
            return "m"
        if t.code == K_ENG:
            return "eng"
        return "x"


def lcut(Trie t not None, PosHMM h not None, str text, bint use_hmm, tuple dict_tags, dict user_tags,
         tuple hmm_tags):
    """``pair`` objects of ``text`` exactly as jieba.posseg 0.42.1's ``lcut``
    over the dictionary ``t``.

    ``dict_tags[id]`` names the Trie's tag ids; ``user_tags`` (word -> tag)
    overrides them; ``hmm_tags[i]`` names the HMM's tag number ``i``.
    """
    if not text:
        return []
    cdef _Tagger tg = _Tagger()
    tg.run(t, h, text, use_hmm)
    # phase 2: Python objects; the Trie is not read from here on
    cdef Py_ssize_t k, m = tg.toks.n
    cdef list out = PyList_New(m)
    cdef pair p
    for k in range(m):
        word = t.word(text, tg.u, tg.toks.a[k].s, tg.toks.a[k].e)
        p = new_pair(word, tg.flag(k, word, dict_tags, user_tags, hmm_tags))
        Py_INCREF(p)
        PyList_SET_ITEM(out, k, p)
    return out


def tokenize(Trie t not None, PosHMM h not None, str text, bint use_hmm, tuple dict_tags, dict user_tags,
             tuple hmm_tags, Py_ssize_t offset=0):
    """``(word, flag, start, end)`` for the tokens of :func:`lcut`, with
    ``offset`` added to every position."""
    if not text:
        return []
    cdef _Tagger tg = _Tagger()
    tg.run(t, h, text, use_hmm)
    cdef Py_ssize_t k, m = tg.toks.n, s, e
    cdef list out = PyList_New(m)
    for k in range(m):
        s = tg.toks.a[k].s
        e = tg.toks.a[k].e
        word = t.word(text, tg.u, s, e)
        item = (word, tg.flag(k, word, dict_tags, user_tags, hmm_tags), s + offset, e + offset)
        Py_INCREF(item)
        PyList_SET_ITEM(out, k, item)
    return out
