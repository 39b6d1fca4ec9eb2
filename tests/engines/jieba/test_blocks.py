"""The block class of :mod:`qieci.engines.jieba.blocks`: ``in_block`` is the pattern."""

from __future__ import annotations

import re

from qieci.engines.jieba.blocks import in_block
from qieci.engines.jieba.reference import RE_BLOCK


def test_in_block_is_the_pattern_over_all_code_points() -> None:
    for cp in range(0x110000):
        ch = chr(cp)
        assert in_block(ch) == bool(RE_BLOCK.fullmatch(ch)), hex(cp)


def test_the_pattern_is_jiebas_class() -> None:
    # jieba 0.42.1's re_han_default, written out here independently
    jieba_class = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]")
    for cp in range(0x110000):
        ch = chr(cp)
        assert bool(jieba_class.fullmatch(ch)) == bool(RE_BLOCK.fullmatch(ch)), hex(cp)
