"""What a jieba engine has loaded, as one object that is swapped whole."""

from __future__ import annotations

import qieci.engines.jieba._core as _core

from .blocks import ProtectedWords
from .dictionary import DictData, default_hmm


class State:
    """A loaded dictionary: its Trie (with the user words), its tag names,
    the HMM and the protected user words (None while there are none: the
    fast path)."""

    __slots__ = ("tags", "trie", "hmm", "protected")

    def __init__(self, data: DictData) -> None:
        self.tags: tuple[str, ...] = data.tags
        self.trie: _core.Trie = data.build()
        self.hmm: _core.HMM = default_hmm()
        self.protected: ProtectedWords | None = None
