"""``qieci serve``: segmentation as an HTTP service (with a demo page at /).

Takes the tokenizer options of ``qieci cut`` (they are the defaults of a
request that names no engine or standard, and every tokenizer the server
builds gets the dictionary, model and user dictionaries), the address, the
worker processes and the limits. Needs ``pip install 'qieci[serve]'``.

SIGTERM (or Ctrl-C) stops the server: it stops listening, lets the requests
in progress finish (up to 5 s), and the command exits 0, with one worker or
``--workers N``.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import signal
from types import FrameType
from typing import Any

from .options import (
    add_dictionary_arguments,
    add_engine_arguments,
    check_strict,
    engine_name,
    positive_float,
    positive_int,
)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (a free port the system picks) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0-65535, not {value}")
    return value


def timeout_seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0, and finite (``inf``
    would let one request hold a thread for ever)."""
    value = positive_float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(
            f"must be a finite number of seconds, not {text} (for a long timeout give a "
            "large number, such as 3600)"
        )
    return value


def register(sub: Any) -> None:
    sv = sub.add_parser(
        "serve",
        help="serve segmentation over HTTP (JSON API and a demo page)",
        description="Serve POST /v1/cut, POST /v1/keywords, GET /v1/standards, /healthz, "
        "/metrics and /openapi.json, and a demo page at /. Needs qieci[serve].",
        epilog="SIGTERM or Ctrl-C stops the server: it stops listening, lets the requests "
        "in progress finish (up to 5 s) and exits 0, whatever --workers says.",
    )
    sv.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1 only)"
    )
    sv.add_argument(
        "--port", type=port_number, default=8000, help="port, 0 to 65535 (default: 8000)"
    )
    sv.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="worker processes, each with its own tokenizers (default: 1)",
    )
    sv.add_argument(
        "--max-body",
        type=positive_int,
        default=8 * 1024 * 1024,
        metavar="BYTES",
        help="largest request body (default: 8 MiB)",
    )
    sv.add_argument(
        "--max-batch",
        type=positive_int,
        default=1000,
        metavar="N",
        help='most texts in one "texts" list (default: 1000)',
    )
    sv.add_argument(
        "--timeout",
        type=timeout_seconds,
        default=10.0,
        metavar="SECONDS",
        help="per-request timeout, reading the body included (default: 10)",
    )
    sv.add_argument(
        "--threads",
        type=positive_int,
        default=4,
        metavar="N",
        help="segmentation threads per worker (default: 4)",
    )
    sv.add_argument(
        "--inline-bytes",
        type=int,
        default=4096,
        metavar="BYTES",
        help="answer a body up to this size on the event loop, without a thread hop, "
        "when its setting is loaded (default: 4096; 0: always use a thread)",
    )
    sv.add_argument(
        "--preload",
        action="append",
        default=[],
        metavar="SETTING",
        help="also load this setting at start-up (repeatable): jieba, learned:STANDARD; "
        "others load on first use",
    )
    sv.add_argument("--access-log", action="store_true", help="log every request")
    add_engine_arguments(sv)
    add_dictionary_arguments(sv)
    sv.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    needs = ("uvicorn", "starlette", "orjson")
    missing = [m for m in needs if importlib.util.find_spec(m) is None]
    if missing:
        raise ValueError(f"qieci serve needs {', '.join(missing)}: pip install 'qieci[serve]'")
    from ..serve import Limits, ServeConfig
    from ..serve.server import run as serve

    check_strict(args)
    domain = os.path.abspath(args.domain) if args.domain else None
    if domain:
        from ..engines.learned.domain import load

        load(domain)  # a bad file is named now, before any worker starts
    config = ServeConfig(
        engine=engine_name(args),
        standard=args.standard,
        model=args.model,
        domain=domain,
        dictionary=args.dict,
        user_dicts=tuple(args.user_dict),
        strict=args.strict,
        preload=tuple(args.preload),
        limits=Limits(
            max_body=args.max_body,
            max_batch=args.max_batch,
            timeout=args.timeout,
            threads=args.threads,
            inline_bytes=args.inline_bytes,
        ),
    )
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _stopped)
    except ValueError:  # not the main thread: uvicorn will not take signals either
        previous = None
    try:
        serve(config, args.host, args.port, args.workers, access_log=args.access_log)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _stopped(signum: int, frame: FrameType | None) -> None:
    """SIGTERM while ``qieci serve`` runs: exit 0. uvicorn handles the
    signal while it serves (shutting down gracefully) and then raises it
    again, which comes here; one that comes before it listens (while the
    models load) ends the command here too, with the same status."""
    raise SystemExit(0)
