"""``qieci adapt``: domain statistics of raw text, for the learned engine."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .options import add_input_arguments, positive_int


def register(sub: Any) -> None:
    ad = sub.add_parser(
        "adapt",
        help="count a domain's raw text for the learned engine (then: cut --domain)",
        description="Read raw text of a domain (no annotation) and write the "
        "statistics the learned engine reads with --domain: the branching "
        "entropy of every Han n-gram of 2 to 4 characters seen often enough.",
    )
    ad.add_argument("inputs", nargs="+", metavar="RAW", help="raw text files ('-': stdin)")
    ad.add_argument("-o", "--output", required=True, metavar="DOMAIN", help="domain file to write")
    ad.add_argument(
        "--min-count",
        type=positive_int,
        default=2,
        metavar="N",
        help="keep grams seen at least N times (default 2)",
    )
    add_input_arguments(ad)
    ad.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..discover.reading import read_files
    from ..engines.learned.domain import count
    from ..io.lines import check_output_path

    check_output_path(args.output)
    texts = read_files(args.inputs, encoding=args.encoding, errors=args.errors)
    stats = count(texts, args.min_count)
    if stats.chars == 0:
        raise ValueError("the input has no text: nothing to adapt to")
    stats.save(args.output)
    note = " (the gram table was full: later new grams were not counted)" if stats.full else ""
    print(
        f"qieci: wrote {args.output}: {stats.keys.size} grams from {stats.chars} chars{note}",
        file=sys.stderr,
    )
    return 0
