"""The command-line pieces for part-of-speech tags and keywords.

* ``qieci cut --pos [--pos-sep SEP]``: the options; the tagging itself runs
  in :mod:`qieci.stream` like every other ``cut`` mode (``CutOptions(mode=
  "pos")``), with workers, pieces of long lines and atomic output.
* ``qieci keywords [FILE ...]``: the top-K keywords of each input line (or,
  with ``--document``, of each whole file): TF-IDF by default, TextRank with
  ``--textrank``; plain text (keywords joined by spaces, ``word:weight`` with
  ``--with-weight``) or one JSON array per line with ``--json``.

:mod:`qieci.cli` only wires these in. Both read and write as ``qieci cut``
does (UTF-8 output, line ends kept, output files written atomically).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from .lines import AtomicOutput, LineStats, open_input, read_lines


def add_pos_arguments(cut: argparse.ArgumentParser) -> None:
    """Add ``--pos`` and ``--pos-sep`` to the ``cut`` parser."""
    cut.add_argument("--pos", action="store_true",
                     help="tag the words (as jieba.posseg): write word/tag tokens")
    cut.add_argument("--pos-sep", default="/", metavar="SEP",
                     help="with --pos: text between a word and its tag (default '/')")


def _tokenizer(args: argparse.Namespace):
    """The tokenizer of ``-D`` and ``-u``, built as ``qieci cut`` builds it."""
    from .cli import _tokenizer as build

    return build(args)


def _lines(inputs: list[str], args: argparse.Namespace,
           stats: LineStats) -> Iterator[tuple[str, str, str]]:
    """``(file label, text, terminator)`` of every input line."""
    for name in inputs:
        stream = open_input(name)
        label = "<stdin>" if name == "-" else name
        try:
            for text, term in read_lines(stream, label, encoding=args.encoding,
                                         errors=args.errors, stats=stats):
                yield label, text, term
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()


def _write_all(args: argparse.Namespace, produce: Callable[[BinaryIO, LineStats], None]) -> int:
    stats = LineStats()
    out = AtomicOutput(args.output) if args.output else None
    sink = out.file if out else sys.stdout.buffer
    try:
        produce(sink, stats)
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


def add_keywords_parser(sub: Any) -> None:
    """Register the ``keywords`` subcommand."""
    kw = sub.add_parser(
        "keywords", help="extract keywords (TF-IDF or TextRank) of each line or file",
        description="Print the top-K keywords of each input line (or of each file with "
                    "--document), as jieba.analyse extracts them.",
    )
    kw.add_argument("files", nargs="*", metavar="FILE",
                    help="input files; stdin when none is given or for '-'")
    kw.add_argument("-o", "--output", metavar="OUT",
                    help="output file (default: stdout); written atomically")
    kw.add_argument("-k", "--topk", type=int, default=20, metavar="K",
                    help="keywords per line or document (default 20; 0 = all)")
    kw.add_argument("--textrank", action="store_true", help="use TextRank instead of TF-IDF")
    kw.add_argument("-w", "--with-weight", action="store_true", help="print the weights too")
    kw.add_argument("--json", action="store_true",
                    help="one JSON array per line: keywords, or [keyword, weight] pairs")
    kw.add_argument("--allow-pos", metavar="TAGS",
                    help="comma-separated tags a keyword must have (TextRank default: "
                         "ns,n,vn,v; TF-IDF default: any)")
    kw.add_argument("--document", action="store_true",
                    help="one result per input file (the whole file is the text)")
    kw.add_argument("--idf", metavar="IDF", help="IDF table: 'word idf' lines, or qieci binary")
    kw.add_argument("--stop-words", action="append", default=[], metavar="FILE",
                    help="extra stop words, one per line (repeatable)")
    kw.add_argument("-u", "--user-dict", action="append", default=[], metavar="USERDICT",
                    help="user dictionary (repeatable): 'word [freq] [tag]' per line")
    kw.add_argument("-D", "--dict", metavar="DICT",
                    help="main dictionary: jieba text format or qieci binary")
    kw.add_argument("--encoding", default="utf-8", help="input encoding; output is UTF-8")
    kw.add_argument("--errors", choices=("strict", "replace", "skip-line"), default="strict",
                    help="invalid input bytes: fail (default), replace, or skip the line")
    kw.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")
    kw.set_defaults(func=cmd_keywords)


def make_extractor(args: argparse.Namespace) -> Callable[[str], list[Any]]:
    """The keyword function the options describe."""
    from .analyse import TFIDF, TextRank

    tok = _tokenizer(args)
    topk = args.topk or None
    allow = tuple(t for t in (args.allow_pos or "").split(",") if t)
    if args.textrank:
        tr = TextRank(tokenizer=tok)
        for path in args.stop_words:
            tr.set_stop_words(path)
        pos = allow or ("ns", "n", "vn", "v")
        return lambda s: tr.textrank(s, topk, args.with_weight, pos)
    tf = TFIDF(args.idf, tokenizer=tok)
    for path in args.stop_words:
        tf.set_stop_words(path)
    return lambda s: tf.extract_tags(s, topk, args.with_weight, allow)


def format_keywords(keywords: list[Any], as_json: bool) -> str:
    """One output line (without its terminator) for a result."""
    if as_json:
        return json.dumps([list(k) if isinstance(k, tuple) else k for k in keywords],
                          ensure_ascii=False)
    return " ".join(f"{k[0]}:{k[1]:.6g}" if isinstance(k, tuple) else k for k in keywords)


def cmd_keywords(args: argparse.Namespace) -> int:
    extract = make_extractor(args)
    inputs = args.files or ["-"]

    def produce(sink: BinaryIO, stats: LineStats) -> None:
        def emit(keywords: list[Any], term: str) -> None:
            line = format_keywords(keywords, args.json) + term
            sink.write(line.encode("utf-8", "surrogatepass"))

        if not args.document:
            for _, text, term in _lines(inputs, args, stats):
                emit(extract(text), term or "\n")
            return
        for name in inputs:
            doc = "".join(text + term for _, text, term in _lines([name], args, stats))
            emit(extract(doc), "\n")

    return _write_all(args, produce)
