"""``qieci adapt``: domain statistics of raw text, for the learned engine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from .options import add_input_arguments


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
        type=int,
        default=2,
        metavar="N",
        help="keep grams seen at least N times (default 2)",
    )
    add_input_arguments(ad)
    ad.set_defaults(func=run)


def raw_lines(paths: list[str], encoding: str, errors: str) -> Iterator[str]:
    """The lines of ``paths``, decoded with exact error positions."""
    from ..io.lines import open_input, read_lines

    for path in paths:
        f = open_input(path)
        try:
            name = "<stdin>" if path == "-" else path
            for text, _ in read_lines(f, name, encoding=encoding, errors=errors):
                yield text + "\n"
        finally:
            if f is not sys.stdin.buffer:
                f.close()


def run(args: argparse.Namespace) -> int:
    from ..engines.learned.domain import count
    from ..io.lines import check_output_path

    if args.min_count < 1:
        raise ValueError("--min-count must be at least 1")
    check_output_path(args.output)
    stats = count(raw_lines(args.inputs, args.encoding, args.errors), args.min_count)
    if stats.chars == 0:
        raise ValueError("the input has no text: nothing to adapt to")
    stats.save(args.output)
    note = " (the gram table was full: later new grams were not counted)" if stats.full else ""
    print(
        f"qieci: wrote {args.output}: {stats.keys.size} grams from {stats.chars} chars{note}",
        file=sys.stderr,
    )
    return 0
