"""The :class:`Tokenizer`: jieba's API over any engine.

A tokenizer holds one engine (:mod:`qieci.engines`; the jieba engine by
default) and owns what is the user's: the user words and their tags, the
lock that serialises edits, and the :class:`TokenizerSpec` that rebuilds it
in another process. It decodes input (bytes as jieba decodes them) and maps
jieba's arguments onto the engine's modes.

With the jieba engine every method returns exactly what the same method of
``jieba.Tokenizer`` 0.42.1 returns for the same dictionary, with two
deliberate differences:

* user words containing characters that jieba's block split cuts at (spaces,
  ``*``, ``/`` ...) are matched whole (see :mod:`qieci.engines.jieba.blocks`);
* invalid input raises a clear error instead of jieba's late failures: a
  negative frequency, an unreadable dictionary, a non-text sentence.

What an engine does not offer (a dictionary, POS tags, standards) is
reported by one error, :class:`~qieci.engines.base.Unsupported` (a
ValueError), naming the engines that do.

Tokenizers are independent: each owns its engine. A tokenizer is safe to
share between threads; edits are serialised by its lock, and every cut sees
the engine either before or after an edit, never half of one.
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass
from itertools import pairwise
from os import PathLike
from types import MappingProxyType
from typing import IO, Any, Union

from . import binfile, engines
from .engines.base import (
    MODES,
    Dictionary,
    Engine,
    EngineSpec,
    Standards,
    Tagging,
    Unsupported,
    join_lines,
)
from .engines.base import offering as engines_offering
from .textlines import convert_hint

PathArg = Union[str, "PathLike[str]"]
#: The header line of ``qieci discover``'s TSV output; a user dictionary
#: that starts with it is that TSV, and loads as its words (first column).
DISCOVER_TSV_HEADER = "word\tfreq\tscore"
# jieba's user dictionary line: word, optional " freq", optional " tag"
_RE_USERDICT = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$")
# the engines' modes, and "pos": word/tag tokens of an engine that can tag
_MODES = (*MODES, "pos")
_MAX_FREQ = 2**63 - 1
_RE_TAG = re.compile(r"\S{0,32}")
# a field that was meant as a frequency but is not digits: -3, +5, 3.5, 1e3
_RE_BAD_FREQ = re.compile(r"[-+][0-9][0-9.eE+-]*|[0-9]+[.eE][0-9.eE+-]*")


def _looks_mistaken(fields: list[str]) -> bool:
    """Whether the fields of a user word (one with spaces) show a line that
    was meant as ``word freq tag`` but did not parse so: it ends in a
    malformed frequency (``负数 -3``), or a frequency and a tag stand inside
    it (``词 3 n extra``). ``iPhone 15 Pro`` is a word."""
    if _RE_BAD_FREQ.fullmatch(fields[-1]):
        return True
    return any(
        a.isdigit() and b.isascii() and b.isalpha() and b.islower() for a, b in pairwise(fields[1:])
    )


# a line of another format: word<TAB>..., or word,freq[,tag] (a CSV)
# (not a number with thousands separators, 1,000)
_RE_CSV_LINE = re.compile(r"[^,]*[^,0-9][^,]*,\s*[0-9]+(?:\s*,\s*[A-Za-z]+)?")


def _other_format(word: str) -> str | None:
    """What other format the front of a user-dictionary line is in, if it
    looks like one (a tab-separated line, such as a TSV without its header,
    or a comma-separated one)."""
    if "\t" in word:
        return "tab-separated"
    if _RE_CSV_LINE.fullmatch(word):
        return "comma-separated"
    return None


#: A checked user-dictionary line: line number, word, frequency (None: the
#: engine's choice) and tag.
_Entry = tuple[int, str, int | None, str | None]


def _checked_word(word: Any, freq: Any, tag: Any) -> tuple[str, int | None, str | None]:
    """``add_word``'s arguments as the engine takes them, or the ValueError
    (TypeError for a word that is no text) that ``add_word`` raises."""
    word = strdecode(word)
    if not word:
        raise ValueError("cannot add an empty word")
    if "\n" in word or "\r" in word:
        raise ValueError(f"a word cannot hold a line break: {word!r}")
    try:
        f = None if freq is None else int(freq)  # "5" and 5.0 too, as jieba's int()
    except (ValueError, TypeError, OverflowError):
        raise ValueError(
            f"frequency {freq!r} for word {word!r} is not a whole number (give an int, or "
            "None to let the engine choose one)"
        ) from None
    if f is not None and f < 0:
        raise ValueError(f"negative frequency {f} for word {word!r}")
    if f is not None and f > _MAX_FREQ:
        raise ValueError(f"frequency {f} for word {word!r} is out of range (0 to 2**63-1)")
    if tag is not None and not (isinstance(tag, str) and _RE_TAG.fullmatch(tag)):
        raise ValueError(
            f"tag {tag!r} for word {word!r} is not a short token (up to 32 characters, no spaces)"
        )
    return word, f, tag


def _segment(segment: Any) -> str | tuple[str, ...]:
    """``suggest_freq``'s segment as jieba's engine takes it: a str (bytes
    decoded as jieba decodes them), or a tuple (or list) of str pieces."""
    if isinstance(segment, (str, bytes, bytearray)):
        return strdecode(segment)
    if isinstance(segment, (tuple, list)):
        for piece in segment:
            if not isinstance(piece, (str, bytes, bytearray)):
                raise TypeError(
                    "suggest_freq takes a tuple of str (the pieces to split a word into); "
                    f"{piece!r} is {type(piece).__name__}"
                )
        return tuple(strdecode(piece) for piece in segment)
    raise TypeError(
        "suggest_freq takes a str (a word to keep whole) or a tuple of str (the pieces to "
        f"split a word into), not {type(segment).__name__}"
    )


def _decode_line(raw: Any, name: str, lineno: int) -> str:
    """A user-dictionary line stripped, as text: bytes stripped, then decoded
    as UTF-8 (as jieba does: the error names the byte of the line); a
    byte-order mark in front dropped."""
    if isinstance(raw, str):
        return raw.strip().lstrip("\ufeff")
    if not isinstance(raw, (bytes, bytearray)):
        raise TypeError(
            f"{name}:{lineno}: a line of a user dictionary is str or bytes, not "
            f"{type(raw).__name__} (pass a path or a file object)"
        )
    stripped = raw.strip()
    lead = len(raw) - len(raw.lstrip())  # (stripped before decoding, as jieba)
    return _utf8(stripped, bytes(raw), lead, name, lineno, "a user dictionary").lstrip("\ufeff")


def _utf8(
    data: bytes | bytearray, line: bytes, start: int, name: str, lineno: int, what: str
) -> str:
    """``data``, the bytes of ``line`` from byte ``start`` on, decoded as
    UTF-8; invalid bytes are a ValueError naming the file, the line and the
    byte of the line, with the hint to convert ``what``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name}:{lineno}: invalid UTF-8 at byte {start + exc.start} of the line"
            + convert_hint(what, line if lineno == 1 else b"", line)
        ) from None


def _parse_userdict(
    lines: Iterable[Any], name: str, strict: bool
) -> tuple[list[_Entry], list[str]]:
    """The entries of a user dictionary, each checked as ``add_word`` checks
    it, and the messages of the lines that look like mistakes (with
    ``strict``, the first is a ValueError): nothing is added yet."""
    entries: list[_Entry] = []
    notes: list[str] = []
    tsv = False  # after the header of qieci discover's TSV
    for lineno, raw in enumerate(lines, 1):
        if tsv and _has_tab(raw):
            line = _tsv_row(raw, name, lineno)
            word, freq, tag = line.split("\t")[0].strip(), None, None
            msg = None
        else:
            line = _decode_line(raw, name, lineno)
            if not line:
                continue
            if lineno == 1 and line == DISCOVER_TSV_HEADER:
                tsv = True
                continue
            m = _RE_USERDICT.match(line)
            assert m is not None  # the pattern matches any non-empty line
            word, freq, tag = m.groups()
            msg = _mistake(line, word, name, lineno)
        if not word:
            continue
        if msg is None and "\ufeff" in word:
            msg = (
                f"{name}:{lineno}: {line!r} holds a byte-order mark (U+FEFF, invisible in "
                f"most editors) inside its word; it adds the word {word!r}, mark included, "
                "as jieba would (delete the mark)"
            )
        if msg is not None:
            if strict:
                raise ValueError(msg)
            notes.append(msg)
        try:
            entries.append(
                (
                    lineno,
                    *_checked_word(
                        word, freq.strip() if freq else None, tag.strip() if tag else None
                    ),
                )
            )
        except ValueError as exc:  # a frequency or tag out of range
            raise ValueError(f"{name}:{lineno}: {exc}") from None
    return entries, notes


def _has_tab(raw: Any) -> bool:
    """Whether a raw line (str or bytes) holds a tab: a row of qieci
    discover's TSV."""
    if isinstance(raw, str):
        return "\t" in raw
    return isinstance(raw, (bytes, bytearray)) and b"\t" in raw


def _tsv_row(raw: str | bytes | bytearray, name: str, lineno: int) -> str:
    """A row of qieci discover's TSV as text, without its line end."""
    if not isinstance(raw, str):
        raw = _utf8(raw, bytes(raw), 0, name, lineno, "a word list of qieci discover")
    return raw.strip("\r\n")


def _mistake(line: str, word: str, name: str, lineno: int) -> str | None:
    """The message for a user-dictionary line that looks like a mistake
    (another format, or fields that did not parse), else None."""
    other = _other_format(line)  # (the whole line: "云计算, 3" parses as word "云计算,")
    if other is not None:
        return (
            f"{name}:{lineno}: {line!r} looks {other}, but a user dictionary is "
            f"'word [freq] [tag]' separated by spaces; it adds the word {word!r} "
            "as jieba would"
        )
    if " " in word and _looks_mistaken(word.split(" ")):
        return (
            f"{name}:{lineno}: {line!r} is not 'word [freq] [tag]' (a frequency is "
            f"digits, a tag lower-case letters); it adds the word {word!r}, spaces "
            "included, as jieba would"
        )
    return None


class UserDictWarning(UserWarning):
    """A user-dictionary line that is probably a mistake (see
    :meth:`Tokenizer.load_userdict`)."""


def strdecode(sentence: Any) -> str:
    """Text as jieba takes it: ``str`` as is, bytes decoded as UTF-8, or as
    GBK (dropping undecodable bytes) when it is not UTF-8."""
    if isinstance(sentence, str):
        # a subclass (numpy.str_, a pandas value) as a plain str, which the
        # kernels take
        return str.__str__(sentence)
    if isinstance(sentence, (bytes, bytearray, memoryview)):
        raw = bytes(sentence)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("gbk", "ignore")
    raise TypeError(f"expected str or bytes, not {type(sentence).__name__}")


class FreqView(Mapping[str, int]):
    """Read-only mapping view of the dictionary, like jieba's ``FREQ`` dict
    (words and their prefixes; a prefix that is not a word maps to 0). It
    iterates (``keys``, ``items``, ``dict(FREQ)``) over a snapshot of the
    dictionary, a prefix before its words: the same pairs as jieba's, in
    another order."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tok = tokenizer

    def get(self, word: str, default: Any = None) -> Any:
        return self._tok.get_FREQ(word, default)

    def __getitem__(self, word: str) -> int:
        f = self.get(word)
        if f is None:
            raise KeyError(word)
        return int(f)

    def __contains__(self, word: object) -> bool:
        return self.get(word) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        d: Dictionary = self._tok.capability(Dictionary, "FREQ (the dictionary)")
        return d.size()

    def __iter__(self) -> Iterator[str]:
        return (word for word, _, _ in self._tok.dictionary_entries())

    def _snapshot(self) -> dict[str, int]:
        return {word: freq for word, freq, _ in self._tok.dictionary_entries()}

    # one pass over the dictionary (Mapping's would look every word up)
    def keys(self) -> KeysView[str]:
        return self._snapshot().keys()

    def items(self) -> ItemsView[str, int]:
        return self._snapshot().items()

    def values(self) -> ValuesView[int]:
        return self._snapshot().values()


class Tokenizer:
    """A jieba-compatible segmenter over one engine.

    ``engine``: a registered engine name (``"jieba"``, ``"learned"``,
    ``"chars"``; see :data:`qieci.engines.ENGINES`), a ``"module:Class"``
    path, or an engine object; None means "learned" when ``standard``,
    ``model`` or ``domain`` is given, else "jieba".
    ``dictionary`` (jieba engine: a jieba-format text dictionary or a qieci
    binary one; None: the bundled one), ``standard``, ``model`` and
    ``domain`` (learned engine: a domain file of ``qieci adapt``, or the
    domain :func:`qieci.discover.adapt` returns) are the
    engine's options. The engine loads on first use, or by
    :meth:`initialize`; the learned engine checks its model's header, the
    standard's name and the domain file's header at once, so that a
    mistake in them is a ValueError of the constructor.
    """

    def __init__(
        self,
        dictionary: PathArg | None = None,
        *,
        engine: str | Engine | None = None,
        standard: str | None = None,
        model: PathArg | None = None,
        domain: PathArg | Any | None = None,
    ) -> None:
        options = {
            k: v
            for k, v in (
                ("dictionary", dictionary),
                ("standard", standard),
                ("model", model),
                ("domain", domain),
            )
            if v is not None
        }
        if engine is None:  # standard=, model= or domain= mean the learned engine
            learned = standard is not None or model is not None or domain is not None
            engine = "learned" if learned else "jieba"
        if isinstance(engine, str):
            self.engine: Engine = engines.make_engine(engine, **options)
        elif options:
            raise ValueError(
                "dictionary=, standard=, model= and domain= go to the engine's constructor "
                "when an engine object is given"
            )
        else:
            if not isinstance(engine, Engine):
                raise ValueError(
                    f"{engine!r} is not a qieci engine: it lacks a method of the "
                    "qieci.engines.base.Engine protocol (subclass EngineBase)"
                )
            self.engine = engine
        _claim(self.engine, self)
        # the modes beyond "default" (which every engine has), looked up once
        self._full_mode = "all" in self.engine.modes
        self._search_mode = "search" in self.engine.modes
        self._lock = threading.RLock()
        # every add_word since the engine loaded, with its resolved
        # frequency: with the engine's spec, the recipe of this tokenizer
        self._edits: list[tuple[str, int, str | None]] = []
        self.user_word_tag_tab: dict[str, str] = {}
        # the qieci.posseg.POSTokenizer of this tokenizer, made on demand
        self._pos_tokenizer: Any = None
        # (module, name) of a module-level tokenizer (qieci.dt): it pickles
        # as that name, so it unpickles as the receiving process's own
        self._pickle_as: tuple[str, str] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the recipe (:meth:`spec`): no dictionary or model data
        travels, and the copy is rebuilt (lazily loaded) on unpickling. A
        module-level default tokenizer unpickles as the receiver's own, with
        the sender's user words (see :func:`_module_tokenizer`): a pickled
        ``qieci.lcut`` cuts in a worker process as in the process it came
        from."""
        if self._pickle_as is not None:
            return (_module_tokenizer, (*self._pickle_as, self.spec()))
        return (_rebuild, (self.spec(),))

    def __repr__(self) -> str:
        return f"<qieci.Tokenizer engine={self.engine!r}>"

    def capability(self, kind: type[Any], what: str) -> Any:
        """This tokenizer's engine as ``kind`` (a capability protocol of
        :mod:`qieci.engines.base`), or :class:`Unsupported` naming ``what``
        needed it and which engines offer it.

        ``kind`` is typed ``type[Any]`` because mypy takes no protocol class
        where a ``type[C]`` is expected (python/mypy#4717); callers annotate
        the result: ``d: Dictionary = tok.capability(Dictionary, ...)``."""
        engine = self.engine
        if isinstance(engine, kind):
            return engine
        offering = engines_offering(engines.ENGINES, kind)
        hint = " or ".join(f"the {n} engine (engine={n!r})" for n in offering) or "another engine"
        raise Unsupported(
            f"{what} needs {hint}; this tokenizer's engine is "
            f"{getattr(engine, 'name', type(engine).__name__)!r}"
        )

    # -- loading -----------------------------------------------------------

    def initialize(self, dictionary: PathArg | None = None) -> None:
        """Load the engine now (otherwise it loads on first use).

        With ``dictionary``, switch to that main dictionary first (the user
        words are dropped, as in jieba). Raises ValueError when a file is
        missing, unreadable or malformed.
        """
        with self._lock:
            if dictionary is not None:
                d: Dictionary = self.capability(Dictionary, "initialize(dictionary)")
                path = os.path.abspath(os.fspath(dictionary))
                if not os.path.isfile(path):  # before anything changes, as set_dictionary
                    raise ValueError(f"{path}: dictionary file does not exist")
                if path != getattr(d, "dictionary", None):
                    d.set_dictionary(path)
                    self._edits.clear()
            self.engine.load()

    def check_initialized(self) -> None:
        self.engine.load()

    @property
    def initialized(self) -> bool:
        """Whether the engine has loaded (jieba's ``initialized``)."""
        loaded = getattr(self.engine, "loaded", None)
        return bool(loaded()) if callable(loaded) else True

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:
        """jieba's ``get_DAG``: for each position ``k`` of ``sentence``, the
        last positions ``i`` of the dictionary words ``sentence[k:i + 1]``
        (``[k]`` when there is none), the prefixes walked as jieba walks
        them."""
        d: Dictionary = self.capability(Dictionary, "get_DAG (the dictionary)")
        n = len(sentence)
        dag: dict[int, list[int]] = {}
        for k in range(n):
            ends = []
            i = k
            while i < n:
                f = d.freq(sentence[k : i + 1])
                if f < 0:  # neither a word nor a prefix: no longer one either
                    break
                if f > 0:
                    ends.append(i)
                i += 1
            dag[k] = ends or [k]
        return dag

    def calc(
        self, sentence: str, DAG: dict[int, list[int]], route: dict[int, tuple[float, int]]
    ) -> None:
        """jieba's ``calc``: fill ``route`` with the best route over ``DAG``
        from each position to the end, ``route[k] = (log-probability, last
        position of the word at k)``, ties going to the later end."""
        import math

        d: Dictionary = self.capability(Dictionary, "calc (the dictionary)")
        n = len(sentence)
        logtotal = math.log(d.total())
        route[n] = (0, 0)
        for k in range(n - 1, -1, -1):
            route[k] = max(
                (math.log(max(d.freq(sentence[k : x + 1]), 0) or 1) - logtotal + route[x + 1][0], x)
                for x in DAG[k]
            )

    def set_dictionary(self, dictionary_path: PathArg) -> None:
        """Use another main dictionary (loaded on next use); edits made so
        far are dropped, as in jieba."""
        d: Dictionary = self.capability(Dictionary, "set_dictionary")
        path = os.path.abspath(os.fspath(dictionary_path))
        if not os.path.isfile(path):
            raise ValueError(f"{path}: dictionary file does not exist")
        with self._lock:
            d.set_dictionary(path)
            self._edits.clear()

    @property
    def dictionary(self) -> str | None:
        """The main dictionary file (None: the bundled one, or no dictionary)."""
        return getattr(self.engine, "dictionary", None)

    # -- segmentation --------------------------------------------------------

    def lcut(
        self, sentence: Any, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False
    ) -> list[str]:
        """The words of ``sentence`` as a list (see :meth:`cut`)."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        if cut_all:
            if not self._full_mode:
                self._check_mode("all")
            return self.engine.lcut(text, "all", HMM)
        return self.engine.lcut(text, "default", HMM)

    def cut(
        self, sentence: Any, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False
    ) -> Iterator[str]:
        """Yield the words of ``sentence``.

        ``cut_all`` gives jieba's full mode (every dictionary word, possibly
        overlapping); ``HMM`` enables the HMM for unknown words. Default mode
        is lossless: ``''.join(cut(s)) == s``. ``use_paddle`` is accepted for
        compatibility and ignored (jieba ignores it too without paddle).
        """
        yield from self.lcut(sentence, cut_all, HMM)

    def lcut_for_search(self, sentence: Any, HMM: bool = True) -> list[str]:
        """Words plus the in-dictionary 2- and 3-grams of longer words."""
        text = sentence if type(sentence) is str else strdecode(sentence)
        if not self._search_mode:
            self._check_mode("search")
        return self.engine.lcut(text, "search", HMM)

    def cut_for_search(self, sentence: Any, HMM: bool = True) -> Iterator[str]:
        yield from self.lcut_for_search(sentence, HMM)

    def tokenize(
        self, unicode_sentence: str, mode: str = "default", HMM: bool = True, pos: bool = False
    ) -> Iterator[Any]:
        """Yield ``(word, start, end)``; ``mode`` is ``"default"`` or
        ``"search"`` (any other value means search, as in jieba).

        With ``pos=True``, yield ``(word, flag, start, end)`` for the words
        and tags of :mod:`qieci.posseg` (whose segmentation may differ from
        ``cut``'s, as jieba's does).
        """
        if not isinstance(unicode_sentence, str):
            raise ValueError("qieci: the input parameter should be str")
        if type(unicode_sentence) is not str:  # a subclass, as its text
            unicode_sentence = str.__str__(unicode_sentence)
        if pos:
            tagger: Tagging = self.capability(Tagging, "tokenize(pos=True)")
            yield from tagger.pos_tokenize(unicode_sentence, mode, HMM, self.pos_tags())
            return
        if mode != "default" and not self._search_mode:
            self._check_mode("search")
        yield from self.engine.tokenize(
            unicode_sentence, "default" if mode == "default" else "search", HMM
        )

    def pos_tags(self) -> dict[str, str]:
        """The user tags the tagger uses: those given to ``add_word`` or a
        user dictionary, and those set on a ``qieci.posseg`` tagger's
        ``word_tag_tab`` over this tokenizer (one table, the latest tag of a
        word winning)."""
        return self.user_word_tag_tab

    def cutter(
        self, mode: str = "default", hmm: bool = True, pos_sep: str = "/"
    ) -> Callable[[str], list[str]]:
        """The list-returning cut function for ``mode``: "default", "all",
        "search", or "pos" (``word + pos_sep + tag`` tokens of
        :mod:`qieci.posseg`)."""
        if mode == "pos":
            tagger: Tagging = self.capability(Tagging, "POS tagging (--pos)")
            return lambda s: [
                p.word + pos_sep + p.flag
                for p in tagger.pos_lcut(
                    s if type(s) is str else strdecode(s), hmm, self.pos_tags()
                )
            ]
        self._check_mode(mode)
        engine = self.engine
        return lambda s: engine.lcut(s if type(s) is str else strdecode(s), mode, hmm)

    def _check_mode(self, mode: str) -> None:
        """ValueError for an unknown mode, Unsupported for one the engine
        does not offer."""
        if mode not in _MODES:
            raise ValueError(f"unknown mode {mode!r} (expected one of {', '.join(_MODES)})")
        if mode != "pos" and mode not in self.engine.modes:
            raise Unsupported(
                f"mode {mode!r} is not offered by the {self.engine.name!r} engine "
                f"(it offers {', '.join(sorted(self.engine.modes))})"
            )

    def cut_lines(
        self,
        text: str,
        delimiter: str = " ",
        mode: str = "default",
        HMM: bool = True,
        crlf_to_lf: bool = False,
        pos_sep: str = "/",
    ) -> str:
        """Segment every ``\\n``-terminated line of ``text`` and return the
        lines with their words joined by ``delimiter`` and their line ends
        kept (``\\r\\n`` written as ``\\n`` with ``crlf_to_lf``): the corpus
        format, produced without a Python object per word where the engine
        can."""
        if type(text) is not str:
            if not isinstance(text, str):
                raise TypeError(f"cut_lines takes a str, not {type(text).__name__}")
            text = str.__str__(text)
        if mode == "pos":
            cut = self.cutter(mode, HMM, pos_sep)
            # line by line: under the lock add_word takes, so that every line
            # sees one dictionary (the engine's lock comes after, as there)
            with self._lock:
                return join_lines(cut, text, delimiter, crlf_to_lf)
        self._check_mode(mode)
        return self.engine.cut_lines(text, delimiter, mode, HMM, crlf_to_lf)

    def cut_lines_utf8(
        self,
        data: bytes,
        delimiter: str = " ",
        mode: str = "default",
        HMM: bool = True,
        crlf_to_lf: bool = False,
    ) -> tuple[bytes, int, int] | None:
        """:meth:`cut_lines` of the UTF-8 ``data`` (whole lines) as UTF-8
        bytes, with the number of lines and of characters (without line
        ends): ``(output, lines, chars)``, where the engine can do it without
        decoding. None when it cannot (another mode, an engine without a
        byte path) or when ``data`` is not valid UTF-8: then decode and use
        :meth:`cut_lines`, which gives the same output."""
        if mode == "pos":
            return None
        self._check_mode(mode)
        fast = getattr(self.engine, "cut_lines_utf8", None)
        if fast is None:
            return None
        result: tuple[bytes, int, int] | None = fast(
            data, delimiter.encode("utf-8", "surrogatepass"), mode, HMM, crlf_to_lf
        )
        return result

    def safe_split(self, text: str, limit: int, mode: str = "default") -> int | None:
        """The last position in ``(0, limit]`` where ``text`` may be cut into
        two pieces that segment as the whole does (or nearly: see the
        engine's ``safe_split``); None when there is none."""
        return self.engine.safe_split(text, limit, "default" if mode == "pos" else mode)

    def cut_many(
        self,
        texts: Iterable[str],
        jobs: int | None = 1,
        *,
        cut_all: bool = False,
        HMM: bool = True,
        search: bool = False,
    ) -> Iterator[list[str]]:
        """``lcut`` (or ``lcut_for_search``) of every text, in order.

        With ``jobs`` > 1 (``None``: all cores), the work is spread over that
        many worker processes, each of which rebuilds this tokenizer once from
        :meth:`spec`. Results are identical to ``jobs=1``. Input is consumed
        lazily, with a bounded number of batches in flight. One text (a str
        or bytes) is a TypeError: pass ``[text]``, or use :meth:`lcut`.
        """
        from .io.workers import check_jobs, cut_many

        if isinstance(texts, (str, bytes, bytearray, memoryview)):
            raise TypeError(
                f"cut_many takes an iterable of texts, not one {type(texts).__name__} (it would "
                "cut each character as a text of its own): pass [text], or use lcut(text)"
            )
        jobs = check_jobs(jobs)
        mode = "search" if search else ("all" if cut_all else "default")
        return cut_many(self, texts, jobs=jobs, mode=mode, hmm=HMM)

    def cut_file(self, src: str, dst: str, jobs: int | None = None, **options: Any) -> Any:
        """Segment the text file ``src`` into ``dst`` with this tokenizer,
        over ``jobs`` worker processes (``None``: all cores), in bounded
        memory, as ``qieci cut`` does.

        ``options`` are those of :class:`qieci.io.stream.CutOptions` (``mode``,
        ``hmm``, ``delimiter``, ``encoding``, ``errors``, ``newline``,
        ``pos_sep``): another name is a TypeError naming the known ones
        (jieba's ``cut_all=True`` is ``mode="all"``). Returns the run's
        :class:`qieci.io.stream.Stats`.
        """
        from dataclasses import fields

        from .io.stream import CutOptions
        from .io.stream import cut_file as stream_cut_file

        known = [f.name for f in fields(CutOptions)]
        for name in options:
            if name not in known:
                hint = _CUT_FILE_NAMES.get(name)
                raise TypeError(
                    f"cut_file has no option {name!r}"
                    + (f" (say {hint})" if hint else "")
                    + f"; its options are {', '.join(known)}"
                )
        return stream_cut_file(self, src, dst, CutOptions(**options), jobs)

    # -- the recipe ------------------------------------------------------------

    def spec(self) -> TokenizerSpec:
        """A small picklable recipe that rebuilds this tokenizer (its
        engine's spec and the user words added so far): what worker
        processes get, once each, instead of a pickled tokenizer."""
        with self._lock:
            return TokenizerSpec(
                self.engine.spec(), tuple(self._edits), dict(self.user_word_tag_tab)
            )

    # -- user words and the dictionary -------------------------------------------

    @property
    def FREQ(self) -> FreqView:
        """jieba's ``FREQ``: a read-only view of the dictionary (made per
        access, so that the tokenizer holds no reference to itself and is
        freed as soon as the last reference to it goes)."""
        return FreqView(self)

    def dictionary_entries(self) -> list[tuple[str, int, str | None]]:
        """``(word, frequency, tag)`` of every word and prefix of the
        dictionary (an engine with a dictionary that can list itself: the
        jieba engine's), a snapshot."""
        d: Dictionary = self.capability(Dictionary, "FREQ (the dictionary)")
        entries = getattr(d, "entries", None)
        if entries is None:
            raise TypeError(
                f"the dictionary of engine {self.engine!r} cannot list its words (it has no "
                "entries()): look words up one by one (FREQ[word], get_FREQ)"
            )
        listed: list[tuple[str, int, str | None]] = entries()
        return listed

    def get_FREQ(self, word: str, default: Any = None) -> Any:
        d: Dictionary = self.capability(Dictionary, "FREQ (the dictionary)")
        f = d.freq(word) if isinstance(word, str) else -1
        return default if f < 0 else f

    @property
    def total(self) -> int:
        """Sum of all frequencies added, as jieba's ``total``."""
        d: Dictionary = self.capability(Dictionary, "total (the dictionary's frequency sum)")
        return d.total()

    def add_word(self, word: Any, freq: Any = None, tag: str | None = None) -> None:
        """Add ``word`` (or change its frequency). Without ``freq``, the
        engine chooses one that makes the word come out whole (jieba engine:
        :meth:`suggest_freq`); ``freq`` 0 removes it."""
        word, f, tag = _checked_word(word, freq, tag)
        with self._lock:
            tags = self.user_word_tag_tab
            had, before = word in tags, tags.get(word)
            if tag:  # before the word: a reader that sees the word sees its tag
                tags[word] = tag
            try:
                resolved = self.engine.add_word(word, f, tag or None)
            except BaseException:
                if tag:  # the word did not go in: nor does its tag
                    if had:
                        tags[word] = str(before)
                    else:
                        del tags[word]
                raise
            self._edits.append((word, resolved, tag or None))

    def del_word(self, word: Any) -> None:
        """Delete ``word``: it keeps frequency 0 and the HMM never emits it."""
        self.add_word(word, 0)

    def suggest_freq(self, segment: Any, tune: bool = False) -> int:
        """The frequency that makes ``segment`` (a str, or bytes decoded as
        jieba decodes them) come out whole, or that splits a word into
        ``segment`` (a tuple of str); with ``tune``, also set it. Same
        arithmetic as jieba. An engine without a dictionary has no
        frequencies: with ``tune``, a str becomes a user word, and the result
        is 1; a tuple (a split) is :class:`Unsupported` there. Anything else
        is a TypeError, whatever the engine."""
        seg = _segment(segment)
        if not isinstance(self.engine, Dictionary):
            if isinstance(seg, tuple):
                self.capability(
                    Dictionary, "suggest_freq of a tuple (splitting a word into those pieces)"
                )
            if tune:
                self.add_word(seg)
            return 1
        with self._lock:
            result = self.engine.suggest_freq(seg)
            if tune:
                self.add_word(seg if isinstance(seg, str) else "".join(seg), result)
            return result

    def load_userdict(
        self, f: PathArg | bytes | IO[bytes] | IO[str] | Iterable[Any], strict: bool = False
    ) -> None:
        """Add the words of a user dictionary: one ``word [freq] [tag]`` per
        line, UTF-8. ``f`` is a path (str, bytes or path-like) or a file
        object (text or binary; any iterable of lines). A word may contain
        spaces (``Color OS 10 nz``). The TSV of ``qieci discover`` (first
        line ``word<TAB>freq<TAB>score``) loads as its words, each with the
        frequency that keeps it whole; a line of it without a tab is an
        ordinary ``word [freq] [tag]`` line. A byte-order mark at the start
        of a line is dropped.

        A line that looks like a mistake is read as jieba reads it (its
        whole front becomes the word) with a :class:`UserDictWarning`
        naming file and line: a word with a space that holds a field like a
        number (``负数 -3``, ``词 3 n extra``), a tab- or comma-separated
        line (``石墨烯<TAB>5``, ``石墨烯,5,n``), or a word with a byte-order
        mark (U+FEFF) inside. With ``strict``, such a line is a ValueError
        instead.

        All or nothing: every line is read and checked (as :meth:`add_word`
        checks a word, frequency and tag; with a dictionary, that the total
        frequency stays within 2**63-1) before the first word is added, so
        a ValueError leaves the tokenizer as it was. The words are then
        added in the file's order, as jieba adds them.
        """
        if isinstance(f, (bytes, str, PathLike)):
            name = os.fsdecode(os.fspath(f))
            data = binfile.read_regular(name, "user dictionary")
            lines: Iterable[Any] = data.splitlines()
        elif isinstance(f, Iterable) and not isinstance(f, (bytearray, memoryview)):
            name = str(getattr(f, "name", repr(f)))
            lines = f
        else:
            raise TypeError(
                "load_userdict expected a path or a file object (an iterable of lines), "
                f"not {type(f).__name__}"
            )
        entries, notes = _parse_userdict(lines, name, strict)
        with self._lock:  # (no add_word between the check of the total and the last word)
            self._check_total(entries, name)
            for msg in notes:
                warnings.warn(msg, UserDictWarning, stacklevel=2)
            for lineno, word, freq, tag in entries:
                try:
                    self.add_word(word, freq, tag)
                except ValueError as exc:  # (checked above: an engine of its own rules)
                    raise ValueError(f"{name}:{lineno}: {exc}") from None

    def _check_total(self, entries: list[_Entry], name: str) -> None:
        """ValueError, naming the line, when adding ``entries`` in order would
        take the dictionary's total frequency past 2**63-1 (the one check of
        the jieba engine's ``add_word`` that depends on the words before).

        Every frequency is at most the total, and a suggested frequency
        (a line without one) at most the largest frequency plus one (and the
        rounding of its floating point); when that bound stays in range,
        nothing can fail. Otherwise (frequencies
        near 2**63) the words go first into a copy of this tokenizer,
        rebuilt from its spec, which fails where this one would."""
        if not entries or not isinstance(self.engine, Dictionary):
            return
        total = largest = self.engine.total()
        for _, word, freq, _ in entries:
            # (with a margin for the rounding of suggest_freq's floating point:
            # one product per piece of the word, and the last one)
            f = largest + ((largest >> 50) + 1) * (len(word) + 2) if freq is None else freq
            total += f
            largest = max(largest, f)
        if total <= _MAX_FREQ:
            return
        trial = self.spec().build()
        for lineno, word, freq, tag in entries:
            try:
                trial.add_word(word, freq, tag)
            except ValueError as exc:
                raise ValueError(f"{name}:{lineno}: {exc}") from None

    # -- what only some engines offer ----------------------------------------------

    @property
    def standard(self) -> str:
        """The segmentation standard in use (learned engine)."""
        s: Standards = self.capability(Standards, "standard")
        return s.standard()

    def standards(self) -> tuple[str, ...]:
        """The standards of the engine's model (learned engine)."""
        s: Standards = self.capability(Standards, "standards()")
        return s.standards()

    def training_vocab(self) -> list[str]:
        """The training words of the current standard (learned engine)."""
        s: Standards = self.capability(Standards, "training_vocab()")
        return s.training_vocab()


#: Arguments of jieba's functions (and of Tokenizer.cut_many) that are a
#: cut_file option of another name.
_CUT_FILE_NAMES = MappingProxyType(
    {
        "cut_all": "mode='all' for cut_all=True",
        "HMM": "hmm=False for HMM=False",
        "search": "mode='search' for search=True",
    }
)


@dataclass(frozen=True)
class TokenizerSpec:
    """How to rebuild a Tokenizer: its engine's spec and the user words
    added to it. Picklable and small (no dictionary or model data)."""

    engine: EngineSpec = EngineSpec("jieba")
    edits: tuple[tuple[str, int, str | None], ...] = ()
    user_tags: dict[str, str] | None = None

    def build(self) -> Tokenizer:
        tok = Tokenizer(engine=engines.build(self.engine))
        for word, freq, tag in self.edits:
            tok.add_word(word, freq, tag)
        if self.user_tags:
            tok.user_word_tag_tab.update(self.user_tags)
        return tok


def _claim(engine: Engine, tok: Tokenizer) -> None:
    """Make ``tok`` the one owner of ``engine``: the user words of a tokenizer
    live in its engine, so two tokenizers on one engine would share them
    without either's spec knowing."""
    import weakref

    try:
        owner = engine.__dict__.get("_qieci_owner")
    except AttributeError:  # no __dict__: cannot be marked, nor checked
        return
    if owner is not None and owner() is not None:
        # an owner kept alive only by a reference cycle (a tokenizer and its
        # cached POS tagger, say) is garbage the collector has not reached
        # yet: collect before saying the engine is taken
        import gc

        gc.collect()
    if owner is not None and owner() is not None:
        raise ValueError(
            f"{engine!r} already belongs to another Tokenizer; give each Tokenizer its own "
            "engine (Tokenizer(engine=NAME) makes one)"
        )
    engine.__dict__["_qieci_owner"] = weakref.ref(tok)


def _rebuild(spec: TokenizerSpec) -> Tokenizer:
    """A tokenizer from its pickled recipe."""
    return spec.build()


def _module_tokenizer(module: str, name: str, spec: TokenizerSpec) -> Tokenizer:
    """The receiver's ``module.name`` as the sender's was (``spec``): itself
    when it is the same; given the sender's user words when it is still as
    it was built (no words of its own, the same engine: a fresh worker
    process); else, when it has gone another way, a tokenizer of its own
    built from ``spec`` (the receiver's default is left as it is)."""
    tok = _module_attribute(module, name)
    with tok._lock:
        if tok.spec() == spec:
            return tok
        if not tok._edits and not tok.user_word_tag_tab and tok.engine.spec() == spec.engine:
            for word, freq, tag in spec.edits:
                tok.add_word(word, freq, tag)
            tok.user_word_tag_tab.update(spec.user_tags or {})
            return tok
    return spec.build()


def _module_attribute(module: str, name: str) -> Tokenizer:
    """``module.name``: a module-level tokenizer, imported by name in the
    process that unpickles it."""
    import importlib

    tok = getattr(importlib.import_module(module), name)
    if not isinstance(tok, Tokenizer):
        raise TypeError(f"{module}.{name} is not a qieci Tokenizer")
    return tok
