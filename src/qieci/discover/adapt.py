"""``adapt``: a domain for the learned engine, from a domain's raw text.

No annotation is needed. One call reads the text twice:

1. the branching entropy of its Han grams
   (:func:`qieci.engines.learned.domain.count`), which models trained with
   ``--domain-folds`` read as features;
2. the counting pass of :func:`qieci.discover.discover`, then the learned
   model's cut of the sample under each of ``standards`` (default: every
   standard of the model). The domain's words are then

   * for every standard (:data:`~qieci.engines.learned.domain.EVERY_STANDARD`):
     the new words discovery ranks (score >= ``min_score``, its default);
   * for each standard ``S``: the words of 2 to 6 Han characters that the
     model cuts under ``S`` at least ``min_count`` times in the sample and
     that are not among ``S``'s training words.

Decoding under ``S`` with the domain adds both lists to ``S``'s own
lexicon (:mod:`qieci.engines.learned.domain`): the model sees the words the
domain uses, and cuts their other occurrences the same way. Measured on the
cross-domain protocol (``bench/cross_domain.py``), on text of domains the
model never saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..engines.learned.domain import EVERY_STANDARD, DomainStats, count, with_words
from ..engines.learned.engine import engines_by_standard, model_standards
from ..io.lines import LineStats
from ..tokenizer import PathArg, Tokenizer
from .api import DiscoverOptions, check_many, count_corpus, count_settings, rank
from .candidates import Lexicon
from .counting import check_input
from .model import Cut, chosen_standards, cut_sample
from .reading import read_files


def adapt(
    texts: Iterable[str] = (),
    *,
    files: Sequence[PathArg] = (),
    standards: Sequence[str] | None = None,
    model: PathArg | None = None,
    min_count: int = 2,
    min_score: float | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    jobs: int | None = 1,
    stats: LineStats | None = None,
) -> DomainStats:
    """The domain of ``texts`` (strings; read twice, so they are kept in a
    list) or of ``files`` (paths of text, or ``-`` for stdin, which is read
    once into memory), for ``Tokenizer(engine="learned", domain=...)``.

    ``standards``: the standards to find the model's own words under
    (default: all of the model's; a string: that one); ``model``: another learned model (the
    one you will decode with); ``min_count``: the least count of a gram's
    statistics and of a model word in the sample; ``min_score``: the least
    score of a discovered word (default: :func:`~qieci.discover.discover`'s);
    ``encoding``, ``errors`` and ``jobs`` as for ``discover``; ``stats``
    receives the counts of lines, characters and bytes read. ValueError
    when ``texts`` hold no text (files of no text give a domain of no
    words and ``chars == 0``); TypeError when ``texts`` is one string (pass
    a list) or ``files`` one path.
    """
    check_many(texts, files)
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, not {min_count}")
    if isinstance(standards, str):  # one standard's name
        standards = [standards]
    have, _ = model_standards(model)
    wanted = list(dict.fromkeys(standards)) if standards is not None else list(have)
    for s in wanted:
        if s not in have:
            raise ValueError(
                f"the model has no standard {s!r}; it has {', '.join(have)} (see 'qieci standards')"
            )
    read = None  # the repairs of stdin, read here (the counting pass sees its text)
    if "-" in [str(f) for f in files]:
        if len(files) > 1:
            raise ValueError("adapt reads stdin ('-') only as its one input")
        read = LineStats()
        texts = list(read_files(["-"], encoding=encoding, errors=errors, stats=read))
        files = ()
    texts = list(texts)
    names = [str(f) for f in files]
    for name in names:  # before any read: the files are read twice (a pipe cannot be)
        check_input(name, twice=True)
    grams = count(
        read_files(names, encoding=encoding, errors=errors) if names else texts, min_count
    )
    # texts of no text are refused, as `qieci adapt` refuses empty files
    # (before the model's cuts); the callers of files decide (`qieci cut
    # --adapt-self` of an empty file cuts it without a domain)
    if grams.chars == 0 and not names:
        raise ValueError("the input has no text: nothing to adapt to")
    opts = DiscoverOptions(model_path=model, encoding=encoding, errors=errors, jobs=jobs)
    if min_score is not None:
        opts = replace(opts, min_score=min_score)
    counts = count_corpus(texts, files, count_settings(opts), jobs)
    if stats is not None:
        stats.__dict__.update((read or counts.stats).__dict__)
    discovery = chosen_standards(None, model)
    cuts: dict[str, Cut] = {}
    own: dict[str, list[str]] = {}
    # one read of the model for every standard (each folded in turn)
    order = list(dict.fromkeys([*wanted, *discovery]))
    for s, engine in zip(order, engines_by_standard(order, model), strict=True):
        tok = Tokenizer(engine=engine)
        cut = cut_sample(tok, counts.sample, opts.max_len)
        if s in discovery:
            cuts[s] = cut
        if s in wanted:
            known = set(tok.training_vocab())
            # (cut.whole holds the words of 2 to 6 Han characters only)
            own[s] = sorted(w for w, n in cut.whole.items() if n >= min_count and w not in known)
        del tok, engine
    lexicon = Lexicon((), jieba=opts.jieba_lexicon, dictionary=opts.dictionary)
    found = rank(counts, lexicon, discovery, opts, [cuts[s] for s in discovery])
    return with_words(grams, {EVERY_STANDARD: [w.word for w in found], **own})


__all__ = ["adapt"]
