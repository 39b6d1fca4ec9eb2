"""``qieci discover RAW... [-o words.tsv]``: the new words of raw text.

Writes the words that the lexicon lacks, best first, as TSV (``word``,
``freq``, ``score``, with a header line) or, with ``--format userdict``, as
a user dictionary that ``qieci cut --user-dict`` and ``load_userdict`` of
either engine read. Output files are written atomically, as ``qieci cut``
writes them.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..discover import FORMATS, DiscoverOptions, discover, write_words
from ..discover.api import MAX_LEN
from ..discover.model import DEFAULT_STANDARDS
from ..io.lines import LineStats, check_output_path, open_output
from .options import (
    add_counting_jobs_argument,
    add_input_arguments,
    files_read,
    positive_int,
    probability,
    report_changed_lines,
    whole_in,
    zero_or_more,
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "discover",
        help="find the new words of raw text (not in the lexicon), best first",
        description="Rank the words of raw text that the lexicon (jieba's dictionary, plus "
        "--lexicon files) lacks, by frequency, cohesion, branching entropy and the learned "
        "model's own segmentation. Output: TSV (word, freq, score) or a user dictionary.",
    )
    p.add_argument("files", nargs="+", metavar="RAW", help="raw UTF-8 text files ('-' for stdin)")
    p.add_argument(
        "-o", "--output", metavar="OUT", help="output file (default: stdout); written atomically"
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="tsv",
        help="tsv: word, freq, score with a header (default); userdict: one word per line, "
        "for qieci cut --user-dict",
    )
    p.add_argument("--top", type=positive_int, metavar="N", help="at most N words")
    p.add_argument(
        "--min-score",
        type=probability,
        default=0.5,
        metavar="P",
        help="the least score (the estimated probability of a word, 0..1; default 0.5)",
    )
    p.add_argument(
        "--min-freq",
        type=positive_int,
        default=2,
        metavar="N",
        help="the least frequency of a candidate found by the statistics (default 2; the "
        "words the model cuts count however rare)",
    )
    p.add_argument(
        "--max-len",
        type=whole_in(2, MAX_LEN),
        default=MAX_LEN,
        metavar="N",
        help=f"the longest word, in characters (2..{MAX_LEN}, default {MAX_LEN})",
    )
    p.add_argument(
        "--lexicon",
        action="append",
        default=[],
        metavar="WORDS",
        help="more known words (repeatable): one per line, or a user dictionary",
    )
    p.add_argument(
        "--no-jieba-lexicon",
        action="store_true",
        help="jieba's dictionary is not part of the lexicon",
    )
    p.add_argument(
        "-D", "--dict", metavar="DICT", help="another jieba-format dictionary as the lexicon"
    )
    p.add_argument(
        "--standard",
        action="append",
        metavar="S",
        help="a standard the learned model cuts the sample under (repeatable; default "
        f"{', '.join(DEFAULT_STANDARDS)})",
    )
    p.add_argument(
        "--model", metavar="PATH", help="learned model file (default: the bundled model)"
    )
    p.add_argument(
        "--no-model", action="store_true", help="statistics only: the learned model is not used"
    )
    p.add_argument(
        "--memory",
        type=positive_int,
        default=512,
        metavar="MB",
        help="MiB for the n-gram tables (default 512); rare n-grams are pruned to stay within it",
    )
    p.add_argument(
        "--sample-chars",
        type=zero_or_more,
        default=None,
        metavar="N",
        help="characters of the corpus the learned model reads (default 2000000)",
    )
    add_counting_jobs_argument(p)
    add_input_arguments(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model_options = [
        f"--{k.replace('_', '-')}"
        for k in ("model", "standard", "sample_chars")
        if getattr(args, k) is not None
    ]
    if args.no_model and model_options:
        raise ValueError(
            f"{', '.join(model_options)}: {'choose' if len(model_options) > 1 else 'chooses'} "
            "what the learned model does, and --no-model turns it off: drop one or the other"
        )
    if args.no_jieba_lexicon and args.dict is not None:
        raise ValueError(
            "-D/--dict replaces jieba's dictionary in the lexicon, and --no-jieba-lexicon "
            "leaves every dictionary out: drop one or the other (to add words to the "
            "lexicon, give them with --lexicon)"
        )
    if args.output:
        check_output_path(args.output, files_read(args, args.files))  # before any work
    if args.files.count("-") > 1:
        raise ValueError("stdin ('-') can be read only once")
    sample = {} if args.sample_chars is None else {"sample_chars": args.sample_chars}
    opts = DiscoverOptions(
        **sample,
        min_len=2,
        max_len=args.max_len,
        min_freq=args.min_freq,
        min_score=args.min_score,
        top=args.top,
        memory=args.memory << 20,
        model=not args.no_model,
        standards=tuple(args.standard) if args.standard else None,
        model_path=args.model,
        lexicons=tuple(args.lexicon),
        jieba_lexicon=not args.no_jieba_lexicon,
        dictionary=args.dict,
        encoding=args.encoding,
        errors=args.errors,
        jobs=args.jobs or None,
    )
    stats = LineStats()
    words = discover(files=args.files, options=opts, stats=stats)
    with open_output(args.output) as sink:
        write_words(words, sink, args.format)
    if not args.quiet:
        report_changed_lines(stats.changed_lines, args.errors)
    return 0
