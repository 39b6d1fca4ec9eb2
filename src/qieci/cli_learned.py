"""CLI parts of the learned engine: ``qieci train``, ``qieci eval``,
``qieci standards`` and the ``--engine/--standard/--model`` options of
``qieci cut``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine``, ``--standard``, ``--model`` (on ``cut`` and ``eval``)."""
    parser.add_argument("--engine", choices=("jieba", "learned"), default=None,
                        help="segmentation engine (default: jieba; learned when --standard "
                             "or --model is given)")
    parser.add_argument("--standard", metavar="S",
                        help="learned engine: segmentation standard (see 'qieci standards')")
    parser.add_argument("--model", metavar="PATH",
                        help="learned engine: model file (default: the bundled model)")


def engine_of(args: argparse.Namespace) -> str:
    engine = getattr(args, "engine", None)
    if engine is None:
        learned = getattr(args, "standard", None) or getattr(args, "model", None)
        return "learned" if learned else "jieba"
    if engine == "jieba" and (args.standard or args.model):
        raise ValueError("--standard and --model need --engine learned")
    return engine


def make_tokenizer(args: argparse.Namespace) -> Any:
    """The tokenizer the engine options (and ``--dict``, ``--user-dict``) ask for."""
    from .tokenizer import Tokenizer

    if engine_of(args) == "learned":
        if getattr(args, "dict", None):
            raise ValueError("--dict applies to the jieba engine only")
        tok = Tokenizer(engine="learned", standard=args.standard, model=args.model)
    else:
        tok = Tokenizer(getattr(args, "dict", None))
    tok.initialize()
    for path in getattr(args, "user_dict", None) or []:
        tok.load_userdict(path)
    return tok


def add_learned_parsers(sub: Any) -> None:
    tr = sub.add_parser(
        "train", help="train a learned-engine model on gold corpora",
        description="Train a multi-standard model from gold files (words separated by one "
                    "space per line). Reports progress and dev F1 per epoch; stops early "
                    "when the mean dev F1 stops improving, keeping the best epoch.",
    )
    tr.add_argument("--corpus", action="append", required=True, metavar="S=FILE[,FILE...]",
                    help="training files of standard S (repeatable)")
    tr.add_argument("--dev", action="append", default=[], metavar="S=FILE[,FILE...]",
                    help="dev files of standard S, for model selection (repeatable)")
    tr.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write")
    tr.add_argument("--epochs", type=int, default=10, help="maximum epochs (default 10)")
    tr.add_argument("--patience", type=int, default=2,
                    help="stop after this many epochs without dev improvement (default 2)")
    tr.add_argument("--bits", type=int, default=22,
                    help="log2 of the weight-table size (default 22; 24 for large corpora)")
    tr.add_argument("--seed", type=int, default=1, help="shuffling seed (default 1)")
    tr.add_argument("--no-jieba-lexicon", action="store_true",
                    help="do not use jieba's dictionary for the lexicon features")
    tr.add_argument("--lexicon", action="append", default=[], metavar="WORDS",
                    help="word list (one word per line, first field) to add to the lexicon "
                         "features (repeatable), e.g. an official training word list")
    tr.add_argument("--std-lexicon", action="append", default=[], metavar="S=WORDS",
                    help="a word list of standard S alone (repeatable): its own lexicon "
                         "features, e.g. the official training word list of that standard")
    tr.add_argument("--lexicon-min-count", type=int, default=0, metavar="N",
                    help="also use training words seen N+ times as lexicon words (0: no)")
    tr.add_argument("--lexicon-folds", type=int, default=10, metavar="K",
                    help="train each standard lexicon in K held-out folds: a sentence's "
                         "lexicon lacks the words found only in its fold (default 10; "
                         "0: no folds)")
    tr.add_argument("--training-words-lexicon", action="store_true",
                    help="give every standard its own training words as (part of) its own "
                         "lexicon, trained in the held-out folds")
    tr.set_defaults(func=cmd_train)

    ev = sub.add_parser(
        "eval", help="score a segmentation against a gold file (SIGHAN scoring)",
        description="Precision, recall, F1, OOV and IV recall of PRED (or of segmenting "
                    "GOLD's raw text with the chosen engine) against GOLD. Words are "
                    "character spans. The OOV vocabulary is --vocab, else the model's "
                    "training words of the standard (learned engine), else none.",
    )
    ev.add_argument("gold", metavar="GOLD", help="gold file: one line, words separated by spaces")
    ev.add_argument("--pred", metavar="PRED", help="segmented file to score (same lines)")
    ev.add_argument("--vocab", metavar="WORDS", help="in-vocabulary word list, one per line")
    ev.add_argument("--json", action="store_true", help="print one JSON object (fractions)")
    ev.add_argument("-u", "--user-dict", action="append", default=[], metavar="USERDICT")
    ev.add_argument("-D", "--dict", metavar="DICT", help="jieba engine: main dictionary")
    add_engine_arguments(ev)
    ev.set_defaults(func=cmd_eval)

    st = sub.add_parser("standards", help="list the standards of a learned model")
    st.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    st.add_argument("--json", action="store_true", help="print a JSON object")
    st.set_defaults(func=cmd_standards)


def cmd_train(args: argparse.Namespace) -> int:
    from .evaluate import read_vocab
    from .train import TrainConfig, parse_corpus_args, train

    corpora = parse_corpus_args(args.corpus)
    dev = parse_corpus_args(args.dev)
    cfg = TrainConfig(bits=args.bits, epochs=args.epochs, patience=args.patience,
                      seed=args.seed, min_lexicon_count=args.lexicon_min_count,
                      lexicon_words=lexicon_words(args), lexicon_folds=args.lexicon_folds,
                      training_words_lexicon=args.training_words_lexicon,
                      std_lexicons={s: sorted(set().union(*map(read_vocab, files)))
                                    for s, files in parse_corpus_args(args.std_lexicon).items()})
    if not 10 <= cfg.bits <= 26:
        raise ValueError("--bits must be between 10 and 26")
    model = train(corpora, dev, cfg, log=sys.stderr)
    model.save(args.output)
    print(f"qieci: wrote {args.output} (standards: {', '.join(model.standards)})",
          file=sys.stderr)
    return 0


def lexicon_words(args: argparse.Namespace) -> list[str]:
    """jieba's words (unless --no-jieba-lexicon) then those of --lexicon
    files, without duplicates, in that order."""
    from .evaluate import read_vocab
    from .train import jieba_words

    words = [] if args.no_jieba_lexicon else jieba_words()
    for path in args.lexicon:
        words += sorted(read_vocab(path))
    return list(dict.fromkeys(words))


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import read_segmented, read_vocab, score

    gold = read_segmented(args.gold)
    vocab: Any = read_vocab(args.vocab) if args.vocab else None
    if args.pred:
        if engine_of(args) == "learned" and vocab is None:
            vocab = set(make_tokenizer(args).training_vocab())
        pred: Any = read_segmented(args.pred)
    else:
        tok = make_tokenizer(args)
        if vocab is None and getattr(tok, "engine", "jieba") == "learned":
            vocab = set(tok.training_vocab())
        pred = (tok.lcut("".join(words)) for words in gold)
    result = score(gold, pred, vocab)
    if args.json:
        keys = ("precision", "recall", "f1", "oov_recall", "iv_recall", "gold_words",
                "pred_words")
        print(json.dumps({k: getattr(result, k) for k in keys}))
    else:
        print(result.table())
    return 0


def cmd_standards(args: argparse.Namespace) -> int:
    from .engines.learned import DEFAULT_STANDARD
    from .model import parse_meta, parse_vocab, read_sections

    sec, source = read_sections(args.model)
    meta = parse_meta(sec, source)
    vocab = parse_vocab(sec, source)
    if args.json:
        print(json.dumps({"standards": meta.standards, "training": meta.training},
                         ensure_ascii=False))
        return 0
    for std in meta.standards:
        text = vocab.get(std, "")
        n = text.count("\n") + 1 if text else 0
        mark = " (default)" if std == DEFAULT_STANDARD else ""
        print(f"{std}\t{n} training words{mark}")
    return 0
