"""The CPU state other libraries leave behind: see ``_vector.pyx``.

:func:`clear_upper_state` (``vzeroupper`` on an x86 CPU with AVX, nothing
elsewhere) is called by :mod:`qieci.binfile` after every call into ISA-L;
:func:`has_avx` says whether it does anything on this CPU.
"""

from ._vector import clear_upper_state, has_avx

__all__ = ["clear_upper_state", "has_avx"]
