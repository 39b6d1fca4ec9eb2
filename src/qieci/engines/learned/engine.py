"""The learned engine: a trained B/M/E/S character tagger.

:class:`LearnedEngine` is the engine of ``qieci.Tokenizer(engine="learned",
...)``. It loads a model (:mod:`qieci.engines.learned.model`; the bundled one
by default), picks one segmentation standard, and decodes with the compiled
kernel :mod:`qieci.engines.learned._learned`.

* ``cut``/``lcut`` give the model's words (lossless: joined they are the
  input). ``cut_all`` has no meaning for a tagger and gives the same words.
* search mode (``cut_for_search``, ``tokenize(mode="search")``) adds, before
  each word longer than two characters, its 2-grams and (for words longer
  than three) its 3-grams that are in the model's lexicon (jieba's
  dictionary), as jieba's search mode does.
* user words (``add_word``, ``load_userdict``) are honoured by constrained
  decoding: each leftmost-longest occurrence of a user word in the text is
  forced to be one word (B M... E tags, and boundaries on both sides). A
  word that contains whitespace (always a word of its own) cannot be one
  word: each of its pieces between the spaces is forced whole instead
  (``Color OS`` gives ``Color``, `` ``, ``OS``), and the other user words
  of the text hold as ever.
  ``del_word`` removes a user word (it does not forbid model words).
* atoms (:mod:`qieci.atoms`: numbers, dates, versions, URLs, e-mail and IP
  addresses, Latin words) are never cut inside, in every standard: each
  lies inside one word (which may also hold its neighbours). A user word
  overlapping an atom wins over it.
"""

from __future__ import annotations

import os
import re
import threading
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from os import PathLike
from typing import ClassVar

import numpy as np

from ...atoms import atom_spans, atom_spans_by_line
from ..base import EngineBase, EngineSpec, Span, join_lines, last_safe_split, search_grams
from ._learned import Decoder, Lexicon, trim_heap
from .domain import DomainStats, check_file
from .domain import load as load_domain
from .model import (
    Meta,
    fold_weights,
    inflate_weights,
    parse_meta,
    parse_text,
    parse_trans,
    parse_vocab,
    read_meta,
    read_sections,
    standard_trans,
)
from .userwords import RegexMatcher, SetMatcher, matcher

#: The standard used when none is given: among the standards trained on
#: 500k+ characters of several genres (cnc, ctb, sxu, weibo), the one closest
#: to jieba's word granularity: with jieba's words of all dev text as the
#: reference, cnc's words score the highest F1 (bench/granularity.py; README,
#: "Default standard"). Every standard keeps non-Han tokens whole (atoms).
DEFAULT_STANDARD = "cnc"

#: Sentence-final characters: long lines are split into pieces only right
#: after one of these (see :meth:`LearnedEngine.safe_split`).
SENTENCE_END = frozenset("。！？!?；;…\n")


class _Loaded:
    """A model bound to one standard: its decoder and lexicon (the weight
    table folded for that standard; nothing else of the model is kept but
    the compressed vocabulary)."""

    __slots__ = ("standard", "standards", "decoder", "lexicon", "_vocab", "source")

    def __init__(
        self,
        model_path: str | None,
        standard: str | None,
        domain: DomainStats | None = None,
        read: _Read | None = None,
    ) -> None:
        if read is None:
            sec, source = read_sections(model_path)
            meta = parse_meta(sec, source)
        else:  # the sections are the read's: this binding deletes only from its copy
            sec, source, meta = dict(read.sec), read.source, read.meta
        std = standard or default_standard(meta.standards)
        index = meta.standard_index(std, source)
        parent = meta.parent_index(std)
        trans = parse_trans(sec, meta, source)
        if read is None:
            lexicon = Lexicon(text=parse_text(sec, "lexicon", source))
            own = parse_vocab(sec, source, "stdlex").get(std)
        else:  # (a Lexicon is read-only once built: the engines share it)
            lexicon, own = read.lexicon, read.std_lexicons.get(std)
        extra = domain.words_for(std) if domain is not None else []
        if domain is not None and not (
            (meta.reads_domain_words and extra) or (meta.reads_domains and domain.keys.size)
        ):
            raise ValueError(_unread_domain(source, meta, domain, std))
        if extra and meta.reads_domain_words:
            own = "\n".join([own, *extra]) if own else "\n".join(extra)
        std_lexicon = Lexicon(text=own) if own else None
        del sec["lexicon"], sec["stdlex"], own, extra
        trim_heap()  # the word texts are gone: lower the peak before the table
        self.decoder = Decoder(
            None,
            standard_trans(trans, index, parent),
            lexicon,
            meta.bits,
            index,
            std_lexicon,
            meta.templates,
            parent,
        )
        if domain is not None and meta.reads_domains:
            self.decoder.domain = domain.table()
        if read is None:
            fold_weights(sec, meta, index, source, self.decoder.fold_in)
        else:
            self.decoder.fold_in(read.weights, 0)
        del sec["weights"]
        trim_heap()
        self.lexicon = lexicon
        self.standard = std
        self.standards = tuple(meta.standards)
        self._vocab = {"vocab": sec["vocab"]}  # compressed until asked for
        self.source = source

    def vocab(self) -> list[str]:
        """The training words of this standard."""
        text = parse_vocab(self._vocab, self.source).get(self.standard, "")
        return text.split("\n") if text else []


class _Read:
    """A model file read once: its checked sections and meta, its whole
    weight table inflated (from which :class:`_Loaded` folds a standard's
    table in memory), its shared lexicon and the standards' own word lists
    (see :func:`engines_by_standard`)."""

    __slots__ = ("sec", "source", "meta", "weights", "lexicon", "std_lexicons")

    def __init__(self, model_path: str | None) -> None:
        self.sec, self.source = read_sections(model_path)
        self.meta = parse_meta(self.sec, self.source)
        self.weights: np.ndarray = inflate_weights(self.sec, self.meta, self.source, False)
        self.lexicon = Lexicon(text=parse_text(self.sec, "lexicon", self.source))
        self.std_lexicons = parse_vocab(self.sec, self.source, "stdlex")


def engines_by_standard(
    standards: Sequence[str], model: str | PathLike[str] | None = None
) -> Iterator[LearnedEngine]:
    """A loaded :class:`LearnedEngine` for each of ``standards``, in order,
    all from one read of the model file (None: the bundled model), as
    ``LearnedEngine(standard=s, model=model)`` would load each.

    Loading a standard by itself inflates the whole weight table again;
    here the model is read once: its stored sections, its inflated weight
    table (``2**bits * 8`` bytes) and its word lists are held until the last
    engine is made (then released, before it is handed out), and the table
    is folded for each standard in turn (one standard loads by itself, the
    table folded as it is inflated). Each engine is made when asked for:
    drop it before asking for the next one, and only one folded table is in
    memory. Every standard is checked first: an unknown one raises
    ValueError before any engine is made."""
    path = resolve_model_path(model)
    if len(standards) <= 1:
        for s in standards:
            engine = LearnedEngine(standard=s, model=path)
            engine.load()
            yield engine
        return
    read = _Read(path)
    for s in standards:
        read.meta.standard_index(s, read.source)
    last = len(standards) - 1
    for k, s in enumerate(standards):
        engine = LearnedEngine(standard=s, model=path)
        engine._loaded = _Loaded(path, s, read=read)
        if k == last:
            del read  # the model's memory goes before the last engine is used
        yield engine


def default_standard(standards: list[str] | tuple[str, ...]) -> str:
    """The standard used when none is named: :data:`DEFAULT_STANDARD`, or
    the model's first when it lacks that one."""
    return DEFAULT_STANDARD if DEFAULT_STANDARD in standards else standards[0]


def model_standards(model: str | PathLike[str] | None) -> tuple[tuple[str, ...], str]:
    """The standards of ``model`` (None: the bundled model) and its default
    one, from its header and metadata alone (:func:`read_meta`; the rest
    of the file is checked when it loads)."""
    standards = tuple(read_meta(resolve_model_path(model))[0].standards)
    return standards, default_standard(standards)


def _unread_domain(source: str, meta: Meta, domain: DomainStats, standard: str) -> str:
    """Why ``domain`` would change nothing with this model and standard."""
    if not any(domain.words.values()) and not domain.keys.size:
        return (
            f"the domain is empty (no words and no n-gram statistics, from {domain.chars} "
            "characters: too little text to learn from): adapt on more text of the domain, "
            "or cut without --domain"
        )
    if meta.reads_domain_words or meta.reads_domains:
        have = ", ".join(sorted(k for k, v in domain.words.items() if v and k != "*"))
        reads = [
            *(["words"] if meta.reads_domain_words else []),
            *(["n-gram statistics"] if meta.reads_domains else []),
        ]
        return (
            f"{source}: the domain has none of what this model reads of a domain "
            f"({' or '.join(reads)}) for standard {standard!r} (it has words for: "
            f"{have or 'no standard'}; {domain.keys.size} grams): make the domain with "
            f"qieci adapt --standard {standard}"
        )
    return (
        f"{source}: this model reads neither a domain's words (it was trained without "
        "standard lexicons in held-out folds) nor its statistics (train with "
        "--domain-folds 2), so a domain changes nothing: see tools/train_learned_model.sh"
    )


class LearnedEngine(EngineBase):
    """The learned engine. ``model``: a model file (None: the bundled
    model); ``standard``: one of the model's standards (None:
    :data:`DEFAULT_STANDARD`, or the model's first standard when it lacks
    that one); ``atoms``: keep non-Han tokens whole (:mod:`qieci.atoms`);
    ``domain``: a domain file of ``qieci adapt``, or a
    :class:`~qieci.engines.learned.domain.DomainStats` (see
    :func:`qieci.discover.adapt`): its words join the standard's lexicon
    and, for a model trained to read them, its statistics are features.
    The model loads on first use or by :meth:`load`; an unknown standard,
    a file that is not a model or domain file, or a missing one raises
    ValueError at construction (from the files' headers), damage further
    in a file when it loads.

    Capability: :class:`~qieci.engines.base.Standards`.
    """

    name: ClassVar[str] = "learned"
    options: ClassVar[tuple[str, ...]] = ("standard", "model", "atoms", "domain")

    def __init__(
        self,
        standard: str | None = None,
        model: str | PathLike[str] | None = None,
        atoms: bool = True,
        domain: str | PathLike[str] | DomainStats | None = None,
    ) -> None:
        self.requested_standard = standard
        self.model = resolve_model_path(model)
        self.atoms = bool(atoms)
        self.domain: str | DomainStats | None = (
            domain if isinstance(domain, DomainStats) else resolve_model_path(domain)
        )
        # the model's header, the standard's name and the domain file's
        # header are checked now (about 0.1 ms: the rest of each file is
        # read and checked when the model loads, on first use), so that a
        # mistake is the constructor's error, not the first cut's
        meta, source = read_meta(self.model)
        if standard is not None:
            meta.standard_index(standard, source)
        if isinstance(self.domain, str):
            check_file(self.domain)
        self._lock = threading.RLock()
        self._loaded: _Loaded | None = None
        self._user_words: dict[str, int] = {}
        # the pattern of the user words, compiled on the first cut after a
        # change (so that loading many words is linear, not quadratic)
        self._user_re: RegexMatcher | SetMatcher | None = None
        self._user_dirty = False

    def __repr__(self) -> str:
        # the requested standard until the model is loaded: repr never loads
        std = self._loaded.standard if self._loaded is not None else self.requested_standard
        extra = "" if self.atoms else ", atoms=False"
        if self.domain is not None:
            extra += f", domain={self.domain!r}"
        return f"LearnedEngine(standard={std!r}, model={self.model!r}{extra})"

    def spec(self) -> EngineSpec:
        # the standard as resolved if loaded, else as requested (None: the
        # same default from the same model): making a spec never loads
        std = self._loaded.standard if self._loaded is not None else self.requested_standard
        options: tuple[tuple[str, object], ...] = (("standard", std),) if std else ()
        if self.model is not None:
            options += (("model", self.model),)
        if not self.atoms:
            options += (("atoms", False),)
        if self.domain is not None:
            options += (("domain", self.domain),)
        return EngineSpec(self.name, options)

    # -- loading ---------------------------------------------------------------

    def load(self) -> None:
        self._ready()

    def loaded(self) -> bool:
        """Whether the model has loaded."""
        return self._loaded is not None

    def _ready(self) -> _Loaded:
        loaded = self._loaded
        if loaded is None:
            with self._lock:
                loaded = self._loaded
                if loaded is None:
                    domain = self.domain
                    if domain is not None and not isinstance(domain, DomainStats):
                        domain = load_domain(domain)
                    loaded = _Loaded(self.model, self.requested_standard, domain)
                    self._loaded = loaded
        return loaded

    def standard(self) -> str:
        """The standard in use (loading the model to resolve the default)."""
        return self._ready().standard

    def standards(self) -> tuple[str, ...]:
        """The standards of the loaded model."""
        return self._ready().standards

    def training_vocab(self) -> list[str]:
        """The training words of the current standard (the OOV reference)."""
        return self._ready().vocab()

    # -- segmentation ----------------------------------------------------------

    def _pattern(self) -> RegexMatcher | SetMatcher | None:
        if self._user_dirty:
            with self._lock:
                if self._user_dirty:
                    self._user_re = matcher(self._user_words)
                    self._user_dirty = False
        return self._user_re

    def _forced(self, text: str, rx: RegexMatcher | SetMatcher | None) -> bytes | None:
        """The tag mask of ``text`` (one byte per char, bit t allowing tag
        t; B=1 M=2 E=4 S=8): the user words of ``rx`` forced whole, atoms
        kept inside one word; None when nothing constrains the text."""
        users = _without_spaces(text, rx.spans(text)) if rx is not None else []
        atoms = atom_spans(text) if self.atoms else []
        if not users and not atoms:
            return None
        if users and atoms:
            users = _not_cutting(users, atoms)
        n = len(text)
        mask = bytearray(b"\x0f" * n)
        for s, e in users:
            if e - s == 1:
                mask[s] = 8
            else:
                mask[s] = 1
                mask[s + 1 : e - 1] = b"\x02" * (e - s - 2)
                mask[e - 1] = 4
            if s > 0:
                mask[s - 1] &= 12
            if e < n:
                mask[e] &= 9
        u = 0
        for s, e in atoms:
            while u < len(users) and users[u][1] <= s:
                u += 1
            if u < len(users) and users[u][0] < e:
                continue  # overlaps a user word, which wins
            # an atom's inner chars are free before this (a user word's
            # edges touch only the chars next to it): M only
            mask[s] &= 3
            mask[s + 1 : e - 1] = b"\x02" * (e - s - 2)
            mask[e - 1] &= 6
        return bytes(mask)

    def _words(self, text: str, rx: RegexMatcher | SetMatcher | None) -> list[str]:
        """The model's words of ``text`` with the user words of ``rx`` (one
        snapshot of the matcher per call: a concurrent add_word is in all
        of a call's lines or in none)."""
        dec = (self._loaded or self._ready()).decoder
        forced = self._forced(text, rx)
        if forced is None:
            return dec.lcut(text)
        return dec.lcut(text, forced)

    def lcut(self, text: str, mode: str, hmm: bool) -> list[str]:
        """The model's words ("default" and "all" alike: a tagger has no
        full mode; ``hmm`` is ignored), or in "search" mode with the
        lexicon's 2- and 3-grams of longer words."""
        return self._lcut(text, mode, self._pattern())

    def _lcut(self, text: str, mode: str, rx: RegexMatcher | SetMatcher | None) -> list[str]:
        if mode == "search":
            return [w for w, _, _ in self._tokenize(text, mode, rx)]
        return self._words(text, rx)

    def tokenize(self, text: str, mode: str, hmm: bool) -> list[Span]:
        return self._tokenize(text, mode, self._pattern())

    def _tokenize(self, text: str, mode: str, rx: RegexMatcher | SetMatcher | None) -> list[Span]:
        words = self._words(text, rx)
        if mode == "search":
            lex = self._ready().lexicon
            return search_grams(words, lex.__contains__)
        out: list[Span] = []
        pos = 0
        for w in words:
            out.append((w, pos, pos + len(w)))
            pos += len(w)
        return out

    def cut_lines(self, text: str, delimiter: str, mode: str, hmm: bool, crlf_to_lf: bool) -> str:
        rx = self._pattern()
        if mode != "search" and rx is None:
            # no user words: the kernel cuts every line, each with the
            # constraints of its atoms (found for all lines in one pass)
            atoms = atom_spans_by_line(text) if self.atoms else None
            return self._ready().decoder.cut_lines(text, delimiter, crlf_to_lf, atoms)
        return join_lines(lambda s: self._lcut(s, mode, rx), text, delimiter, crlf_to_lf)

    def safe_split(self, text: str, limit: int, mode: str) -> int | None:
        """The model's features look two characters to each side, so no
        position is strictly safe: a cut is made right after sentence-final
        punctuation (:data:`SENTENCE_END`), where the model practically
        always ends a word anyway, never next to a user word's characters,
        and never inside an atom. Words within two characters of such a cut may differ
        from cutting the whole line."""
        avoid = frozenset("".join(self._user_words))
        # positions inside an atom (a URL may hold "?" or "!") are never cut
        inside: set[int] = set()
        if self.atoms:
            for s, e in atom_spans(text[: limit + 4096]):
                if s < limit:
                    inside.update(range(s + 1, e))

        def is_safe(p: int) -> bool:
            if p >= len(text):
                return True
            left, right = text[p - 1], text[p]
            return (
                left in SENTENCE_END
                and left not in avoid
                and right not in avoid
                and p not in inside
            )

        return last_safe_split(text, limit, is_safe)

    # -- user words --------------------------------------------------------------

    def add_word(self, word: str, freq: int | None, tag: str | None) -> int:
        """Make ``word`` a user word, forced whole (frequencies mean nothing
        to the model: None is 1); ``freq`` 0 removes it."""
        f = 1 if freq is None else freq
        with self._lock:
            if f == 0:
                self._user_words.pop(word, None)
            else:
                self._user_words[word] = f
            self._user_dirty = True
        return f


def resolve_model_path(model: str | PathLike[str] | None) -> str | None:
    """An absolute model path, or None for the bundled model."""
    return None if model is None else os.path.abspath(os.fspath(model))


__all__ = [
    "DEFAULT_STANDARD",
    "LearnedEngine",
    "SENTENCE_END",
    "default_standard",
    "engines_by_standard",
    "model_standards",
    "resolve_model_path",
]


#: Every character the decoder takes as a space (``reference.is_space``
#: after ``reference.norm``, which maps no other character to one; a test
#: checks every code point), and the runs between such characters.
_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = re.compile(f"[{_SPACES}]")
_NOT_SPACE = re.compile(f"[^{_SPACES}]+")


def _not_cutting(
    users: list[tuple[int, int]], atoms: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The user-word spans none of whose ends falls strictly inside an atom
    (a number, URL, version, Latin word ...: never cut inside): a user word
    ``3.1`` is not forced in ``3.14159``, nor ``AI`` in ``OpenAI``; one that
    holds whole atoms (``版本2.3.1``) stays. Both lists sorted, atoms
    disjoint."""
    starts = [a for a, _ in atoms]

    def inside(p: int) -> bool:
        k = bisect_right(starts, p) - 1  # the last atom starting at or before p
        return k >= 0 and atoms[k][0] < p < atoms[k][1]

    return [(s, e) for s, e in users if not inside(s) and not inside(e)]


def _without_spaces(text: str, spans: Iterator[tuple[int, int]]) -> list[tuple[int, int]]:
    """The user-word spans of ``text``, each one holding whitespace (which
    the decoder always makes a word of its own) replaced by its pieces
    between the spaces: forcing it whole would contradict the spaces and
    void every constraint of the text."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if _SPACE.search(text, s, e) is None:  # the usual case: no space at all
            out.append((s, e))
        else:
            out += [m.span() for m in _NOT_SPACE.finditer(text, s, e)]
    return out
