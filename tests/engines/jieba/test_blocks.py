"""The block class of :mod:`qieci.engines.jieba.blocks`: its set form is the pattern."""

from __future__ import annotations

import re

from qieci.engines.jieba.blocks import BLOCK_SET, RE_BLOCK


def test_block_set_is_the_pattern_over_all_code_points() -> None:
    by_pattern = frozenset(ch for ch in map(chr, range(0x110000)) if RE_BLOCK.fullmatch(ch))
    assert BLOCK_SET == by_pattern


def test_block_set_matches_jiebas_class() -> None:
    # jieba 0.42.1's re_han_default, written out here independently
    jieba_class = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]")
    assert all(jieba_class.fullmatch(ch) for ch in BLOCK_SET)
    assert len(BLOCK_SET) == (0x9FD5 - 0x4E00 + 1) + 26 * 2 + 10 + len("+#&._%-")
