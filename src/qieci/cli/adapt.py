"""``qieci adapt``: a domain for the learned engine, from raw text."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .options import (
    add_counting_jobs_argument,
    add_input_arguments,
    files_read,
    positive_int,
    report_changed_lines,
    write_file,
)


def register(sub: Any) -> None:
    ad = sub.add_parser(
        "adapt",
        help="learn a domain from its raw text, for the learned engine (then: cut --domain)",
        description="Read raw text of a domain (no annotation) and write what the "
        "learned engine reads with --domain: the domain's new words (found by "
        "discovery), the words the model itself cuts there under each standard, and "
        "the branching entropy of the Han n-grams of 2 to 4 characters.",
    )
    ad.add_argument("inputs", nargs="+", metavar="RAW", help="raw text files ('-': stdin)")
    ad.add_argument("-o", "--output", required=True, metavar="DOMAIN", help="domain file to write")
    ad.add_argument(
        "--standard",
        action="append",
        metavar="S",
        help="a standard to find the model's own words under (repeatable; default: "
        "all of the model's standards)",
    )
    ad.add_argument(
        "--model", metavar="PATH", help="learned model file (default: the bundled model)"
    )
    ad.add_argument(
        "--min-count",
        type=positive_int,
        default=2,
        metavar="N",
        help="keep grams and model words seen at least N times (default 2)",
    )
    add_counting_jobs_argument(ad)
    add_input_arguments(ad)
    ad.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")
    ad.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..discover.adapt import adapt
    from ..io.lines import LineStats, check_output_path

    check_output_path(args.output, files_read(args, args.inputs))
    if args.inputs.count("-") > 1:
        raise ValueError("stdin ('-') can be read only once")
    read = LineStats()
    domain = adapt(
        files=args.inputs,
        standards=args.standard,
        model=args.model,
        min_count=args.min_count,
        encoding=args.encoding,
        errors=args.errors,
        jobs=args.jobs or None,
        stats=read,
    )
    if domain.chars == 0:
        raise ValueError("the input has no text: nothing to adapt to")
    if not any(domain.words.values()) and not domain.keys.size:
        raise ValueError(
            f"the input's {domain.chars} characters gave an empty domain (no word or n-gram "
            "was seen often enough): adapt on more text of the domain; nothing was written"
        )
    write_file(args.output, domain.to_bytes())
    report_changed_lines(read.changed_lines, args.errors)
    if not args.quiet:
        found = len(domain.words.get("*", ()))
        own = sum(len(v) for k, v in domain.words.items() if k != "*")
        note = " (the gram table was full: later new grams were not counted)" if domain.full else ""
        print(
            f"qieci: wrote {args.output}: {found} discovered words, {own} model words over "
            f"{len(domain.words) - 1} standard(s), {domain.keys.size} grams, from "
            f"{domain.chars} chars{note}",
            file=sys.stderr,
        )
    return 0
