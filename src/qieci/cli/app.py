"""Parsing and dispatch: every subcommand module registers its parser; the
errors a user can cause become one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from types import FrameType
from typing import TextIO

from .._version import __version__
from ..io.lines import InputError
from ..io.workers import WorkerError
from . import cut, eval, keywords, serve, standards, train

#: The subcommand modules, in the order ``qieci --help`` lists them.
COMMANDS = (cut, keywords, train, eval, standards, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qieci", description="Fast Chinese word segmentation.")
    parser.add_argument("--version", action="version", version=f"qieci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    with warnings.catch_warnings():  # restored on return (main may run in-process)
        warnings.showwarning = _show_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except (InputError, ValueError, LookupError) as exc:
        print(f"qieci: error: {exc}", file=sys.stderr)
        return 2
    except WorkerError as exc:  # a fault, not the user's mistake
        print(f"qieci: error: {exc}; nothing was written under the output name", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qieci: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `qieci cut big.txt | head`): quiet
        _drop_stdout()
        return 1
    except OSError as exc:  # a full disk, an I/O error: one line, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"qieci: error: {where}{exc.strerror or exc}", file=sys.stderr)
        _drop_stdout()
        return 1


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of
    what could not be written fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
