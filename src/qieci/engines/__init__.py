"""The segmentation engines, each in its own folder behind one protocol.

* :mod:`qieci.engines.jieba`: jieba 0.42.1's dictionary, route and HMM
  (identical output), plus its part-of-speech tagger;
* :mod:`qieci.engines.learned`: a trained multi-standard character tagger;
* :mod:`qieci.engines.chars`: one character per word (a baseline, and the
  smallest example of an engine).

:data:`ENGINES` is where engines are registered: the name that
``Tokenizer(engine=...)`` and ``qieci cut --engine`` accept, and the class
that implements it. An engine module is imported only when it is first used.
Adding an engine is one folder here and one line in :data:`ENGINES`; the
contract it implements is :class:`qieci.engines.base.Engine`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .base import Engine, EngineSpec, Unsupported, create_engine

#: Registered engines: name -> ``"module:Class"``.
ENGINES: Mapping[str, str] = MappingProxyType(
    {
        "jieba": "qieci.engines.jieba:JiebaEngine",
        "learned": "qieci.engines.learned:LearnedEngine",
        "chars": "qieci.engines.chars:CharsEngine",
    }
)


def make_engine(name: str, **options: Any) -> Engine:
    """The registered engine ``name`` (or a ``"module:Class"`` path) built
    with ``options``; ValueError when unknown."""
    return create_engine(name, options, ENGINES)


def build(spec: EngineSpec) -> Engine:
    """A fresh engine from its recipe."""
    return spec.build(ENGINES)


__all__ = ["ENGINES", "Engine", "EngineSpec", "Unsupported", "build", "make_engine"]
