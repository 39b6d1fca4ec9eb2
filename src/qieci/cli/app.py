"""Parsing and dispatch: every subcommand module registers its parser; the
errors a user can cause become one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn, TextIO

from .._version import __version__
from ..io.lines import InputChanged, InputError
from ..io.workers import WorkerError

#: The subcommand modules of this package, in the order ``qieci --help``
#: lists them. Each has ``register(subparsers)``.
COMMANDS = ("cut", "keywords", "discover", "adapt", "train", "eval", "standards", "serve")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand or, with ``only``, of that one alone:
    a run imports and builds only what its command needs (``qieci cut``
    starts without the modules of discover, keywords or serve)."""
    parser = argparse.ArgumentParser(prog="qieci", description="Fast Chinese word segmentation.")
    parser.add_argument("--version", action="version", version=f"qieci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning as the CLI shows it: one line, no source location."""
    print(f"qieci: warning: {message}", file=sys.stderr)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> int:
    # numpy's BLAS would start a thread pool the learned engine never uses,
    # and a process with threads is never forked: the workers would then
    # come from the fork server, which loads the model once more
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words[0] if words and words[0] in COMMANDS else None)
    args = parser.parse_args(words)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    with warnings.catch_warnings():  # restored on return (main may run in-process)
        warnings.showwarning = _show_warning
        return _run(args)


def run() -> NoReturn:
    """The ``qieci`` command and ``python -m qieci``: :func:`main` on
    ``sys.argv``, then the exit. When nothing is left to finish (no thread
    but this one; every file closed by ``main``), the process ends at once,
    once stdout and stderr are flushed: the interpreter's teardown of the
    loaded dictionary and modules would add about 10 ms to every run."""
    code = main()
    try:
        sys.stdout.flush()
    except (OSError, ValueError):  # the reader of stdout went away
        _drop_stdout()
        code = code or 1
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    if threading.active_count() == 1:
        os._exit(code)
    sys.exit(code)


#: Commands whose -o may be "-": stdout, as when -o is not given (a "-"
#: input is stdin); adapt and train write binary files, never to stdout.
_STDOUT_OUTPUT = frozenset({"cut", "keywords", "discover"})


def _run(args: argparse.Namespace) -> int:
    try:
        if getattr(args, "output", None) == "":
            raise ValueError(
                "-o '': the output path is empty: name the file to write"
                + (" (or leave -o out: stdout)" if args.command in _STDOUT_OUTPUT else "")
            )
        if getattr(args, "output", None) == "-":
            if getattr(args, "command", None) not in _STDOUT_OUTPUT:
                raise ValueError(
                    "-o -: this command writes a binary file, not text to stdout: name a file"
                )
            args.output = None
        return int(args.func(args))
    except (InputError, ValueError, LookupError) as exc:
        print(f"qieci: error: {exc}", file=sys.stderr)
        return 2
    except (WorkerError, InputChanged) as exc:  # a fault, not the user's mistake
        print(f"qieci: error: {exc}; {_what_was_written(args)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qieci: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `qieci cut big.txt | head`): quiet
        _drop_stdout()
        return 1
    except OSError as exc:  # a full disk, an I/O error: one line, no traceback
        name = exc.filename
        if name is None and exc.errno in _WRITE_ERRORS:  # only writes fail so
            name = getattr(args, "output", None) or "<stdout>"
        where = f"{name}: " if name else ""
        print(f"qieci: error: {where}{exc.strerror or exc}", file=sys.stderr)
        _drop_stdout()
        return 1


#: Errors that only a write gives: they concern the output.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _what_was_written(args: argparse.Namespace) -> str:
    """What a run that failed part way left, for its last message."""
    output = getattr(args, "output", None)
    if output is None:
        return "the output on stdout is incomplete"
    if output.endswith(("/", os.sep)) or os.path.isdir(output):
        return "the outputs completed before are in place (--resume goes on from there)"
    return "nothing was written under the output name"


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of
    what could not be written fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
