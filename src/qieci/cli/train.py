"""``qieci train``: train a learned-engine model on gold corpora."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from .options import positive_int, write_file


def register(sub: Any) -> None:
    tr = sub.add_parser(
        "train",
        help="train a learned-engine model on gold corpora",
        description="Train a multi-standard model from gold files (words separated by one "
        "space per line). Reports progress and dev F1 per epoch; stops early "
        "when the mean dev F1 stops improving, keeping the best epoch.",
    )
    tr.add_argument(
        "--corpus",
        action="append",
        required=True,
        metavar="S=FILE[,FILE...]",
        help="training files of standard S (repeatable)",
    )
    tr.add_argument(
        "--dev",
        action="append",
        default=[],
        metavar="S=FILE[,FILE...]",
        help="dev files of standard S, for model selection (repeatable)",
    )
    tr.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write")
    tr.add_argument("--epochs", type=positive_int, default=10, help="maximum epochs (default 10)")
    tr.add_argument(
        "--patience",
        type=positive_int,
        default=2,
        help="stop after this many epochs without dev improvement (default 2)",
    )
    tr.add_argument(
        "--bits",
        type=int,
        default=22,
        help="log2 of the weight-table size (default 22; 24 for large corpora)",
    )
    tr.add_argument("--seed", type=int, default=1, help="shuffling seed (default 1)")
    tr.add_argument(
        "--no-jieba-lexicon",
        action="store_true",
        help="do not use jieba's dictionary for the lexicon features",
    )
    tr.add_argument(
        "--lexicon",
        action="append",
        default=[],
        metavar="WORDS",
        help="word list (one word per line, first field) to add to the lexicon "
        "features (repeatable), e.g. an official training word list",
    )
    tr.add_argument(
        "--std-lexicon",
        action="append",
        default=[],
        metavar="S=WORDS",
        help="a word list of standard S alone (repeatable): its own lexicon "
        "features, e.g. the official training word list of that standard",
    )
    tr.add_argument(
        "--lexicon-min-count",
        type=int,
        default=0,
        metavar="N",
        help="also use training words seen N+ times as lexicon words (0: no)",
    )
    tr.add_argument(
        "--lexicon-folds",
        type=int,
        default=10,
        metavar="K",
        help="train each standard lexicon in K held-out folds: a sentence's "
        "lexicon lacks the words found only in its fold (default 10; "
        "0: no folds)",
    )
    tr.add_argument(
        "--training-words-lexicon",
        action="store_true",
        help="give every standard its own training words as (part of) its own "
        "lexicon, trained in the held-out folds",
    )
    tr.add_argument(
        "--shared-step",
        type=int,
        default=1,
        metavar="N",
        help="update size of the weights all standards share (default 1)",
    )
    tr.add_argument(
        "--std-step",
        action="append",
        default=[],
        metavar="S=N",
        help="update size of standard S's own weights (default: see --backoff-chars)",
    )
    tr.add_argument(
        "--backoff-chars",
        type=int,
        default=0,
        metavar="N",
        help="back small standards off to the shared weights: a standard with C "
        "training characters updates its own weights by shared-step * min(1, C/N), "
        "at least 1 (default 0: the same step as the shared weights)",
    )
    tr.add_argument(
        "--domain-folds",
        type=int,
        default=0,
        metavar="K",
        help="train the model to read domain statistics (qieci adapt): each corpus's "
        "own raw text counted in K held-out folds (default 0: no domain features)",
    )
    tr.add_argument(
        "--domain-rate",
        type=float,
        default=0.5,
        metavar="P",
        help="share of the sentence visits made with the statistics (default 0.5)",
    )
    tr.add_argument(
        "--backoff-to",
        action="append",
        default=[],
        metavar="S=P",
        help="standard S backs off to standard P (repeatable): P's own weights count in "
        "S's scores, in training and decoding, so S learns only how it differs from P "
        "(P backs off to none)",
    )
    tr.set_defaults(func=run)


def lexicon_words(no_jieba: bool, lexicon_files: list[str]) -> list[str]:
    """jieba's words (unless ``no_jieba``) then those of the word-list
    files, without duplicates, in that order."""
    from ..engines.jieba.dictionary import bundled_words
    from ..evaluate import read_vocab

    words = [] if no_jieba else bundled_words()
    for path in lexicon_files:
        words += sorted(read_vocab(path))
    return list(dict.fromkeys(words))


def run(args: argparse.Namespace) -> int:
    from ..engines.learned.train import TrainConfig, parse_corpus_args, train
    from ..evaluate import read_vocab
    from ..io.lines import check_output_path

    if not 10 <= args.bits <= 26:
        raise ValueError("--bits must be between 10 and 26")
    corpora = parse_corpus_args(args.corpus)
    dev = parse_corpus_args(args.dev)
    for std, files in dev.items():
        trained = {os.path.abspath(f) for f in corpora.get(std, ())}
        for f in files:
            if os.path.abspath(f) in trained:
                print(
                    f"qieci: warning: {f} is both a training and a dev file of {std!r}: its dev "
                    "F1 measures the training data, not new text",
                    file=sys.stderr,
                )
    given = [f for files in (*corpora.values(), *dev.values()) for f in files]
    given += list(args.lexicon) + [item.partition("=")[2] for item in args.std_lexicon]
    # before reading any corpus: never lose a trained model, nor a corpus
    check_output_path(args.output, given)
    std_lexicons: dict[str, Sequence[str]] = {
        s: sorted(set().union(*map(read_vocab, files)))
        for s, files in parse_corpus_args(args.std_lexicon).items()
    }
    std_steps: dict[str, int] = {}
    for item in args.std_step:
        std, sep, value = item.partition("=")
        if not sep or not std.strip() or not value.strip().isdigit():
            raise ValueError(f"--std-step expects STANDARD=N, got {item!r}")
        std_steps[std.strip()] = int(value)
    parents: dict[str, str] = {}
    for item in args.backoff_to:
        std, sep, parent = item.partition("=")
        if not sep or not std.strip() or not parent.strip():
            raise ValueError(f"--backoff-to expects STANDARD=PARENT, got {item!r}")
        parents[std.strip()] = parent.strip()
    cfg = TrainConfig(
        bits=args.bits,
        epochs=args.epochs,
        patience=args.patience,
        seed=args.seed,
        min_lexicon_count=args.lexicon_min_count,
        lexicon_words=lexicon_words(args.no_jieba_lexicon, args.lexicon),
        lexicon_folds=args.lexicon_folds,
        training_words_lexicon=args.training_words_lexicon,
        std_lexicons=std_lexicons,
        shared_step=args.shared_step,
        std_steps=std_steps,
        backoff_chars=args.backoff_chars,
        domain_folds=args.domain_folds,
        domain_rate=args.domain_rate,
        parents=parents,
    )
    model = train(corpora, dev, cfg, log=sys.stderr)
    write_file(args.output, model.to_bytes())
    print(f"qieci: wrote {args.output} (standards: {', '.join(model.standards)})", file=sys.stderr)
    return 0
