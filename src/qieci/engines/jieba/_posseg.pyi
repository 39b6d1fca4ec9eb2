"""Declares the public API of the compiled kernel ``_posseg`` (``_posseg.pyx``)."""

from collections.abc import Iterator

from typing_extensions import Buffer

from ._core import Trie

def block_char(c: str) -> bool: ...

class pair:
    word: str
    flag: str
    def __init__(self, word: str, flag: str) -> None: ...
    def __iter__(self) -> Iterator[str]: ...
    def __lt__(self, other: pair, /) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[pair], tuple[str, str]]: ...
    def encode(self, *args: str) -> bytes: ...

class PosHMM:
    def __init__(
        self,
        positions: Buffer,  # uint8
        tag_ids: Buffer,  # uint16
        start: Buffer,  # double
        trans_from: Buffer,  # uint16
        trans_to: Buffer,  # uint16
        trans_p: Buffer,  # double
        emit_chars: Buffer,  # uint32
        emit_ptr: Buffer,  # uint32
        emit_state: Buffer,  # uint16
        emit_p: Buffer,  # double
        cs_chars: Buffer,  # uint32
        cs_ptr: Buffer,  # uint32
        cs_state: Buffer,  # uint16
    ) -> None: ...
    @property
    def n_states(self) -> int: ...

def viterbi_states(h: PosHMM, run: str) -> list[int]: ...
def lcut(
    t: Trie,
    h: PosHMM,
    text: str,
    use_hmm: bool,
    dict_tags: tuple[str, ...],
    user_tags: dict[str, str],
    hmm_tags: tuple[str, ...],
) -> list[pair]: ...
def tokenize(
    t: Trie,
    h: PosHMM,
    text: str,
    use_hmm: bool,
    dict_tags: tuple[str, ...],
    user_tags: dict[str, str],
    hmm_tags: tuple[str, ...],
    offset: int = 0,
) -> list[tuple[str, str, int, int]]: ...
