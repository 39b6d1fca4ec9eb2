"""Declares the public API of the compiled kernel ``_core`` (``_core.pyx``)."""

from collections.abc import Sequence
from typing import Any

from typing_extensions import Buffer

TABLE_LAYOUT: str

def char_class(c: str) -> tuple[bool, bool, bool]: ...

class Trie:
    # the sum of the word frequencies (kept by the caller of ``set``)
    total: int
    n_force_split: int
    def __init__(self, expected_nodes: int = 1024) -> None: ...
    def get(self, word: str) -> int: ...
    def get_tag(self, word: str) -> int: ...
    def set(self, word: str, freq: int, tag: int = -1) -> None: ...
    def add_word(self, word: str, freq: int) -> None: ...
    def mark_force_split(self, word: str) -> None: ...
    def is_force_split(self, word: str) -> bool: ...
    def __len__(self) -> int: ...
    @staticmethod
    def from_arrays(
        parent_delta: Buffer,  # uint32 per entry
        chars: Buffer,  # uint32
        freq: Buffer,  # int64
        tag: Buffer,  # uint16
        total: int,
        n_tags: int = 0x10000,
    ) -> Trie: ...
    @staticmethod
    def from_table(
        slots: Buffer,  # uint32, 4 per slot
        root: Buffer,  # uint32, 2 per BMP character
        filt: Buffer,  # uint64
        freq: Buffer,  # int64 per node, the root's first
        tag: Buffer,  # uint16 per node
        classes: Buffer,  # int64 per frequency class, class 0 (frequency 0) first
        total: int,
        n_tags: int = 0x10000,
        mapped: bool = False,
    ) -> Trie: ...
    # (slots, root, filter, classes) as native-order bytes
    def to_table(self) -> tuple[bytes, bytes, bytes, bytes]: ...
    # (parent_delta, chars, freq, tag) as native-order bytes
    def to_arrays(self) -> tuple[bytes, bytes, bytes, bytes]: ...
    def copy(self) -> Trie: ...

class HMM:
    def __init__(
        self,
        start: Sequence[float],
        trans: Sequence[float],
        chars: Buffer,  # uint32
        emit: Buffer,  # double, 4 per char
    ) -> None: ...

def lcut(
    t: Trie, h: HMM | None, text: str, use_hmm: bool = True, search: bool = False
) -> list[str]: ...
def tokenize(
    t: Trie,
    h: HMM | None,
    text: str,
    use_hmm: bool = True,
    search: bool = False,
    offset: int = 0,
) -> list[tuple[str, int, int]]: ...
def lcut_all(t: Trie, text: str) -> list[str]: ...
def cut_lines(
    t: Trie,
    h: HMM | None,
    text: str,
    delimiter: str,
    use_hmm: bool = True,
    search: bool = False,
    crlf_to_lf: bool = False,
) -> str: ...
def cut_lines_utf8(
    t: Trie,
    h: HMM | None,
    data: bytes,
    delimiter: bytes,
    use_hmm: bool = True,
    search: bool = False,
    crlf_to_lf: bool = False,
) -> tuple[bytes, int, int] | None: ...

class State:
    trie: Trie
    hmm: HMM
    tags: tuple[str, ...]
    # ProtectedWords (qieci.engines.jieba.blocks) or None
    protected: Any
    def __init__(self, trie: Trie, hmm: HMM, tags: tuple[str, ...]) -> None: ...

class EngineCore:
    _state: State | None
    def lcut(self, text: str, mode: str, hmm: bool) -> list[str]: ...
