"""The contract between :class:`qieci.Tokenizer` and its engines.

An *engine* turns a ``str`` into words. :class:`Engine` is all a tokenizer
needs from one:

* ``tokenize(text, mode, hmm)``: the ``(word, start, end)`` spans of ``text``
  in one of the engine's ``modes`` ("default", "all", "search"). In
  "default" mode the spans tile the text: the words joined are the text;
* ``lcut`` and ``cut_lines``: the same words without offsets, and the corpus
  format of many lines; :class:`EngineBase` derives both from ``tokenize``,
  and fast engines override them;
* ``add_word(word, freq, tag)``: take one user word (``freq`` 0 removes it),
  returning the frequency it resolved (the recipe that rebuilds it);
* ``spec()``: an :class:`EngineSpec`, a small picklable recipe that rebuilds
  an equal engine (in a worker process, on a Dask worker);
* ``safe_split(text, limit, mode)``: the last position in ``(0, limit]``
  where a long line may be cut into two pieces that segment as the whole
  does, or None (see :mod:`qieci.io.stream`). A dictionary engine's cut is
  exact; a model whose features read the context across the cut (the
  learned engine's) gives the best place it has, where the words next to
  the cut may still differ, and its docstring says so.

An engine receives ``str`` only (the tokenizer decodes bytes), is loaded on
first use or by ``load()``, and is safe to share between threads: a cut sees
the engine before or after an ``add_word``, never half of one.

What only some engines offer is a *capability*, a protocol of its own:
:class:`Dictionary` (jieba's frequencies), :class:`Tagging` (part-of-speech
tags) and :class:`Standards` (a learned model's standards). The tokenizer
checks for it and raises :class:`Unsupported` when its engine lacks it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

#: ``(word, start, end)``: a word and its character offsets in the text.
Span = tuple[str, int, int]
#: The cut modes an engine may support.
MODES = ("default", "all", "search")


class Unsupported(ValueError):
    """A method or mode that this tokenizer's engine does not offer."""


@dataclass(frozen=True)
class EngineSpec:
    """How to rebuild an engine: the engine's registered name (or a
    ``"module:Class"`` path) and its constructor options. No dictionary or
    model data travels with it (the one exception: a learned engine's
    in-memory domain, which pickles as its file's bytes)."""

    name: str
    options: tuple[tuple[str, Any], ...] = ()

    def build(self, registry: Mapping[str, str]) -> Engine:
        """A fresh engine from this recipe (``registry``: name -> path)."""
        return create_engine(self.name, dict(self.options), registry)


@runtime_checkable
class Engine(Protocol):
    """What a :class:`qieci.Tokenizer` needs from an engine (see the module)."""

    name: ClassVar[str]
    modes: ClassVar[frozenset[str]]

    def load(self) -> None: ...

    def tokenize(self, text: str, mode: str, hmm: bool) -> list[Span]: ...

    def lcut(self, text: str, mode: str, hmm: bool) -> list[str]: ...

    def cut_lines(
        self, text: str, delimiter: str, mode: str, hmm: bool, crlf_to_lf: bool
    ) -> str: ...

    def add_word(self, word: str, freq: int | None, tag: str | None) -> int: ...

    def spec(self) -> EngineSpec: ...

    def safe_split(self, text: str, limit: int, mode: str) -> int | None: ...


@runtime_checkable
class Dictionary(Protocol):
    """Capability: a word -> frequency dictionary (jieba's ``FREQ``)."""

    def freq(self, word: str) -> int:
        """The frequency of ``word``; 0 for a prefix that is no word, -1 for
        neither."""
        ...

    def total(self) -> int: ...

    def size(self) -> int: ...

    def suggest_freq(self, segment: str | tuple[str, ...]) -> int: ...

    def set_dictionary(self, path: str) -> None: ...


@runtime_checkable
class Tagging(Protocol):
    """Capability: part-of-speech tags (jieba's ``posseg``). ``user_tags``
    are the tags of user words, which win over the engine's own; ``model``
    is a tagger model of the engine's (None: its bundled one)."""

    def pos_lcut(
        self, text: str, hmm: bool, user_tags: Mapping[str, str], model: Any = None
    ) -> list[Any]: ...

    def pos_tokenize(
        self, text: str, mode: str, hmm: bool, user_tags: Mapping[str, str], model: Any = None
    ) -> list[tuple[str, str, int, int]]: ...

    def word_tag(self, word: str) -> str | None: ...


@runtime_checkable
class Standards(Protocol):
    """Capability: several segmentation standards (a learned model's)."""

    def standard(self) -> str: ...

    def standards(self) -> tuple[str, ...]: ...

    def training_vocab(self) -> list[str]: ...


class EngineBase:
    """Defaults for an engine that implements ``tokenize`` (and ``add_word``,
    ``spec``): ``lcut`` and ``cut_lines`` from the spans, and no safe split
    point inside a long line."""

    name: ClassVar[str] = ""
    modes: ClassVar[frozenset[str]] = frozenset(MODES)
    #: The constructor options a spec may carry (``Tokenizer(dictionary=,
    #: standard=, model=)`` and the CLI pass only these).
    options: ClassVar[tuple[str, ...]] = ()

    def load(self) -> None:
        """Load the engine's data now (otherwise it loads on first use)."""

    def tokenize(self, text: str, mode: str, hmm: bool) -> list[Span]:
        raise NotImplementedError

    def lcut(self, text: str, mode: str, hmm: bool) -> list[str]:
        return [w for w, _, _ in self.tokenize(text, mode, hmm)]

    def cut_lines(self, text: str, delimiter: str, mode: str, hmm: bool, crlf_to_lf: bool) -> str:
        return join_lines(lambda s: self.lcut(s, mode, hmm), text, delimiter, crlf_to_lf)

    def cut_lines_utf8(
        self, data: bytes, delimiter: bytes, mode: str, hmm: bool, crlf_to_lf: bool
    ) -> tuple[bytes, int, int] | None:
        """An optional fast path of :meth:`cut_lines` on UTF-8 bytes:
        ``(output bytes, lines, chars)``, or None when the engine has none
        for this call or ``data`` is not valid UTF-8 (the caller then
        decodes and calls :meth:`cut_lines`)."""
        return None

    def safe_split(self, text: str, limit: int, mode: str) -> int | None:
        return None


def join_lines(
    cut: Callable[[str], list[str]], text: str, delimiter: str, crlf_to_lf: bool = False
) -> str:
    """Every ``\\n``-terminated line of ``text`` cut by ``cut``, its words
    joined by ``delimiter``, its line end kept (``\\r\\n`` as ``\\n`` with
    ``crlf_to_lf``): the reference of every engine's ``cut_lines``."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        term = "" if last else "\n"
        if not last and line.endswith("\r"):
            line, term = line[:-1], ("\n" if crlf_to_lf else "\r\n")
        out.append(delimiter.join(cut(line)) + term)
    return "".join(out)


def last_safe_split(text: str, limit: int, is_safe: Callable[[int], bool]) -> int | None:
    """The last position ``p`` in ``(0, limit]`` (and in the text) where
    ``is_safe(p)``, or None."""
    for p in range(min(limit, len(text)), 0, -1):
        if is_safe(p):
            return p
    return None


def search_grams(words: Iterable[str], contains: Callable[[str], bool]) -> list[Span]:
    """Search mode over whole words: before each word longer than two
    characters, its 2-grams, and before each longer than three, its 3-grams,
    that ``contains`` accepts (jieba's ``cut_for_search``)."""
    out: list[Span] = []
    pos = 0
    for word in words:
        n = len(word)
        for size in (2, 3):
            if n > size:
                for i in range(n - size + 1):
                    gram = word[i : i + size]
                    if contains(gram):
                        out.append((gram, pos + i, pos + i + size))
        out.append((word, pos, pos + n))
        pos += n
    return out


def create_engine(name: str, options: Mapping[str, Any], registry: Mapping[str, str]) -> Engine:
    """The engine ``name`` (a key of ``registry``, or ``"module:Class"``)
    built with ``options``; ValueError for an unknown engine or an option it
    does not take."""
    path = registry.get(name, name if ":" in name else None)
    if path is None:
        known = ", ".join(repr(k) for k in registry)
        raise ValueError(f"unknown engine {name!r} (expected one of {known})")
    try:
        cls = engine_class(path)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"engine {name!r}: cannot import {path} ({exc})") from None
    accepted = getattr(cls, "options", ())
    for key in options:
        if key not in accepted:
            takers = ", ".join(
                f"engine={n!r}"
                for n, cls_ in _classes(registry)
                if key in getattr(cls_, "options", ())
            )
            if takers:
                hint = f" ({key}= needs {takers})"
            elif ":" in name and name not in registry:
                # an engine of the user's own, whose spec() gives an option
                # its class does not declare
                hint = (
                    f" (an engine's spec() options must be named in its class's "
                    f"options: declare options = ({key!r},) in {path})"
                )
            else:
                hint = ""
            raise ValueError(f"engine {name!r} takes no {key}= option{hint}")
    try:
        engine = cls(**options)
    except TypeError as exc:
        raise ValueError(f"engine {name!r}: {path} cannot be built ({exc})") from None
    if not isinstance(engine, Engine):
        raise ValueError(
            f"engine {name!r}: {path} is not a qieci engine (it lacks a method of "
            "qieci.engines.base.Engine; subclass EngineBase)"
        )
    return engine


def engine_class(path: str) -> Any:
    """The class at ``"module:Class"`` (ImportError or AttributeError)."""
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def _classes(registry: Mapping[str, str]) -> list[tuple[str, Any]]:
    """The registered engines that import, with their classes."""
    out = []
    for name, path in registry.items():
        try:
            out.append((name, engine_class(path)))
        except (ImportError, AttributeError):
            continue
    return out


def offering(registry: Mapping[str, str], kind: type) -> list[str]:
    """The registered engines whose class has every method of the
    capability protocol ``kind`` (for error messages: this imports them)."""
    methods = [m for m in vars(kind) if not m.startswith("_")]
    return [
        n for n, cls in _classes(registry) if all(callable(getattr(cls, m, None)) for m in methods)
    ]
