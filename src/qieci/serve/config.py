"""What a server is started with: the tokenizer options of ``qieci cut``
and the limits that every request is held to.

A :class:`ServeConfig` is plain data. It travels to uvicorn's worker
processes as JSON in an environment variable (:meth:`to_json`,
:meth:`from_json`), so that every worker builds the same service.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: The environment variable that carries the config to worker processes.
CONFIG_ENV = "QIECI_SERVE_CONFIG"


@dataclass(frozen=True)
class Limits:
    """What one request may ask for.

    ``max_body``: bytes of request body; ``max_batch``: texts in one
    ``"texts"`` list; ``timeout``: seconds for a request, reading its body
    included; ``threads``: segmentation threads per worker; ``queue``: how
    many segmentations may wait for a thread (beyond that a request gets
    503 at once); ``inline_bytes``: a body up to this size whose setting is
    loaded is answered on the event loop, without a thread hop (its work
    takes microseconds; 0: every request goes to a thread)."""

    max_body: int = 8 * 1024 * 1024
    max_batch: int = 1000
    timeout: float = 10.0
    threads: int = 4
    queue: int = 64
    inline_bytes: int = 4096

    def __post_init__(self) -> None:
        if not isinstance(self.inline_bytes, int) or self.inline_bytes < 0:
            raise ValueError(f"inline_bytes must be 0 or more, not {self.inline_bytes!r}")
        for name in ("max_body", "max_batch", "threads", "queue"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ValueError(
                f"timeout must be a positive, finite number of seconds, not {self.timeout!r}"
            )


@dataclass(frozen=True)
class ServeConfig:
    """The tokenizer options (as ``qieci cut`` takes them) and the limits.

    ``engine`` and ``standard`` are the defaults of a request that names
    neither; ``model`` and ``domain`` (learned engine: a model file, a
    domain file of ``qieci adapt``), ``dictionary`` (jieba engine),
    ``user_dicts`` and ``strict`` apply to every tokenizer the service
    builds. ``preload``: further settings (``"jieba"``, ``"learned:pku"``)
    to load at start-up besides the default one.
    """

    engine: str = "jieba"
    standard: str | None = None
    model: str | None = None
    domain: str | None = None
    dictionary: str | None = None
    user_dicts: tuple[str, ...] = ()
    strict: bool = False
    preload: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeConfig:
        raw: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{CONFIG_ENV}: unknown keys {sorted(unknown)}")
        raw["limits"] = Limits(**raw.get("limits", {}))
        for key in ("user_dicts", "preload"):
            raw[key] = tuple(raw.get(key, ()))
        return cls(**raw)
