"""Build script for the compiled core (``qieci._core``).

All metadata lives in ``pyproject.toml``; this file only declares the Cython
extension so that ``pip install .`` compiles it with no manual step.
"""
from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension(
        "qieci._core",
        ["src/qieci/_core.pyx"],
        # No -ffast-math: the route and HMM scores must round exactly as
        # CPython's float arithmetic does, or ties break differently.
        extra_compile_args=["-O2", "-fno-fast-math", "-ffp-contract=off"],
    )
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
