"""The ``qieci`` command line (also ``python -m qieci``).

``qieci cut [FILE ...]`` segments files (or stdin) into the canonical corpus
format: one output line per input line, words joined by the delimiter, the
line terminators kept as they were. Work is spread over ``--jobs`` worker
processes, memory stays bounded whatever the input, and output files appear
under their final names only when complete.

Exit status: 0 on success, 2 on bad input or usage (a missing file, an
unreadable dictionary, invalid UTF-8), 130 when interrupted (SIGINT), 143 on
SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence

from ._version import __version__
from .lines import AtomicOutput, InputError, open_input, open_output
from .cli_pos import add_keywords_parser, add_pos_arguments
from .cli_learned import add_engine_arguments, add_learned_parsers, engine_of, make_tokenizer


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
                     help="output file (default: stdout), or a directory (ending in '/', or "
                          "existing) to write one output file per input file; written "
                          "atomically")
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
    cut.add_argument("--newline", choices=("keep", "lf"), default="keep",
                     help="line ends: keep them as they are (default), or write \\r\\n as \\n")
    cut.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                     help="worker processes (default: all cores)")
    cut.add_argument("--resume", action="store_true",
                     help="with -o DIR/: skip inputs whose output file already exists")
    cut.add_argument("--scheduler", metavar="ADDRESS",
                     help="segment on a dask.distributed cluster (needs -o DIR/ and qieci[dask])")
    cut.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bar and no summary on stderr")
    cut.set_defaults(func=_cmd_cut)
    add_pos_arguments(cut)
    add_engine_arguments(cut)
    add_keywords_parser(sub)
    add_learned_parsers(sub)
    return parser


def _tokenizer(args: argparse.Namespace):
    from .tokenizer import Tokenizer

    if engine_of(args) == "learned":
        return make_tokenizer(args)
    tok = Tokenizer(args.dict)
    if args.dict or args.user_dict:
        # report a bad dictionary before any work; the bundled one loads
        # lazily, so that with workers the main process never needs it
        tok.initialize()
    for path in args.user_dict:
        tok.load_userdict(path)
    return tok


def _options(args: argparse.Namespace):
    from .stream import CutOptions

    if args.pos and (args.search or args.cut_all):
        raise InputError("--pos cannot be combined with --search or --cut-all")
    mode = "search" if args.search else ("all" if args.cut_all else "default")
    return CutOptions(mode="pos" if args.pos else mode, hmm=not args.no_hmm,
                      delimiter=args.delimiter, encoding=args.encoding, errors=args.errors,
                      newline=args.newline, pos_sep=args.pos_sep)


def _output_is_dir(path: str | None) -> bool:
    return bool(path) and (path.endswith(("/", os.sep)) or os.path.isdir(path))


def _output_names(inputs: list[str], out_dir: str) -> list[str]:
    if "-" in inputs:
        raise InputError("stdin cannot be cut into an output directory; name the files")
    names = [os.path.join(out_dir, os.path.basename(p)) for p in inputs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InputError(f"several inputs would write {sorted(dup)[0]}")
    return names


def _cmd_cut(args: argparse.Namespace) -> int:
    from .stream import Progress, Segmenter, Stats, spill_directory

    inputs = args.files or ["-"]
    for name in inputs:  # fail early, before any work, on a bad path
        if name != "-":
            open_input(name).close()
    opts = _options(args)
    if args.scheduler:
        return _cut_on_cluster(args, inputs, opts)
    tok = _tokenizer(args)
    total = sum(os.path.getsize(p) for p in inputs if p != "-" and os.path.isfile(p))
    progress = Progress(total or None, enabled=not args.quiet and sys.stderr.isatty())
    stats = Stats()
    out_dir = _output_is_dir(args.output)
    if out_dir:
        os.makedirs(args.output, exist_ok=True)
    near = os.path.join(args.output, "x") if out_dir else args.output
    with spill_directory(near) as spill, Segmenter(tok, opts, args.jobs or None,
                                                   spill_dir=spill) as seg:
        if out_dir:
            for src, dst in zip(inputs, _output_names(inputs, args.output)):
                if args.resume and os.path.exists(dst):
                    progress.advance(os.path.getsize(src))
                    continue
                with open_input(src) as stream, AtomicOutput(dst) as out:
                    stats.add(seg.run(stream, src, out.file, progress))
        else:
            with open_output(args.output) as sink:
                for src in inputs:
                    stream = open_input(src)
                    try:
                        stats.add(seg.run(stream, "<stdin>" if src == "-" else src, sink, progress))
                    finally:
                        if stream is not sys.stdin.buffer:
                            stream.close()
    progress.finish()
    stats.seconds = time.perf_counter() - progress.start
    if not args.quiet:
        print(f"qieci: {stats.summary()}", file=sys.stderr)
    return 0


def _cut_on_cluster(args: argparse.Namespace, inputs: list[str], opts) -> int:
    if not _output_is_dir(args.output):
        raise InputError("--scheduler needs an output directory: -o DIR/")
    if "-" in inputs:
        raise InputError("--scheduler cannot read stdin; name the files")
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install 'qieci[dask]'") from None
    from .dask import cut_text_files

    with Client(args.scheduler) as client:
        outputs = cut_text_files(inputs, args.output, client=client, options=opts,
                                 dictionary=args.dict, user_dicts=args.user_dict,
                                 tokenizer=make_tokenizer(args)
                                 if engine_of(args) == "learned" else None)
    if not args.quiet:
        print(f"qieci: wrote {len(outputs)} partition files to {args.output}", file=sys.stderr)
    return 0


def _on_sigterm(signum, frame) -> None:
    raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
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
