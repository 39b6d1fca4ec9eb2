"""What a jieba engine has loaded, as one object that is swapped whole.

The object is :class:`qieci.engines.jieba._core.State` (compiled, so that
the engine's fast path reads its fields directly): the Trie with the user
words, the dictionary's tag names, the HMM, and the protected user words.
"""

from __future__ import annotations

from qieci.engines.jieba._core import State

from .dictionary import DictData, default_hmm


def load_state(data: DictData) -> State:
    """A fresh state holding ``data`` (ValueError if it is inconsistent)."""
    return State(data.build(), default_hmm(), data.tags)


__all__ = ["State", "load_state"]
