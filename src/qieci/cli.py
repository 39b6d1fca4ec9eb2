"""The ``qieci`` command line (also ``python -m qieci``).

``qieci cut [FILE ...]`` segments files (or stdin) into the canonical corpus
format: one output line per input line, words joined by the delimiter, the
line terminators kept as they were.

Exit status: 0 on success, 2 on bad input or usage (a missing file, an
unreadable dictionary, invalid UTF-8), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ._version import __version__
from .lines import AtomicOutput, InputError, LineStats, open_input, read_lines
from .cli_pos import add_keywords_parser, add_pos_arguments, cmd_cut_pos


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qieci", description="Fast Chinese word segmentation."
    )
    parser.add_argument("--version", action="version", version=f"qieci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    cut = sub.add_parser(
        "cut", help="segment text files (or stdin) into space-separated words",
        description="Segment each input line; write one output line per input line.",
    )
    cut.add_argument("files", nargs="*", metavar="FILE",
                     help="input files; stdin when none is given or for '-'")
    cut.add_argument("-o", "--output", metavar="OUT",
                     help="output file (default: stdout); written atomically")
    cut.add_argument("-d", "--delimiter", default=" ", metavar="DELIM",
                     help="word delimiter (default: one space)")
    mode = cut.add_mutually_exclusive_group()
    mode.add_argument("--cut-all", action="store_true", help="full mode: all dictionary words")
    mode.add_argument("--search", action="store_true", help="search mode: add sub-words")
    cut.add_argument("--no-hmm", action="store_true", help="do not use the HMM for unknown words")
    cut.add_argument("-u", "--user-dict", action="append", default=[], metavar="USERDICT",
                     help="user dictionary (repeatable): 'word [freq] [tag]' per line")
    cut.add_argument("-D", "--dict", metavar="DICT",
                     help="main dictionary: jieba text format or qieci binary")
    cut.add_argument("--encoding", default="utf-8",
                     help="input encoding (utf-8, gbk, gb18030, big5, ...); output is UTF-8")
    cut.add_argument("--errors", choices=("strict", "replace", "skip-line"), default="strict",
                     help="invalid input bytes: fail (default), replace with U+FFFD, or skip the line")
    cut.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")
    cut.set_defaults(func=_cmd_cut)
    add_pos_arguments(cut)
    add_keywords_parser(sub)
    return parser


def _make_cutter(args: argparse.Namespace) -> Callable[[str], list[str]]:
    from .tokenizer import Tokenizer

    tok = Tokenizer(args.dict)
    tok.initialize()
    for path in args.user_dict:
        tok.load_userdict(path)
    hmm = not args.no_hmm
    if args.search:
        return lambda s: tok.lcut_for_search(s, HMM=hmm)
    if args.cut_all:
        return lambda s: tok.lcut(s, cut_all=True)
    return lambda s: tok.lcut(s, HMM=hmm)


def _cmd_cut(args: argparse.Namespace) -> int:
    if args.pos:  # tagging: qieci.cli_pos
        return cmd_cut_pos(args)
    cutter = _make_cutter(args)
    delim = args.delimiter
    inputs = args.files or ["-"]
    stats = LineStats()
    out = AtomicOutput(args.output) if args.output else None
    sink = out.file if out else sys.stdout.buffer
    try:
        for name in inputs:
            stream = open_input(name)
            label = "<stdin>" if name == "-" else name
            try:
                for text, term in read_lines(stream, label, encoding=args.encoding,
                                             errors=args.errors, stats=stats):
                    sink.write((delim.join(cutter(text)) + term).encode("utf-8", "surrogatepass"))
            finally:
                if stream is not sys.stdin.buffer:
                    stream.close()
        if out:
            out.commit()
        else:
            sink.flush()
    except BaseException:
        if out:
            out.abort()
        raise
    if stats.changed_lines and not args.quiet:
        verb = "skipped" if args.errors == "skip-line" else "repaired"
        print(f"qieci: {verb} {stats.changed_lines} line(s) with invalid input bytes",
              file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (InputError, ValueError, LookupError) as exc:
        print(f"qieci: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qieci: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `qieci cut big.txt | head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
