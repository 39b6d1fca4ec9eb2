"""Rebuild qieci's bundled data files from an installed jieba 0.42.1.

jieba's dictionary and HMM probabilities are MIT-licensed (see NOTICE). This
script reads them from the jieba package and writes qieci's own binary
formats into the data folders of the parts that use them
(``src/qieci/engines/jieba/data/`` and ``src/qieci/analyse/data/``)::

    pip install jieba==0.42.1
    python tools/convert_jieba.py            # then: pip install .

It reads jieba's data only: the dictionary text, the probability tables
(which it takes from jieba's modules, as plain dicts of floats), the
part-of-speech HMM tables of ``jieba.posseg``, and the IDF table and default
stop words of ``jieba.analyse``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qieci.analyse.idf import (  # noqa: E402
    DEFAULT_IDF_RESOURCE,
    DEFAULT_STOP_RESOURCE,
    parse_idf_text,
    stop_words_to_bytes,
)
from qieci.engines.jieba.dictionary import (  # noqa: E402
    DEFAULT_DICT_RESOURCE,
    DEFAULT_HMM_RESOURCE,
    HMM_STATES,
    DictData,
    hmm_to_bytes,
    parse_text_dictionary,
)
from qieci.engines.jieba.posmodel import DEFAULT_POSHMM_RESOURCE, tables_from_dicts  # noqa: E402

MIN_FLOAT = -3.14e100


def convert_dictionary(jieba_dir: Path, out: Path) -> None:
    src = jieba_dir / "dict.txt"
    with open(src, "rb") as f:
        trie, tags = parse_text_dictionary(f, str(src))
    # stored, not compressed, with the kernel's lookup table: 26 MB instead
    # of 2, but every start-up of qieci reads it, and inflating it took 25 ms
    # of that, building the table 37 ms more (the table is used where it lies)
    data = DictData.from_trie(trie, tags, str(src)).with_table().to_bytes(compress=False)
    out.write_bytes(data)
    print(f"{out}: {len(trie)} entries, total {trie.total}, {len(data)} bytes")


def convert_hmm(out: Path) -> None:
    start = importlib.import_module("jieba.finalseg.prob_start").P
    trans = importlib.import_module("jieba.finalseg.prob_trans").P
    emit = importlib.import_module("jieba.finalseg.prob_emit").P
    start_v = [float(start[s]) for s in HMM_STATES]
    trans_v = [float(trans[a].get(b, MIN_FLOAT)) for a in HMM_STATES for b in HMM_STATES]
    chars = sorted({c for table in emit.values() for c in table})
    emit_v = [float(emit[s].get(c, MIN_FLOAT)) for c in chars for s in HMM_STATES]
    data = hmm_to_bytes(start_v, trans_v, [ord(c) for c in chars], emit_v)
    out.write_bytes(data)
    print(f"{out}: {len(chars)} characters, {len(data)} bytes")


def convert_poshmm(out: Path) -> None:
    """jieba.posseg's joint (position, tag) HMM -> a ``poshmm`` file."""

    def table(name: str):
        return importlib.import_module(f"jieba.posseg.{name}").P

    tables = tables_from_dicts(
        table("prob_start"),
        table("prob_trans"),
        table("prob_emit"),
        table("char_state_tab"),
        "jieba.posseg",
    )
    data = tables.to_bytes()
    out.write_bytes(data)
    print(
        f"{out}: {len(tables.states)} states, {len(tables.emit_chars)} characters, "
        f"{len(data)} bytes"
    )


def convert_idf(jieba_dir: Path, out: Path) -> None:
    """jieba.analyse's IDF table -> an ``idf`` file."""
    src = jieba_dir / "analyse" / "idf.txt"
    table = parse_idf_text(src.read_bytes().decode("utf-8"), str(src))
    data = table.to_bytes()
    out.write_bytes(data)
    print(f"{out}: {len(table.idf)} words, median {table.median!r}, {len(data)} bytes")


def convert_stop_words(out: Path) -> None:
    """jieba.analyse's default stop words -> a ``stopword`` file."""
    stop = importlib.import_module("jieba.analyse.tfidf").KeywordExtractor.STOP_WORDS
    data = stop_words_to_bytes(sorted(stop))
    out.write_bytes(data)
    print(f"{out}: {len(stop)} stop words, {len(data)} bytes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write every file into this folder instead (default: the package's data folders)",
    )
    args = ap.parse_args()
    pkg = ROOT / "src" / "qieci"
    engine_out = args.out or pkg / "engines" / "jieba" / "data"
    analyse_out = args.out or pkg / "analyse" / "data"
    import jieba

    if jieba.__version__ != "0.42.1":
        sys.exit(f"need jieba 0.42.1, found {jieba.__version__}")
    jieba_dir = Path(jieba.__file__).parent
    for out in (engine_out, analyse_out):
        out.mkdir(parents=True, exist_ok=True)
    convert_dictionary(jieba_dir, engine_out / DEFAULT_DICT_RESOURCE)
    convert_hmm(engine_out / DEFAULT_HMM_RESOURCE)
    convert_poshmm(engine_out / DEFAULT_POSHMM_RESOURCE)
    convert_idf(jieba_dir, analyse_out / DEFAULT_IDF_RESOURCE)
    convert_stop_words(analyse_out / DEFAULT_STOP_RESOURCE)


if __name__ == "__main__":
    main()
