# cython: language_level=3
"""Memory helpers shared by the compiled kernels (``cimport`` only).

Everything here is an extern declaration or an inline function, so this
file has no module of its own: each kernel that cimports it compiles its
own copy, and nothing is imported at run time.

* :func:`huge_alloc` -- uninitialised memory on 2 MiB boundaries, advised
  to use huge pages where the OS supports it (Linux ``madvise``).
* :func:`big_calloc` -- zeroed memory; :func:`huge_alloc` for 2 MiB or
  more, plain ``calloc`` below that.
* ``prefetch`` -- the compiler's hint to start loading an address.
* ``qieci_drop_pages`` -- give back the pages of a read-only file mapping
  (Linux ``madvise(MADV_DONTNEED)``; elsewhere nothing).

Memory from either allocator is released with ``free()``.
"""

from libc.stdlib cimport calloc
from libc.string cimport memset

cdef extern from *:
    """
    #if defined(__linux__)
    #include <sys/mman.h>
    static void qieci_advise_huge(void* p, size_t n) { (void)madvise(p, n, MADV_HUGEPAGE); }
    static void qieci_drop_pages(void* p, size_t n) { (void)madvise(p, n, MADV_DONTNEED); }
    #else
    static void qieci_advise_huge(void* p, size_t n) { (void)p; (void)n; }
    static void qieci_drop_pages(void* p, size_t n) { (void)p; (void)n; }
    #endif
    """
    void qieci_advise_huge(void* p, size_t n) noexcept nogil
    void qieci_drop_pages(void* p, size_t n) noexcept nogil
    void prefetch "__builtin_prefetch"(const void* addr) noexcept nogil

cdef extern from "stdlib.h":
    int posix_memalign(void** memptr, size_t alignment, size_t size) noexcept nogil


cdef inline void* huge_alloc(size_t n) noexcept nogil:
    """``n`` uninitialised bytes on a 2 MiB boundary, advised to use huge
    pages (random lookups over a large table would thrash the TLB with
    4 KiB pages); NULL when out of memory. free() it."""
    cdef void* p = NULL
    if posix_memalign(&p, 1 << 21, n) != 0:
        return NULL
    qieci_advise_huge(p, n)
    return p


cdef inline void* big_calloc(size_t n) noexcept nogil:
    """``n`` zeroed bytes: from :func:`huge_alloc` when ``n`` is 2 MiB or
    more, else from calloc(); NULL when out of memory. free() it."""
    cdef void* p
    if n >= (1 << 21):
        p = huge_alloc(n)
        if p != NULL:
            memset(p, 0, n)
        return p
    return calloc(n, 1)
