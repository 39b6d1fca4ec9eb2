"""``qieci keywords [FILE ...]``: the top-K keywords of each line or file.

TF-IDF by default, TextRank with ``--textrank``; plain text (keywords
joined by spaces, ``word:weight`` with ``--with-weight``) or one JSON array
per line with ``--json``. Reads and writes as ``qieci cut`` does (UTF-8
output, line ends kept, output files written atomically). A tag of
``--allow-pos`` that the tokenizer's tagger never gives is an error (the
Python API, like jieba, takes any tag).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from ..analyse import TFIDF, TextRank
from ..io.lines import AtomicOutput, LineStats, check_output_path, open_input, read_lines
from ..tokenizer import Tokenizer
from .options import (
    add_dictionary_arguments,
    add_input_arguments,
    count_or_all,
    files_read,
    make_tokenizer,
)


def register(sub: Any) -> None:
    kw = sub.add_parser(
        "keywords",
        help="extract keywords (TF-IDF or TextRank) of each line or file",
        description="Print the top-K keywords of each input line (or of each file with "
        "--document), as jieba.analyse extracts them.",
    )
    kw.add_argument(
        "files", nargs="*", metavar="FILE", help="input files; stdin when none is given or for '-'"
    )
    kw.add_argument(
        "-o", "--output", metavar="OUT", help="output file (default: stdout); written atomically"
    )
    kw.add_argument(
        "-k",
        "--topk",
        type=count_or_all,
        default=20,
        metavar="K",
        help="keywords per line or document (default 20; 0 = all)",
    )
    kw.add_argument("--textrank", action="store_true", help="use TextRank instead of TF-IDF")
    kw.add_argument("-w", "--with-weight", action="store_true", help="print the weights too")
    kw.add_argument(
        "--json",
        action="store_true",
        help="one JSON array per line: keywords, or [keyword, weight] pairs",
    )
    kw.add_argument(
        "--allow-pos",
        metavar="TAGS",
        help="comma-separated tags a keyword must have, tags the POS tagger gives "
        "(see cut --pos; TextRank default: ns,n,vn,v; TF-IDF default: any)",
    )
    kw.add_argument(
        "--document",
        action="store_true",
        help="one result per input file (the whole file is the text)",
    )
    kw.add_argument("--idf", metavar="IDF", help="IDF table: 'word idf' lines, or qieci binary")
    kw.add_argument(
        "--stop-words",
        action="append",
        default=[],
        metavar="FILE",
        help="extra stop words, one per line (repeatable)",
    )
    add_dictionary_arguments(kw)
    add_input_arguments(kw)
    kw.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")
    kw.set_defaults(func=run)


def make_extractor(
    tok: Tokenizer,
    *,
    textrank: bool,
    topk: int | None,
    with_weight: bool,
    allow_pos: tuple[str, ...],
    idf: str | None,
    stop_words: list[str],
) -> Callable[[str], list[Any]]:
    """The keyword function of these settings, over ``tok``."""
    if textrank:
        tr = TextRank(tokenizer=tok)
        for path in stop_words:
            tr.set_stop_words(path)
        pos = allow_pos or ("ns", "n", "vn", "v")
        return lambda s: tr.textrank(s, topk, with_weight, pos)
    tf = TFIDF(idf, tokenizer=tok)
    for path in stop_words:
        tf.set_stop_words(path)
    return lambda s: tf.extract_tags(s, topk, with_weight, allow_pos)


def allowed_tags(text: str | None) -> tuple[str, ...]:
    """The tags of ``--allow-pos`` (comma-separated, spaces around a tag
    ignored); () when the option is not given. Given, it must name a tag:
    an empty list would otherwise mean the defaults or nothing, silently."""
    if text is None:
        return ()
    tags = tuple(t.strip() for t in text.split(",") if t.strip())
    if not tags:
        raise ValueError(
            f"--allow-pos {text!r} names no tag: give tags such as n,ns,v, or leave it out "
            "(TextRank: ns,n,vn,v; TF-IDF: any)"
        )
    bad = [t for t in tags if any(c.isspace() for c in t)]
    if bad:
        raise ValueError(f"--allow-pos: {bad[0]!r} is not a tag (separate tags with commas)")
    return tags


def tagger_tags(tok: Tokenizer) -> frozenset[str] | None:
    """Every tag ``tok``'s POS tagger can give, user tags (``add_word``,
    user dictionaries) included. None when the engine is not jieba's (no
    other engine tags, and :class:`~qieci.engines.base.Tagging` names no tag
    set)."""
    from ..engines.jieba.engine import JiebaEngine

    engine = tok.engine
    if not isinstance(engine, JiebaEngine):
        return None
    return engine.tag_set(tok.pos_tags())


def check_tags(tags: tuple[str, ...], tok: Tokenizer) -> None:
    """ValueError naming the tags of ``--allow-pos`` that ``tok``'s tagger
    never gives (so that no word could be a keyword), with the valid ones."""
    known = tagger_tags(tok)
    if known is None:
        return
    unknown = [t for t in tags if t not in known]
    if unknown:
        names = ", ".join(repr(t) for t in unknown)
        raise ValueError(
            f"--allow-pos: unknown tag{'s' if len(unknown) > 1 else ''} {names} (no word is "
            f"ever tagged so); the tagger's tags are "
            f"{','.join(sorted(known))} (see qieci cut --pos)"
        )


def format_keywords(keywords: list[Any], as_json: bool) -> str:
    """One output line (without its terminator) for a result."""
    if as_json:
        return json.dumps(
            [list(k) if isinstance(k, tuple) else k for k in keywords], ensure_ascii=False
        )
    return " ".join(f"{k[0]}:{k[1]:.6g}" if isinstance(k, tuple) else k for k in keywords)


def _lines(
    inputs: list[str], encoding: str, errors: str, stats: LineStats
) -> Iterator[tuple[str, str]]:
    """``(text, terminator)`` of every input line."""
    for name in inputs:
        stream = open_input(name)
        label = "<stdin>" if name == "-" else name
        try:
            yield from read_lines(stream, label, encoding=encoding, errors=errors, stats=stats)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()


def run(args: argparse.Namespace) -> int:
    inputs: list[str] = args.files or ["-"]
    if inputs.count("-") > 1:
        raise ValueError("stdin ('-') can be read only once")
    for name in inputs:  # fail early, before any output, on a bad path
        if name != "-":
            open_input(name).close()
    if args.textrank and args.idf:
        raise ValueError(
            "--idf is TF-IDF's table, and TextRank uses none: drop --idf or --textrank"
        )
    if args.output:
        check_output_path(args.output, files_read(args, inputs))  # before any work
    allow_pos = allowed_tags(args.allow_pos)
    tok = make_tokenizer(args, load=False)
    if allow_pos:  # after -u, whose tags count
        check_tags(allow_pos, tok)
    extract = make_extractor(
        tok,
        textrank=args.textrank,
        topk=args.topk or None,
        with_weight=args.with_weight,
        allow_pos=allow_pos,
        idf=args.idf,
        stop_words=args.stop_words,
    )
    stats = LineStats()
    out = AtomicOutput(args.output) if args.output else None
    sink: BinaryIO = out.file if out else sys.stdout.buffer

    def emit(keywords: list[Any], term: str) -> None:
        sink.write((format_keywords(keywords, args.json) + term).encode("utf-8", "surrogatepass"))

    try:
        if args.document:
            for name in inputs:
                doc = "".join(
                    t + term for t, term in _lines([name], args.encoding, args.errors, stats)
                )
                emit(extract(doc), "\n")
        else:
            for text, term in _lines(inputs, args.encoding, args.errors, stats):
                emit(extract(text), term or "\n")
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
        print(
            f"qieci: {verb} {stats.changed_lines} line(s) with invalid input bytes", file=sys.stderr
        )
    return 0
