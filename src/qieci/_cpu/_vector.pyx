# cython: language_level=3
"""CPU state that other libraries leave behind (``qieci._cpu``; no data).

:func:`clear_upper_state` runs ``vzeroupper`` on an x86 CPU with AVX, and
does nothing elsewhere. ISA-L (``isal``, which :mod:`qieci.binfile` uses
for large checksums and inflates) returns from its AVX-512 routines with
the upper halves of the vector registers still in use. Until something
clears them, every legacy-SSE instruction after it (CPython and the kernels
are built for plain x86-64) pays a false dependency: on this project's
machines the jieba kernel then ran 35-40% slower for the rest of the
process (``bench/bench_upper_state.py``). Calling this after each call
into ISA-L ends that. It changes no value that any code can see (its
reference is a function that does nothing); the tests check that
:mod:`qieci.binfile` calls it after every call into ISA-L.
"""

cdef extern from *:
    """
    #if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    static void qieci_vzeroupper(void) {
        if (__builtin_cpu_supports("avx")) __asm__ __volatile__("vzeroupper" ::: "memory");
    }
    static int qieci_has_avx(void) { return __builtin_cpu_supports("avx") != 0; }
    #else
    static void qieci_vzeroupper(void) {}
    static int qieci_has_avx(void) { return 0; }
    #endif
    """
    void qieci_vzeroupper() nogil
    int qieci_has_avx() nogil


def clear_upper_state() -> None:
    """Clear the upper halves of the vector registers (``vzeroupper``) when
    the CPU has AVX; nothing otherwise. Safe to call at any time."""
    qieci_vzeroupper()


def has_avx() -> bool:
    """Whether :func:`clear_upper_state` runs ``vzeroupper`` on this CPU."""
    return qieci_has_avx() != 0
