"""Options that several subcommands share, and the tokenizer they describe."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..engines import ENGINES
from ..tokenizer import Tokenizer


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _at_least(text: str, low: int, says: str) -> int:
    value = _whole(text)
    if value < low:
        raise argparse.ArgumentTypeError(f"must be {says}, not {value}")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return _at_least(text, 1, "at least 1")


def zero_or_more(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    return _at_least(text, 0, "0 or more")


def count_or_all(text: str) -> int:
    """An argparse type: a whole number of at least 0 (0 meaning all)."""
    return _at_least(text, 0, "0 (all) or more")


def whole_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        value = _whole(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low}..{high}, not {value}")
        return value

    return parse


def probability(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    if not 0.0 <= _number(text) <= 1.0:  # (nan is neither)
        raise argparse.ArgumentTypeError(f"must be a probability, 0..1, not {text}")
    return float(text)


def positive_float(text: str) -> float:
    """An argparse type: a number above 0."""
    if not _number(text) > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return float(text)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine``, ``--standard``, ``--model``, ``--domain``."""
    parser.add_argument(
        "--engine",
        default=None,
        metavar="NAME",
        help=f"segmentation engine: {', '.join(ENGINES)}, or an engine class of your own as "
        "module:Class (default: jieba; learned when --standard, --model or --domain is given)",
    )
    parser.add_argument(
        "--standard",
        metavar="S",
        help="learned engine: segmentation standard (see 'qieci standards')",
    )
    parser.add_argument(
        "--model", metavar="PATH", help="learned engine: model file (default: the bundled model)"
    )
    parser.add_argument(
        "--domain",
        metavar="PATH",
        help="learned engine: domain statistics of your text, from 'qieci adapt'",
    )


def add_dictionary_arguments(parser: argparse.ArgumentParser) -> None:
    """``-u/--user-dict``, ``-D/--dict`` and ``--strict``."""
    parser.add_argument(
        "-u",
        "--user-dict",
        action="append",
        default=[],
        metavar="USERDICT",
        help="user dictionary (repeatable): 'word [freq] [tag]' per line",
    )
    parser.add_argument(
        "-D", "--dict", metavar="DICT", help="main dictionary: jieba text format or qieci binary"
    )
    add_strict_argument(parser)


def add_strict_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a user-dictionary line that looks like a mistake is an error, not a warning",
    )


def add_counting_jobs_argument(parser: argparse.ArgumentParser) -> None:
    """``-j/--jobs`` of the commands that count a corpus (discover, adapt)."""
    parser.add_argument(
        "-j",
        "--jobs",
        type=count_or_all,
        default=1,
        metavar="N",
        help="worker processes counting parts of the files (default 1; 0: all cores)",
    )


def report_changed_lines(changed: int, errors: str) -> None:
    """The one line on stderr that says how many input lines ``--errors``
    repaired or skipped (none: nothing)."""
    if changed:
        verb = "skipped" if errors == "skip-line" else "repaired"
        print(f"qieci: {verb} {changed} line(s) with invalid input bytes", file=sys.stderr)


def _encoding(name: str) -> str:
    from ..io.lines import check_encoding

    try:
        check_encoding(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--encoding`` and ``--errors``."""
    parser.add_argument(
        "--encoding",
        default="utf-8",
        type=_encoding,
        help="input encoding (utf-8, gbk, gb18030, big5, ...: one in which ASCII is ASCII); "
        "output is UTF-8",
    )
    parser.add_argument(
        "--errors",
        choices=("strict", "replace", "skip-line"),
        default="strict",
        help="invalid input bytes: fail (default), replace with U+FFFD, or skip the line",
    )


#: The options of any command whose values are files the command reads
#: besides its text (models, domains, dictionaries, word lists, tables).
DATA_FILE_OPTIONS = ("model", "domain", "user_dict", "dict", "idf", "stop_words", "lexicon")


def files_read(args: argparse.Namespace, texts: list[str]) -> list[str]:
    """Every file a run of ``args`` reads: the text inputs ``texts`` and the
    data files its options name, which ``-o`` must never overwrite."""
    names = list(texts)
    for option in DATA_FILE_OPTIONS:
        value = getattr(args, option, None)
        if isinstance(value, (list, tuple)):
            names += [str(v) for v in value]
        elif value is not None:
            names.append(str(value))
    return names


def engine_name(args: argparse.Namespace) -> str:
    """The engine the options ask for: ``--engine``, else learned when
    ``--standard``, ``--model`` or ``--domain`` is given, else jieba."""
    learned = [
        f"--{k}" for k in ("standard", "model", "domain") if getattr(args, k, None) is not None
    ]
    engine = getattr(args, "engine", None)
    if engine is None:
        return "learned" if learned else "jieba"
    if engine != "learned" and learned:
        raise ValueError(f"{', '.join(learned)}: for the learned engine only (--engine learned)")
    return str(engine)


def check_strict(args: argparse.Namespace) -> None:
    """``--strict`` checks user dictionaries: without ``-u`` it would do
    nothing, so it is refused rather than ignored."""
    if getattr(args, "strict", False) and not (getattr(args, "user_dict", None) or []):
        raise ValueError(
            "--strict checks user dictionaries: give one with -u USERDICT, or drop --strict"
        )


def make_tokenizer(args: argparse.Namespace, *, load: bool = True) -> Tokenizer:
    """The tokenizer of the engine options, ``--dict`` and ``--user-dict``.

    With ``load``, the engine loads now, so that a bad file is reported
    before any work; without it, the bundled data loads lazily (with worker
    processes the main process then never needs it), and only a file the
    user named is checked now.
    """
    check_strict(args)
    engine = engine_name(args)
    dictionary = getattr(args, "dict", None)
    if dictionary and engine != "jieba":
        raise ValueError("--dict applies to the jieba engine only")
    tok = Tokenizer(
        dictionary,
        engine=engine,
        standard=getattr(args, "standard", None),
        model=getattr(args, "model", None),
        domain=getattr(args, "domain", None),
    )
    user_dicts = getattr(args, "user_dict", None) or []
    if load or dictionary or user_dicts or engine != "jieba":
        tok.initialize()
    for path in user_dicts:
        tok.load_userdict(path, strict=bool(getattr(args, "strict", False)))
    return tok


def write_file(path: str, data: bytes) -> None:
    """Write ``data`` to the output file ``path`` as ``qieci cut -o`` writes
    (:class:`~qieci.io.lines.AtomicOutput`: all or nothing, through a
    symlink to the file it leads to, a file replaced keeping its
    permissions)."""
    from ..io.lines import AtomicOutput

    with AtomicOutput(path) as out:
        out.file.write(data)
