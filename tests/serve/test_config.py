"""ServeConfig: what workers rebuild the service from, and its checks."""

from __future__ import annotations

import pytest

from qieci.serve.config import Limits, ServeConfig


def test_the_config_travels_as_json_unchanged():
    cfg = ServeConfig(
        engine="learned",
        standard="pku",
        user_dicts=("a.txt", "b.txt"),
        preload=("jieba",),
        limits=Limits(max_body=1000, max_batch=5, timeout=0.5, threads=2, inline_bytes=0),
    )
    assert ServeConfig.from_json(cfg.to_json()) == cfg


def test_bad_limits_and_keys_are_refused():
    with pytest.raises(ValueError, match="max_batch"):
        Limits(max_batch=0)
    with pytest.raises(ValueError, match="timeout"):
        Limits(timeout=0)
    with pytest.raises(ValueError, match="inline_bytes"):
        Limits(inline_bytes=-1)
    with pytest.raises(ValueError, match="unknown keys"):
        ServeConfig.from_json('{"engin": "jieba"}')
