"""Declares the public API of the compiled kernel ``_learned`` (``_learned.pyx``)."""

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

NUM_TEMPLATES: int
NUM_TEMPLATES_NO_DOMAIN: int
NUM_TAGS: int
MAX_WORD: int
FOLD_BLOCK_ROWS: int

def trim_heap() -> None: ...
def normalize(text: str) -> list[int]: ...
def char_class(c: int) -> int: ...
def hash_feature(t: int, v: int) -> int: ...
def salt(s: int, bits: int) -> int: ...

class Lexicon:
    def __init__(self, words: Iterable[str] = (), text: str | None = None) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, word: object, /) -> bool: ...
    # (start, end, mid, smask, emask), one int per char each
    def lex_features(
        self, text: str
    ) -> tuple[list[int], list[int], list[int], list[int], list[int]]: ...

class DomainCounter:
    max_grams: int
    chars: int
    full: bool
    def __init__(self, max_grams: int = ...) -> None: ...
    def __len__(self) -> int: ...
    def add(self, text: str) -> None: ...
    # (keys uint64, values uint8), sorted by key
    def table(self, min_count: int = 2) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint8]]: ...

class Domain:
    count: int
    def __init__(self, keys: npt.NDArray[np.uint64], vals: npt.NDArray[np.uint8]) -> None: ...
    def __len__(self) -> int: ...
    def values(self, text: str) -> list[list[int]]: ...

def feature_buckets(
    lex: Lexicon,
    text: str,
    bits: int,
    lex2: Lexicon | None = None,
    domain: Domain | None = None,
) -> list[list[int]]: ...
def viterbi_tags(score: list[list[int]], trans: list[int], mask: list[int]) -> list[int]: ...
def fold_row(b: int, bits: int, std: int) -> int: ...

class Decoder:
    @property
    def lexicon(self) -> Lexicon: ...
    @property
    def std_lexicon(self) -> Lexicon | None: ...
    @property
    def bits(self) -> int: ...
    @property
    def std(self) -> int: ...
    @property
    def parent(self) -> int: ...  # the standard this one backs off to (0: none)
    domain: Domain | None
    # texts longer than this are decoded window by window (same tags)
    window: int
    def __init__(
        self,
        table: npt.NDArray[np.int16] | None,  # folded, 2**(bits - 1) * 4 values
        trans: Sequence[int],  # 20 transition weights
        lexicon: Lexicon,
        bits: int,
        std: int,
        std_lexicon: Lexicon | None = None,
        templates: int = ...,  # NUM_TEMPLATES, or NUM_TEMPLATES_NO_DOMAIN
        parent: int = 0,  # the standard whose own weights fold in too (0: none)
    ) -> None: ...
    @property
    def templates(self) -> int: ...
    def fold_in(self, raw: npt.NDArray[np.int16], first_row: int) -> None: ...
    def table_array(self) -> npt.NDArray[np.int16]: ...
    # ``forced``: one byte per character, bit t allowing tag t
    def tags(self, text: str, forced: bytes | None = None) -> list[int]: ...
    def scores(self, text: str) -> list[list[int]]: ...
    def lcut(self, text: str, forced: bytes | None = None) -> list[str]: ...
    def spans(self, text: str, forced: bytes | None = None) -> list[int]: ...
    # ``atoms``: (start, end) spans of ``text``, ascending, each inside a line
    def cut_lines(
        self,
        text: str,
        delimiter: str,
        crlf_to_lf: bool = False,
        atoms: Sequence[tuple[int, int]] | None = None,
    ) -> str: ...

def fold_into(
    raw: npt.NDArray[np.int16],
    out: npt.NDArray[np.int16],
    first_row: int,
    bits: int,
    std: int,
    parent: int = 0,
) -> None: ...
def fold(
    raw: npt.NDArray[np.int16], bits: int, std: int, parent: int = 0
) -> npt.NDArray[np.int16]: ...

class Perceptron:
    @property
    def bits(self) -> int: ...
    @property
    def nstd(self) -> int: ...
    W: npt.NDArray[np.int32]
    U: npt.NDArray[np.int64]
    TW: npt.NDArray[np.int64]
    TU: npt.NDArray[np.int64]
    c: int
    def __init__(
        self,
        bits: int,
        nstd: int,
        lexicon: Lexicon,
        std_lexicons: Iterable[Lexicon | None] | None = None,
    ) -> None: ...
    def train(
        self,
        text: str,
        gold: bytes,
        std: int,
        std_lexicon: Lexicon | None = None,
        shared_step: int = 1,
        std_step: int = 1,
        domain: Domain | None = None,
        parent: int = 0,
    ) -> int: ...
