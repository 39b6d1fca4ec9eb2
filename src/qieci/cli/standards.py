"""``qieci standards``: the segmentation standards of a learned model."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    st = sub.add_parser("standards", help="list the standards of a learned model")
    st.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    st.add_argument("--json", action="store_true", help="print a JSON object")
    st.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..engines.learned.engine import default_standard
    from ..engines.learned.model import parse_meta, parse_vocab, read_sections

    sec, source = read_sections(args.model)
    meta = parse_meta(sec, source)
    vocab = parse_vocab(sec, source)
    default = default_standard(meta.standards)  # (the model's first if it lacks cnc)
    if args.json:
        print(
            json.dumps(
                {"standards": meta.standards, "default": default, "training": meta.training},
                ensure_ascii=False,
            )
        )
        return 0
    for std in meta.standards:
        text = vocab.get(std, "")
        n = text.count("\n") + 1 if text else 0
        mark = " (default)" if std == default else ""
        print(f"{std}\t{n} training word{'' if n == 1 else 's'}{mark}")
    return 0
