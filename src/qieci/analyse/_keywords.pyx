# cython: language_level=3
"""Compiled kernel of :mod:`qieci.analyse`: counting and weighing keywords.

``count_keywords`` is jieba's TF-IDF counting loop (``len(w.strip()) >= 2``
and ``w.lower() not in stop_words``) over a list of words; ``weigh`` is its
weighting step. Their pure-Python reference is
:mod:`qieci.analyse.reference`.
"""

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem, PyDict_Next
from cpython.ref cimport PyObject

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)


cdef inline bint caseless(str w):
    """True when ``w.lower() == w`` surely: only ASCII non-capitals and
    characters of the caseless CJK blocks."""
    cdef Py_UCS4 c
    for c in w:
        if c < 128:
            if 65 <= c <= 90:
                return False
        elif not (0x3000 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or 0xFF01 <= c <= 0xFF20):
            return False
    return True


cdef inline Py_ssize_t stripped_len(str w):
    """len(w.strip())"""
    cdef Py_ssize_t i = 0, j = len(w)
    while i < j and Py_UNICODE_ISSPACE(w[i]):
        i += 1
    while j > i and Py_UNICODE_ISSPACE(w[j - 1]):
        j -= 1
    return j - i


cpdef bint keeps(str word, object stop_words):
    """Whether ``word`` may be a keyword (jieba's TF-IDF filter)."""
    if stripped_len(word) < 2:
        return False
    if not stop_words:
        return True
    return (word if caseless(word) else word.lower()) not in stop_words


def count_keywords(list words, object stop_words):
    """``{word: count}`` of the words that may be keywords, in order of
    first occurrence."""
    cdef dict seen = {}
    cdef dict counts = {}
    cdef PyObject* hit
    cdef Py_ssize_t pos = 0
    cdef PyObject* key
    cdef PyObject* val
    for w in words:
        hit = PyDict_GetItem(seen, w)
        if hit == NULL:
            PyDict_SetItem(seen, w, 1)
        else:
            PyDict_SetItem(seen, w, <object>hit + 1)
    while PyDict_Next(seen, &pos, &key, &val):
        if keeps(<str>key, stop_words):
            PyDict_SetItem(counts, <object>key, <object>val)
    return counts


def weigh(dict counts, dict idf, double median):
    """``{word: count * (idf(word) / total)}``, ``total`` the sum of the
    counts and ``idf(word)`` defaulting to ``median`` (jieba's arithmetic)."""
    cdef dict out = {}
    cdef Py_ssize_t pos = 0, total = 0
    cdef PyObject* key
    cdef PyObject* val
    cdef PyObject* hit
    cdef double ftotal, v
    while PyDict_Next(counts, &pos, &key, &val):
        total += <Py_ssize_t><object>val
    ftotal = <double>total
    pos = 0
    while PyDict_Next(counts, &pos, &key, &val):
        hit = PyDict_GetItem(idf, <object>key)
        v = <double><object>hit if hit != NULL else median
        PyDict_SetItem(out, <object>key, <double>(<Py_ssize_t><object>val) * (v / ftotal))
    return out
