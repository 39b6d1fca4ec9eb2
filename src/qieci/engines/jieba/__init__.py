"""The jieba engine: jieba 0.42.1's output from a compiled core.

* :mod:`.engine`: :class:`JiebaEngine`, the engine and its capabilities;
* :mod:`.blocks`: jieba's character classes and the protected user words;
* :mod:`.dictionary`: jieba's text dictionaries and qieci's binary ones;
* :mod:`.state`: what an engine has loaded;
* :mod:`.tagger` and :mod:`.posmodel`: part-of-speech tagging and its HMM;
* kernels ``_core`` (Trie, route, HMM) and ``_posseg`` (the tagger), each
  with its pure-Python twin, :mod:`.reference` and :mod:`.reference_posseg`.
"""

from .engine import JiebaEngine

__all__ = ["JiebaEngine"]
