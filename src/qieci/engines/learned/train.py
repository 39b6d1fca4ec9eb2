"""Training the learned engine: an averaged structured perceptron over gold
corpora of several segmentation standards at once.

Every example is a gold line (words separated by single spaces) tagged with
its standard. Each epoch visits all examples in an order shuffled by a
seeded :class:`random.Random`, so training is deterministic for a given
seed, data and table size. After each epoch the averaged weights are
quantised (:func:`qieci.engines.learned.model.quantize`) and scored on the dev files (the
same integer decoder that serves the model), the best epoch is kept, and
training stops when the mean dev F1 has not improved for ``patience``
epochs.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from ...evaluate import Score, score
from ...textlines import utf8_text
from ._learned import Decoder, Domain, Lexicon, Perceptron, fold
from .domain import check_standard_name
from .domain import count as domain_count
from .model import WEIGHT_LIMIT, Model, check_parents, quantize, standard_trans


def word_tags(words: Sequence[str]) -> bytes:
    """B/M/E/S tag bytes (0..3) of the chars of ``words``."""
    out = bytearray()
    for w in words:
        n = len(w)
        if n == 1:
            out.append(3)
        elif n > 1:
            out.append(0)
            out.extend(b"\x01" * (n - 2))
            out.append(2)
    return bytes(out)


def read_corpus(path: str) -> list[list[str]]:
    """The non-empty lines of a gold file as word lists. ValueError when the
    file is unreadable, empty, or not segmented (raw text: most lines of
    eight characters or more hold no space)."""
    if os.path.isdir(path):
        raise ValueError(f"{path}: is a directory (corpus expected)")
    try:  # (a pipe is fine: --corpus pku=<(zcat pku.txt.gz))
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read corpus: {exc.strerror or exc}") from None
    # (a byte-order mark is no part of the first word, as qieci eval reads it)
    text = utf8_text(data, path, "a corpus (segmented text, UTF-8)").removeprefix("\ufeff")
    # lines as text files end them: at \n, \r\n or \r
    lines = [line.split() for line in io.StringIO(text, newline=None) if line.strip()]
    if not lines:
        raise ValueError(f"{path}: the corpus has no lines")
    long = [words for words in lines if sum(map(len, words)) >= 8]
    unsegmented = sum(1 for words in long if len(words) == 1)
    if long and unsegmented > len(long) / 2:
        raise ValueError(
            f"{path}: {unsegmented} of its {len(long)} lines of 8+ characters have no space "
            "between words: this is raw text, not a segmented corpus. qieci train needs gold "
            "files with words separated by one space"
        )
    return lines


def parse_corpus_args(items: Iterable[str]) -> dict[str, list[str]]:
    """``S=FILE[,FILE...]`` arguments -> standard -> files (in order of
    first appearance; a standard may be given several times). ValueError
    for a malformed item or a standard's name a domain cannot hold
    (:data:`~qieci.engines.learned.domain.STANDARD_NAME_RULE`)."""
    out: dict[str, list[str]] = {}
    for item in items:
        std, sep, files = item.partition("=")
        std = std.strip()
        if not sep or not std or not files:
            raise ValueError(f"expected STANDARD=FILE[,FILE...], got {item!r}")
        check_standard_name(std)
        have = out.setdefault(std, [])
        for f in files.split(","):
            if f and any(os.path.abspath(f) == os.path.abspath(g) for g in have):
                raise ValueError(
                    f"{f} is given twice for standard {std!r}: its sentences would count twice; "
                    "drop one (to weigh a file more, repeat its lines in a file of its own)"
                )
            if f:
                have.append(f)
    return out


@dataclass
class TrainConfig:
    """Training settings. ``bits``: log2 of the weight-table buckets."""

    bits: int = 22
    epochs: int = 10
    patience: int = 2
    seed: int = 1
    min_lexicon_count: int = 0  # training words seen this often join the lexicon (0: never)
    lexicon_words: Sequence[str] = field(default_factory=tuple)
    # standard -> its own lexicon (e.g. an official training word list)
    std_lexicons: dict[str, Sequence[str]] = field(default_factory=dict)
    # held-out folds for the standard lexicons (0 or 1: no folds; see fold_lexicons)
    lexicon_folds: int = 10
    # every standard's own lexicon also holds its training words
    training_words_lexicon: bool = False
    # update sizes: of the shared weights, and of each standard's own
    # (explicit, else shared_step * min(1, chars / backoff_chars), at least
    # 1, when backoff_chars > 0, else shared_step): small standards back off
    shared_step: int = 1
    std_steps: dict[str, int] = field(default_factory=dict)
    backoff_chars: int = 0
    # domain statistics (qieci.engines.learned.domain) of each corpus's own
    # raw text, in this many held-out folds (0: the model reads none); each
    # sentence is seen with them in a share ``domain_rate`` of its visits
    # and without them in the rest, so the model works both ways
    domain_folds: int = 0
    domain_rate: float = 0.5
    # standard -> the standard it backs off to: the parent's own weights
    # count in its scores (and do not learn from its sentences), so a small
    # standard learns only how it differs from a larger one of its family
    parents: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lexicon_folds < 0:
            raise ValueError(f"lexicon folds must be 0 (none) or more, got {self.lexicon_folds}")
        if self.training_words_lexicon and self.lexicon_folds < 2:
            raise ValueError(
                "the training words lexicon needs held-out folds (2 or more): "
                "without them every training word is listed and the model "
                "learns to split unlisted words"
            )
        steps = [self.shared_step, *self.std_steps.values()]
        if any(not 0 <= v <= 64 for v in steps) or self.shared_step < 1:
            raise ValueError("update steps must be between 0 and 64 (the shared step at least 1)")
        if self.domain_folds < 0:
            raise ValueError(f"domain folds must be 0 (none) or more, got {self.domain_folds}")
        if not 0.0 <= self.domain_rate <= 1.0:  # (nan too)
            raise ValueError(f"the domain rate must be in 0..1, got {self.domain_rate}")
        if self.min_lexicon_count < 0:
            raise ValueError(
                f"the lexicon min count must be 0 (off) or more, got {self.min_lexicon_count}"
            )
        if self.backoff_chars < 0:
            raise ValueError(f"backoff chars must be 0 (off) or more, got {self.backoff_chars}")

    def std_step(self, standard: str, chars: int) -> int:
        """The update size of ``standard``'s own weights, for ``chars``
        training characters."""
        if standard in self.std_steps:
            return self.std_steps[standard]
        if self.backoff_chars <= 0:
            return self.shared_step
        return max(1, round(self.shared_step * min(1.0, chars / self.backoff_chars)))


def fold_lexicons(
    words: Sequence[str], sentences: Sequence[Sequence[str]], folds: int
) -> list[list[str]]:
    """The lexicon each fold of a standard's training sentences sees.

    Sentence ``j`` is in fold ``j % folds``. Fold ``k`` sees ``words`` minus
    the words that occur in fold ``k`` and in no other fold. A word list
    taken from (a superset of) the training text covers every training word,
    while test text has words missing from it; without the held-out folds
    the model learns that every word is listed and splits unlisted words
    apart. Each fold's sentences thus meet their rare words unlisted, as new
    text does (a heuristic: the rate is not matched to any test set).
    """
    if folds < 1:
        raise ValueError(f"folds must be at least 1, got {folds}")
    seen_in: dict[str, int] = {}
    for j, sent in enumerate(sentences):
        f = j % folds
        for w in sent:
            prev = seen_in.get(w, f)
            seen_in[w] = f if prev == f else -1
    only: list[set[str]] = [set() for _ in range(folds)]
    for w, f in seen_in.items():
        if f >= 0:
            only[f].add(w)
    return [[w for w in words if w not in only[f]] for f in range(folds)]


def domain_folds(sentences: Sequence[Sequence[str]], folds: int) -> list[Domain]:
    """For each sentence, the domain statistics of its corpus's raw text
    without its fold (sentence ``j`` is in fold ``j % folds``; one fold:
    the whole text), so that training sees statistics of text around a
    sentence, as a user's domain file is of text around what is cut."""
    texts = ["".join(words) for words in sentences]
    if folds == 1:
        tables = [domain_count(texts).table()]
    else:
        tables = [
            domain_count(t for j, t in enumerate(texts) if j % folds != f).table()
            for f in range(folds)
        ]
    return [tables[j % folds] for j in range(len(texts))]


def decoder_for(
    model: Model, index: int, lexicon: Lexicon, std_lexicon: Lexicon | None = None
) -> Decoder:
    """The decoder of standard ``index`` (1-based) of ``model`` (with the
    standard it backs off to, if any)."""
    parent = model.parent_index(model.standards[index - 1])
    table = fold(model.weights, model.bits, index, parent)
    trans = standard_trans(model.trans, index, parent)
    return Decoder(table, trans, lexicon, model.bits, index, std_lexicon, parent=parent)


def evaluate_decoder(
    dec: Decoder, gold: list[list[str]], vocab: Collection[str] | None = None
) -> Score:
    """Score ``dec`` on gold word lists."""
    return score(gold, (dec.lcut("".join(g)) for g in gold), vocab)


def train(
    corpora: dict[str, list[str]],
    dev: dict[str, list[str]] | None = None,
    config: TrainConfig | None = None,
    log: TextIO | None = sys.stderr,
    progress: Callable[[str], None] | None = None,
) -> Model:
    """Train a model on ``corpora`` (standard -> gold files) and return it.

    ``dev`` (standard -> gold files; every standard must be trained) drives
    model selection and early stopping; without it, all epochs run and the
    last one is kept. A standard's name must follow
    :data:`~qieci.engines.learned.domain.STANDARD_NAME_RULE` (checked first).
    """
    cfg = config or TrainConfig()
    dev = dev or {}
    standards = list(corpora)
    for std in standards:  # before any work: the names a domain can hold
        check_standard_name(std)
    for std in dev:
        if std not in corpora:
            raise ValueError(f"dev standard {std!r} has no training corpus")
    check_parents(cfg.parents, standards, "cannot train")
    parent_of = [standards.index(cfg.parents[s]) + 1 if s in cfg.parents else 0 for s in standards]

    def say(msg: str) -> None:
        if log is not None:
            print(msg, file=log, flush=True)
        if progress is not None:
            progress(msg)

    t0 = time.perf_counter()
    examples: list[tuple[str, bytes, int]] = []
    vocab: dict[str, Counter[str]] = {}
    files_used: dict[str, list[str]] = {}
    sentences: dict[str, list[list[str]]] = {}
    for i, std in enumerate(standards, 1):
        counts: Counter[str] = Counter()
        sents = sentences[std] = []
        for path in corpora[std]:
            for words in read_corpus(path):
                counts.update(words)
                sents.append(words)
                examples.append(("".join(words), word_tags(words), i))
        vocab[std] = counts
        files_used[std] = list(corpora[std])
    if not examples:
        raise ValueError("no training sentences")
    lexicon_words = list(cfg.lexicon_words)
    if cfg.min_lexicon_count > 0:
        seen = set(lexicon_words)
        for counts in vocab.values():
            for w, c in counts.items():
                if c >= cfg.min_lexicon_count and w not in seen and len(w) > 1:
                    seen.add(w)
                    lexicon_words.append(w)
    lexicon = Lexicon(lexicon_words)
    for std in cfg.std_lexicons:
        if std not in corpora:
            raise ValueError(f"standard lexicon for {std!r}, which has no training corpus")
    std_words = {std: list(words) for std, words in cfg.std_lexicons.items()}
    if cfg.training_words_lexicon:
        for std in standards:
            std_words[std] = sorted(set(std_words.get(std, ())) | vocab[std].keys())
    std_lex_text = {std: "\n".join(words) for std, words in std_words.items()}
    std_lex = {std: Lexicon(text=t) for std, t in std_lex_text.items()}
    nfolds = cfg.lexicon_folds
    held_out = (
        {
            std: [
                Lexicon(text="\n".join(ws))
                for ws in fold_lexicons(std_words[std], sentences[std], nfolds)
            ]
            for std in std_lex
        }
        if nfolds > 1
        else {}
    )
    # example index -> the standard lexicon of its fold (None: the standard's own)
    fold_lex: list[Lexicon | None] = []
    for std in standards:
        folds = held_out.get(std)
        fold_lex.extend(folds[j % nfolds] if folds else None for j in range(len(sentences[std])))
    # example index -> the domain statistics of its fold (None: none)
    fold_dom: list[Domain | None] = []
    if cfg.domain_folds > 0:
        for std in standards:
            fold_dom.extend(domain_folds(sentences[std], cfg.domain_folds))
        say(f"domain statistics: {cfg.domain_folds} fold(s) per corpus")
    else:
        fold_dom = [None] * len(examples)
    del sentences
    dev_gold = {std: [w for p in files for w in read_corpus(p)] for std, files in dev.items()}
    n_chars = sum(len(t) for t, _, _ in examples)
    std_chars = Counter[int]()
    for t, _, i in examples:
        std_chars[i] += len(t)
    for std in cfg.std_steps:
        if std not in corpora:
            raise ValueError(f"update step for {std!r}, which has no training corpus")
    steps = [cfg.std_step(std, std_chars[i]) for i, std in enumerate(standards, 1)]
    say(
        f"train: {len(examples)} sentences, {n_chars} chars, standards {', '.join(standards)}; "
        f"lexicon {len(lexicon)} words; 2**{cfg.bits} buckets; update steps shared "
        f"{cfg.shared_step}, "
        + ", ".join(f"{s} {v}" for s, v in zip(standards, steps, strict=True))
    )
    model_vocab = {std: "\n".join(sorted(c)) for std, c in vocab.items()}

    p = Perceptron(cfg.bits, len(standards), lexicon, [std_lex.get(s) for s in standards])
    rng = random.Random(cfg.seed)
    dom_rng = random.Random(cfg.seed + 1)
    order = list(range(len(examples)))
    best: Model | None = None
    best_f1 = -1.0
    stale = 0
    for epoch in range(1, cfg.epochs + 1):
        rng.shuffle(order)
        errors = 0
        te = time.perf_counter()
        step = max(1, len(order) // 10)
        for k, idx in enumerate(order, 1):
            text, tags, std_index = examples[idx]
            dom = fold_dom[idx]
            if dom is not None and dom_rng.random() >= cfg.domain_rate:
                dom = None
            errors += p.train(
                text,
                tags,
                std_index,
                fold_lex[idx],
                cfg.shared_step,
                steps[std_index - 1],
                dom,
                parent_of[std_index - 1],
            )
            if k % step == 0 and log is not None:
                print(
                    f"  epoch {epoch}: {100 * k // len(order)}% ({time.perf_counter() - te:.0f}s)",
                    file=log,
                    flush=True,
                )
        model = _snapshot(
            p,
            standards,
            lexicon_words,
            model_vocab,
            {
                "corpora": files_used,
                "epochs": epoch,
                "seed": cfg.seed,
                "bits": cfg.bits,
                "lexicon_words": len(lexicon_words),
                "std_lexicon_words": {s: len(w) for s, w in std_words.items()},
                "lexicon_folds": nfolds if held_out else 0,
                "domain_folds": cfg.domain_folds,
                "domain_rate": cfg.domain_rate if cfg.domain_folds else 0.0,
                "shared_step": cfg.shared_step,
                "std_steps": dict(zip(standards, steps, strict=True)),
            },
            std_lex_text,
            cfg.parents,
        )
        msg = (
            f"epoch {epoch}: train char error {100 * errors / max(1, n_chars):.2f}% "
            f"in {time.perf_counter() - te:.0f}s"
        )
        if dev_gold:
            decs = {
                std: decoder_for(model, model.standard_index(std), lexicon, std_lex.get(std))
                for std in dev_gold
            }
            f1s = {std: evaluate_decoder(decs[std], g).f1 for std, g in dev_gold.items()}
            mean = sum(f1s.values()) / len(f1s)
            msg += "; dev F1 " + ", ".join(f"{s} {100 * f:.2f}" for s, f in f1s.items())
            msg += f"; mean {100 * mean:.2f}"
            say(msg)
            if mean > best_f1:
                best_f1, best, stale = mean, model, 0
            else:
                stale += 1
                if stale >= cfg.patience:
                    say(
                        f"early stop: no dev improvement for {stale} epoch(s); "
                        f"keeping epoch {best.training['epochs'] if best else '?'}"
                    )
                    break
        else:
            say(msg)
            best = model
    assert best is not None
    say(f"trained in {time.perf_counter() - t0:.0f}s")
    return best


def _snapshot(
    p: Perceptron,
    standards: list[str],
    lexicon_words: list[str],
    vocab: dict[str, str],
    training: dict,
    std_lexicons: dict[str, str],
    parents: dict[str, str],
) -> Model:
    """The averaged, quantised model of the perceptron's current state."""
    c = float(p.c)
    avg = p.W.astype(np.float64)
    avg -= p.U / c
    tavg = p.TW.astype(np.float64) - p.TU / c
    # (with back-off a folded row adds four slots: each within half the limit)
    weights, trans, scale = quantize(avg, tavg, WEIGHT_LIMIT // 2 if parents else WEIGHT_LIMIT)
    del avg
    return Model(
        p.bits,
        list(standards),
        weights,
        trans,
        "\n".join(lexicon_words),
        vocab,
        scale,
        dict(training),
        std_lexicons=dict(std_lexicons),
        parents=dict(parents),
    )
