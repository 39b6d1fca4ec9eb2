"""``discover``: the new words of a corpus, ranked.

One pass counts the corpus (:mod:`.counting`); the candidates are the
grams frequent and cohesive enough, and the words the learned model cuts in
its sample, that have a word's shape and are not in the lexicon
(:mod:`.candidates`); each is scored on its evidence (:mod:`.scoring`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from os import PathLike

from ..io.lines import LineStats
from ..tokenizer import PathArg
from .candidates import Lexicon, is_candidate_shape
from .counting import Counts, CountSettings, count_files, count_pieces
from .model import Cut, chosen_standards, cut_under, edge_counts
from .scoring import Evidence, score

#: The longest word ``discover`` can find (the counter's keys hold 7
#: characters: a word and one neighbour).
MAX_LEN = 6


@dataclass(frozen=True)
class NewWord:
    """A discovered word: its frequency in the corpus, its score (0..1,
    the estimated probability that it is a word), and the evidence."""

    word: str
    freq: int
    score: float
    pmi: float
    left_entropy: float
    right_entropy: float
    model_rate: float


@dataclass(frozen=True)
class DiscoverOptions:
    """The knobs of :func:`discover` (see its arguments)."""

    min_len: int = 2
    max_len: int = MAX_LEN
    min_freq: int = 2
    min_pmi: float = 1.0
    max_candidates: int = 200_000
    min_score: float = 0.5
    top: int | None = None
    memory: int = 512 << 20
    sample_chars: int = 2_000_000
    model: bool = True
    standards: tuple[str, ...] | None = None
    model_path: PathArg | None = None
    lexicons: tuple[PathArg, ...] = ()
    jieba_lexicon: bool = True
    dictionary: PathArg | None = None
    encoding: str = "utf-8"
    errors: str = "strict"
    jobs: int | None = 1

    def __post_init__(self) -> None:
        if not 2 <= self.max_len <= MAX_LEN:
            raise ValueError(f"max_len must be 2..{MAX_LEN}, not {self.max_len}")
        if not 2 <= self.min_len <= self.max_len:
            raise ValueError(f"min_len must be 2..max_len ({self.max_len}), not {self.min_len}")
        if self.min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, not {self.min_freq}")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score is a probability (0..1), not {self.min_score}")
        if self.top is not None and self.top < 1:
            raise ValueError(f"top must be at least 1 (or None: every word), not {self.top}")
        if self.memory < 1 << 20:
            raise ValueError(f"memory must be at least 1 MiB (1048576 bytes), not {self.memory}")
        if self.sample_chars < 0:
            raise ValueError(f"sample_chars must be >= 0, not {self.sample_chars}")
        if not self.jieba_lexicon and self.dictionary is not None:
            raise ValueError(
                "dictionary= replaces jieba's dictionary in the lexicon, and "
                "jieba_lexicon=False leaves every dictionary out: give one or the other"
            )


def discover(
    texts: Iterable[str] = (),
    *,
    files: Sequence[PathArg] = (),
    options: DiscoverOptions | None = None,
    stats: LineStats | None = None,
    **kwargs: object,
) -> list[NewWord]:
    """The new words of ``texts`` (an iterable of strings; one string is a
    TypeError: pass ``[text]``) and ``files`` (paths of UTF-8 text, or ``-``
    for stdin), best first.

    Keyword arguments are the fields of :class:`DiscoverOptions`:
    ``min_len``/``max_len`` (characters, 2..6), ``min_freq``, ``min_pmi``
    (the candidates' least cohesion), ``max_candidates`` (the statistics
    propose at most that many, the most frequent), ``min_score`` (the least
    score returned), ``top`` (at most that many words, at least 1; None:
    all), ``memory`` (bytes for the n-gram tables; counts are pruned to stay
    within it), ``sample_chars`` (how much text the learned model reads),
    ``model`` (False: statistics only), ``standards`` (the standards the
    model cuts the sample under, or one standard's name; default
    :data:`~qieci.discover.model.DEFAULT_STANDARDS`) and ``model_path``
    (another learned model), ``lexicons`` (word lists of known words),
    ``jieba_lexicon`` (False: jieba's dictionary is not the lexicon),
    ``dictionary`` (another jieba-format dictionary as the lexicon),
    ``encoding``, ``errors`` and ``jobs`` (worker processes for files).
    ``stats``, when given, receives the counts of lines, characters, bytes
    and repaired lines of the files.
    """
    check_many(texts, files)
    opts = options or DiscoverOptions()
    if kwargs:
        opts = DiscoverOptions(**{**opts.__dict__, **kwargs})
    standards = standards_of(opts)
    lexicon = Lexicon(opts.lexicons, jieba=opts.jieba_lexicon, dictionary=opts.dictionary)
    counts = count_corpus(texts, files, count_settings(opts), opts.jobs)
    if stats is not None:
        stats.__dict__.update(counts.stats.__dict__)
    return rank(counts, lexicon, standards, opts)


def check_many(texts: object, files: object) -> None:
    """TypeError unless ``texts`` and ``files`` are collections, not one
    text or one path (a string is an iterable of its characters: as texts,
    one-character texts with nothing to count; as files, a file per
    character)."""
    if isinstance(texts, (str, bytes, bytearray)):
        raise TypeError(
            f"texts must be an iterable of texts, not one {type(texts).__name__}: "
            "pass a list of texts (for one text: [text])"
        )
    if isinstance(files, (str, bytes, bytearray, PathLike)):
        raise TypeError(
            f"files must be a list of paths, not one {type(files).__name__}: "
            "pass a list of paths (for one file: [path])"
        )


def count_settings(opts: DiscoverOptions) -> CountSettings:
    """What the counting pass needs of ``opts``."""
    return CountSettings(
        max_len=opts.max_len,
        memory=opts.memory,
        sample_chars=opts.sample_chars,
        encoding=opts.encoding,
        errors=opts.errors,
    )


def standards_of(opts: DiscoverOptions) -> list[str]:
    """The standards the model cuts the sample under (checked now, before
    any work); none without the model."""
    if not opts.model:
        return []
    return chosen_standards(opts.standards, opts.model_path)


def count_corpus(
    texts: Iterable[str],
    files: Sequence[PathArg],
    settings: CountSettings,
    jobs: int | None,
) -> Counts:
    """Count ``files``, or else the strings of ``texts`` (streamed: an
    iterable is read once, never held whole)."""
    if files:
        if not isinstance(texts, (list, tuple)) or texts:
            raise ValueError("give texts or files, not both")
        return count_files(files, settings, jobs=jobs)
    return count_pieces(
        _checked(texts), settings, memory=settings.memory, sample_chars=settings.sample_chars
    )


def _checked(texts: Iterable[str]) -> Iterator[str]:
    for t in texts:
        if not isinstance(t, str):
            raise ValueError(f"texts must be strings, not {type(t).__name__}")
        yield t


def rank(
    counts: Counts,
    lexicon: Lexicon,
    standards: Sequence[str],
    opts: DiscoverOptions,
    cuts: Sequence[Cut] | None = None,
) -> list[NewWord]:
    """Score the candidates of ``counts`` and keep the best (``cuts``: the
    sample's cuts under ``standards``, when already made)."""
    out = []
    for ev in evidence(counts, lexicon, standards, opts, cuts):
        s = score(ev)
        if s >= opts.min_score:
            out.append(
                NewWord(
                    ev.word, ev.freq, s, ev.pmi, ev.left_entropy, ev.right_entropy, ev.model_rate
                )
            )
    out.sort(key=lambda nw: (-nw.score, -nw.freq, nw.word))
    return out[: opts.top] if opts.top is not None else out


def evidence(
    counts: Counts,
    lexicon: Lexicon,
    standards: Sequence[str],
    opts: DiscoverOptions,
    cuts: Sequence[Cut] | None = None,
) -> list[Evidence]:
    """The evidence about every candidate of ``counts``: the grams at least
    ``min_freq`` times frequent and ``min_pmi`` cohesive (the most frequent
    ``max_candidates``), and the words the model cuts in the sample (under
    any of ``standards``) however rare, of a word's shape and not in the
    lexicon."""
    counter = counts.counter
    if cuts is None:
        cuts = cut_under(standards, opts.model_path, counts.sample, opts.max_len)
    found = counter.candidates(
        opts.min_freq, opts.min_len, opts.max_len, opts.min_pmi, opts.max_candidates
    )
    pool = {w for w, _, _ in found}
    for cut in cuts:
        pool.update(cut.whole)
    words = sorted(
        w for w in pool if is_candidate_shape(w, opts.min_len, opts.max_len) and w not in lexicon
    )
    stats = counter.stats(words)
    edges = [edge_counts(words, counts.sample, cut, opts.max_len) for cut in cuts]
    out = []
    for w, (freq, pmi, left, right) in zip(words, stats, strict=True):
        sampled = [e.get(w, (0, 0)) for e in edges]
        out.append(
            Evidence(
                w,
                freq,
                pmi,
                left,
                right,
                sampled[0][0] if sampled else 0,
                tuple(e for _, e in sampled),
                tuple(cut.whole.get(w, 0) for cut in cuts),
            )
        )
    return out
