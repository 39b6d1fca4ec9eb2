"""Build script for the compiled kernels (``_core``, ``_posseg``, ``_learned``, ``_keywords``, ``_discover``, ``_cpu._vector``).

All metadata lives in ``pyproject.toml``; this file only declares the Cython
extensions so that ``pip install .`` compiles them with no manual step.
"""
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

# No -ffast-math: the route and HMM scores must round exactly as CPython's
# float arithmetic does, or ties break differently.
COMPILE_ARGS = ["-O2", "-fno-fast-math", "-ffp-contract=off"]

def kernel(module: str, **kwargs) -> Extension:
    """The extension ``module`` (dotted), compiled from its ``.pyx`` beside it."""
    source = "src/" + module.replace(".", "/") + ".pyx"
    return Extension(module, [source], extra_compile_args=COMPILE_ARGS, **kwargs)


extensions = [
    kernel("qieci.engines.jieba._core"),
    kernel("qieci.engines.jieba._posseg"),
    kernel("qieci.engines.learned._learned", include_dirs=[numpy.get_include()],
           define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]),
    kernel("qieci.analyse._keywords"),
    kernel("qieci.discover._discover"),
    kernel("qieci._cpu._vector"),
]

setup(
    ext_modules=cythonize(
        extensions,
        include_path=["src"],
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
