"""Build script for the compiled kernels (``qieci._core``, ``_posseg``, ``_keywords``).

All metadata lives in ``pyproject.toml``; this file only declares the Cython
extensions so that ``pip install .`` compiles them with no manual step.
"""
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

# No -ffast-math: the route and HMM scores must round exactly as CPython's
# float arithmetic does, or ties break differently.
COMPILE_ARGS = ["-O2", "-fno-fast-math", "-ffp-contract=off"]

extensions = [
    Extension("qieci._core", ["src/qieci/_core.pyx"], extra_compile_args=COMPILE_ARGS),
    Extension("qieci._posseg", ["src/qieci/_posseg.pyx"], extra_compile_args=COMPILE_ARGS),
    Extension("qieci._keywords", ["src/qieci/_keywords.pyx"], extra_compile_args=COMPILE_ARGS),
    Extension("qieci._learned", ["src/qieci/_learned.pyx"], extra_compile_args=COMPILE_ARGS,
              include_dirs=[numpy.get_include()],
              define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
