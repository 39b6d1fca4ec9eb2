"""``qieci eval GOLD``: score a segmentation against a gold file (SIGHAN).

GOLD, ``--pred`` and ``--vocab`` are files, or ``-`` for stdin (one of them
at most: stdin is read once). Mistakes (unreadable or empty inputs, an empty
word list, a prediction that is not GOLD's text line for line, options that
do not apply) are ValueErrors that name the input (``<stdin>`` for ``-``)
and, for a mismatch, the lines of the files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Collection, Iterable
from typing import Any

from ..engines.base import Standards
from .options import add_dictionary_arguments, add_engine_arguments, engine_name, make_tokenizer


def register(sub: Any) -> None:
    ev = sub.add_parser(
        "eval",
        help="score a segmentation against a gold file (SIGHAN scoring)",
        description="Precision, recall, F1, OOV and IV recall of PRED (or of segmenting "
        "GOLD's raw text with the chosen engine) against GOLD. Words are "
        "character spans. The OOV vocabulary is --vocab, else the model's "
        "training words of the standard (learned engine), else none.",
    )
    ev.add_argument(
        "gold",
        metavar="GOLD",
        help="gold file: one sentence a line, words separated by spaces ('-': stdin)",
    )
    ev.add_argument(
        "--pred", metavar="PRED", help="segmented file to score (same lines; '-': stdin)"
    )
    ev.add_argument(
        "--vocab", metavar="WORDS", help="in-vocabulary word list, one per line ('-': stdin)"
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object (fractions)")
    add_dictionary_arguments(ev)
    add_engine_arguments(ev)
    ev.set_defaults(func=run)


def refuse_with_pred(args: argparse.Namespace) -> None:
    """With ``--pred`` nothing is cut: the options that choose how to cut
    are refused, not ignored. The learned engine's options still choose
    the OOV vocabulary (the model's training words), unless ``--vocab``
    gives one."""
    cutting = [
        opt
        for opt, given in (
            ("-D/--dict", args.dict),
            ("-u/--user-dict", args.user_dict),
            ("--strict", args.strict),
            ("--domain", args.domain),
        )
        if given
    ]
    if args.engine is not None and args.engine != "learned":
        cutting.append(f"--engine {args.engine}")
    if cutting:
        raise ValueError(
            f"{', '.join(cutting)}: --pred scores PRED as it is, nothing is cut: drop "
            f"{'them' if len(cutting) > 1 else 'it'}, or drop --pred to cut GOLD's text"
        )
    learned = [f"--{k}" for k in ("engine", "standard", "model") if getattr(args, k) is not None]
    if args.vocab and learned:
        raise ValueError(
            f"{', '.join(learned)}: with --pred they choose only the OOV vocabulary (the "
            "model's training words), and --vocab gives it: drop one or the other"
        )


def refuse_two_stdins(args: argparse.Namespace) -> None:
    """At most one input may be ``-``: stdin is read once."""
    named = [
        opt
        for opt, value in (("GOLD", args.gold), ("--pred", args.pred), ("--vocab", args.vocab))
        if value == "-"
    ]
    if len(named) > 1:
        raise ValueError(
            f"{' and '.join(named)}: stdin ('-') can be read only once: only one input "
            "can be stdin, name files for the others"
        )


def label(path: str) -> str:
    """How messages name an input: ``<stdin>`` for ``-``."""
    return "<stdin>" if path == "-" else path


def read_segmented_input(path: str) -> list[list[str]]:
    """A segmented file, or stdin for ``-``."""
    from ..evaluate import parse_segmented, read_segmented

    if path == "-":
        return parse_segmented(sys.stdin.buffer.read(), label(path))
    return read_segmented(path)


def read_vocab_input(path: str) -> set[str]:
    """A word list with a word, or stdin for ``-``; ValueError naming the
    input when it has none (it would count every gold word as OOV)."""
    from ..evaluate import parse_vocab, read_vocab

    words = parse_vocab(sys.stdin.buffer.read(), label(path)) if path == "-" else read_vocab(path)
    if not words:
        raise ValueError(
            f"{label(path)}: the word list has no words: give a word list with one word "
            "per line, or leave --vocab out (no OOV/IV recall, or the learned model's "
            "training words)"
        )
    return words


def run(args: argparse.Namespace) -> int:
    from ..evaluate import score

    refuse_two_stdins(args)
    gold = read_segmented_input(args.gold)
    if not gold:
        raise ValueError(f"{label(args.gold)}: no words in the gold file: nothing to score")
    vocab: Collection[str] | None = read_vocab_input(args.vocab) if args.vocab else None
    pred: Iterable[list[str]]
    scored: dict[str, str | None]
    if args.pred:
        refuse_with_pred(args)
        pred = read_segmented_input(args.pred)
        scored = {"pred": args.pred}
        if vocab is None and engine_name(args) == "learned":
            vocab = set(make_tokenizer(args).training_vocab())
    else:
        tok = make_tokenizer(args)
        scored = {
            "engine": tok.engine.name,
            "standard": None,
            "model": None,
            "dictionary": tok.dictionary,
        }
        if isinstance(tok.engine, Standards):
            scored["standard"] = tok.standard
            scored["model"] = getattr(tok.engine, "model", None) or "bundled"
            if vocab is None:
                vocab = set(tok.training_vocab())
        pred = (tok.lcut("".join(words)) for words in gold)
    try:
        result = score(gold, pred, vocab)
    except ValueError as exc:
        if not args.pred:
            raise
        raise ValueError(
            f"{label(args.pred)} against {label(args.gold)}: {exc}; the prediction must be "
            "the gold file's text, line for line, segmented"
        ) from None
    if args.json:
        keys = ("precision", "recall", "f1", "oov_recall", "iv_recall", "gold_words", "pred_words")
        out: dict[str, object] = {k: getattr(result, k) for k in keys}
        out["scored"] = scored
        print(json.dumps(out, ensure_ascii=False))
    else:
        print("scored: " + ", ".join(f"{k} {v}" for k, v in scored.items() if v is not None))
        print(result.table())
    return 0
