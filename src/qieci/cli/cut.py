"""``qieci cut [FILE ...]``: segment files (or stdin) into the corpus format.

One output line per input line, words joined by the delimiter, line ends
kept. Work is spread over ``--jobs`` worker processes (or a Dask cluster
with ``--scheduler``), memory stays bounded whatever the input, and output
files appear under their final names only when complete. ``--pos`` writes
``word/tag`` tokens (jieba engine).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import time
from typing import Any, BinaryIO, cast

from ..io.lines import (
    AtomicOutput,
    InputError,
    check_not_an_input,
    check_output_dir,
    check_output_path,
    open_input,
    open_output,
    remove_stale,
)
from ..io.stream import CutOptions, Progress, Segmenter, Stats, spill_directory
from .options import (
    add_dictionary_arguments,
    add_engine_arguments,
    add_input_arguments,
    count_or_all,
    engine_name,
    files_read,
    make_tokenizer,
)

#: The name of the spill folder of ``-o DIR/`` (``DIR/.qieci.XXXXXXXX.spill``).
SPILL_NAME = "qieci"


def register(sub: Any) -> None:
    cut = sub.add_parser(
        "cut",
        help="segment text files (or stdin) into space-separated words",
        description="Segment each input line; write one output line per input line.",
    )
    cut.add_argument(
        "files", nargs="*", metavar="FILE", help="input files; stdin when none is given or for '-'"
    )
    cut.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (default: stdout), or a directory (ending in '/', or "
        "existing) to write one output file per input file; written "
        "atomically",
    )
    cut.add_argument(
        "-d",
        "--delimiter",
        default=" ",
        metavar="DELIM",
        help="word delimiter (default: one space)",
    )
    mode = cut.add_mutually_exclusive_group()
    mode.add_argument("--cut-all", action="store_true", help="full mode: all dictionary words")
    mode.add_argument("--search", action="store_true", help="search mode: add sub-words")
    cut.add_argument("--no-hmm", action="store_true", help="do not use the HMM for unknown words")
    add_dictionary_arguments(cut)
    add_input_arguments(cut)
    cut.add_argument(
        "--newline",
        choices=("keep", "lf"),
        default="keep",
        help="line ends: keep them as they are (default), or write \\r\\n as \\n",
    )
    cut.add_argument(
        "-j",
        "--jobs",
        type=count_or_all,
        default=0,
        metavar="N",
        help="worker processes (default, or 0: all cores)",
    )
    cut.add_argument(
        "--resume",
        action="store_true",
        help="with -o DIR/: skip inputs whose output file already exists",
    )
    cut.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="segment on a dask.distributed cluster (needs -o DIR/ and qieci[dask])",
    )
    talk = cut.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar and no summary on stderr"
    )
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print the summary line even when stderr is not a terminal",
    )
    cut.add_argument(
        "--pos", action="store_true", help="tag the words (as jieba.posseg): write word/tag tokens"
    )
    cut.add_argument(
        "--pos-sep",
        default=None,
        metavar="SEP",
        help="with --pos: text between a word and its tag (default '/')",
    )
    add_engine_arguments(cut)
    cut.add_argument(
        "--adapt-self",
        action="store_true",
        help="learned engine: first learn the input's own domain (as 'qieci adapt' does), "
        "then cut with it; each file is read twice (not stdin)",
    )
    cut.set_defaults(func=run)


def cut_options(args: argparse.Namespace) -> CutOptions:
    """The library's options for this command's arguments."""
    if args.pos and (args.search or args.cut_all):
        raise InputError("--pos cannot be combined with --search or --cut-all")
    # options a built-in engine would accept and ignore (as its API does,
    # for jieba's signatures): on the command line they are refused
    ignored = {
        "learned": (("--cut-all", args.cut_all), ("--no-hmm", args.no_hmm)),
        "chars": (
            ("--cut-all", args.cut_all),
            ("--search", args.search),
            ("--no-hmm", args.no_hmm),
        ),
    }.get(engine_name(args), ())
    given = [name for name, on in ignored if on]
    if given:
        raise InputError(
            f"{', '.join(given)}: changes nothing with the {engine_name(args)} engine (its words "
            "are the same with and without it): drop it, or use --engine jieba"
        )
    mode = "search" if args.search else ("all" if args.cut_all else "default")
    try:
        return CutOptions(
            mode="pos" if args.pos else mode,
            hmm=not args.no_hmm,
            delimiter=args.delimiter,
            encoding=args.encoding,
            errors=args.errors,
            newline=args.newline,
            pos_sep="/" if args.pos_sep is None else args.pos_sep,
        )
    except ValueError as exc:  # the library names its parameters; say the options
        msg = str(exc)
        for param, option in (("the delimiter", "-d/--delimiter"), ("the pos_sep", "--pos-sep")):
            if msg.startswith(param + " "):
                msg = option + msg[len(param) :]
        raise InputError(msg) from None


def _output_is_dir(path: str | None) -> bool:
    if not path:
        return False
    return path.endswith(("/", os.sep)) or os.path.isdir(path)


def _output_names(inputs: list[str], out_dir: str, read: list[str] | None = None) -> list[str]:
    """The output file of each input in ``out_dir``; InputError when one
    would be a file the run reads (``read``: by default the inputs)."""
    if "-" in inputs:
        raise InputError("stdin cannot be cut into an output directory; name the files")
    names = [os.path.join(out_dir, os.path.basename(p)) for p in inputs]
    for name in names:
        check_not_an_input(name, inputs if read is None else read)
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InputError(f"several inputs would write {sorted(dup)[0]}")
    return names


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()  # the summary's rate counts the whole run
    inputs: list[str] = args.files or ["-"]
    # options that mean nothing without another: an error, never ignored
    if args.resume and not _output_is_dir(args.output):
        raise InputError(
            "--resume works with -o DIR/ (one output per input); drop it or use -o DIR/"
        )
    if args.pos_sep is not None and not args.pos:
        raise InputError("--pos-sep works with --pos (word/tag tokens); add --pos or drop it")
    if args.adapt_self:
        _check_adapt_self(args, inputs)
    for name in inputs:  # fail early, before any work, on a bad path
        if name != "-":
            open_input(name).close()
    opts = cut_options(args)
    if args.output and not _output_is_dir(args.output):
        check_output_path(args.output, files_read(args, inputs))  # before any work
    elif args.output:
        check_output_dir(args.output)
        _output_names(inputs, args.output, files_read(args, inputs))  # (before --adapt-self)
    if args.adapt_self:
        _adapt_self(args, inputs)
    if args.scheduler:
        return _cut_on_cluster(args, inputs, opts)
    tok = make_tokenizer(args, load=False)
    total = sum(os.path.getsize(p) for p in inputs if p != "-" and os.path.isfile(p))
    progress = Progress(total or None, enabled=not args.quiet and sys.stderr.isatty())
    stats = Stats()
    out_dir = _output_is_dir(args.output)
    if out_dir:
        os.makedirs(args.output, exist_ok=True)
        names = _output_names(inputs, args.output)
        # what killed runs left beside any of these outputs (with --resume
        # too, for outputs that are then skipped)
        remove_stale(args.output, [os.path.basename(n) for n in names] + [SPILL_NAME])
    near = os.path.join(args.output, SPILL_NAME) if out_dir else args.output
    with (
        spill_directory(near) as spill,
        Segmenter(tok, opts, args.jobs or None, spill_dir=spill) as seg,
    ):
        if out_dir:
            for src, dst in zip(inputs, _output_names(inputs, args.output), strict=True):
                if args.resume and os.path.exists(dst):
                    progress.advance(os.path.getsize(src))
                    continue
                with open_input(src) as stream, AtomicOutput(dst) as out:
                    stats.add(seg.run(stream, src, out.file, progress))
        else:
            with open_output(args.output) as sink:
                for i, src in enumerate(inputs):
                    more = i + 1 < len(inputs)
                    opened = open_input(src)
                    tracked: BinaryIO | _LastByte = opened
                    if more and not _is_regular(opened):  # (stdin, a pipe)
                        tracked = _LastByte(opened)
                    try:
                        name = "<stdin>" if src == "-" else src
                        stats.add(seg.run(cast(BinaryIO, tracked), name, sink, progress))
                        # one output line per input line: a file whose last
                        # line has no line break would run into the next
                        # file's first line (and its last word into the
                        # next file's first word)
                        if more and _last_byte(tracked) not in (b"", b"\n"):
                            sink.write(b"\n")
                    finally:
                        if opened is not sys.stdin.buffer:
                            opened.close()
    progress.finish()
    stats.seconds = time.perf_counter() - started
    # on a terminal, with -v, or whenever lines were repaired or skipped:
    # a changed line is never silent
    changed = stats.changed_lines or stats.skipped_lines
    if not args.quiet and (args.verbose or changed or sys.stderr.isatty()):
        print(f"qieci: {stats.summary()}", file=sys.stderr)
    return 0


class _LastByte:
    """A binary stream (stdin) read through, remembering its last byte."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.last = b""

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        if data:
            self.last = data[-1:]
        return data


def _is_regular(stream: BinaryIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _last_byte(stream: BinaryIO | _LastByte) -> bytes:
    """The last byte of an input that has been read to its end (b"" when
    it was empty)."""
    if isinstance(stream, _LastByte):
        return stream.last
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        return b""
    return os.pread(stream.fileno(), 1, size - 1)


def _check_adapt_self(args: argparse.Namespace, inputs: list[str]) -> None:
    """InputError for ``--adapt-self`` with what it cannot take, before any
    input is opened (a FIFO with no writer would be waited on first)."""
    if args.domain is not None:
        raise InputError("--adapt-self learns the domain of the input: give it or --domain")
    for name in inputs:  # (a pipe read by the first pass would be empty for the second)
        if name == "-" or not _is_regular_path(name):
            what = (
                "stdin"
                if name == "-"
                else f"{name} is not a regular file (a pipe or a device?), which"
            )
            raise InputError(
                f"--adapt-self reads the input twice, and {what} can be read only once: save "
                "the text to a file "
                "and name it, or adapt first (qieci adapt RAW -o DOMAIN) and cut with --domain"
            )
    if args.engine not in (None, "learned"):
        raise InputError("--adapt-self is for the learned engine (--engine learned)")


def _adapt_self(args: argparse.Namespace, inputs: list[str]) -> None:
    """``--adapt-self``: learn the domain of ``inputs`` and put it in
    ``args.domain`` (for the standard that will cut them); the options were
    checked by :func:`_check_adapt_self`."""
    args.engine = "learned"
    from ..discover.adapt import adapt
    from ..engines.learned.engine import model_standards

    standard = args.standard or model_standards(args.model)[1]
    domain = adapt(  # (an unknown standard is refused here, before any work)
        files=inputs,
        standards=[standard],
        model=args.model,
        encoding=args.encoding,
        errors=args.errors,
        jobs=args.jobs or None,
    )
    found = len(domain.words_for(standard))
    if found:
        args.domain = domain
    if not args.quiet and (args.verbose or sys.stderr.isatty() or not found):
        what = f"{found} words" if found else "no words: cutting without a domain"
        print(f"qieci: --adapt-self: the input's domain has {what}", file=sys.stderr)


def _is_regular_path(name: str) -> bool:
    """Whether ``name`` is a regular file (a stat, never an open: a FIFO
    with no writer is not waited on); a missing one counts as regular here
    (the read names it)."""
    try:
        return stat.S_ISREG(os.stat(name).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _cut_on_cluster(args: argparse.Namespace, inputs: list[str], opts: CutOptions) -> int:
    if not _output_is_dir(args.output):
        raise InputError("--scheduler needs an output directory: -o DIR/")
    if "-" in inputs:
        raise InputError("--scheduler cannot read stdin; name the files")
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install 'qieci[dask]'") from None
    from ..io.cluster import cut_text_files

    # the jieba engine's bundled dictionary is left to the workers (a file
    # named by -D or -u is read here, to report its errors before any work)
    tok = make_tokenizer(args, load=engine_name(args) != "jieba")
    with Client(args.scheduler) as client:
        outputs = cut_text_files(inputs, args.output, tok.spec(), client, options=opts)
    if not args.quiet:
        print(f"qieci: wrote {len(outputs)} partition files to {args.output}", file=sys.stderr)
    return 0
