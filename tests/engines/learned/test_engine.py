"""``qieci.engines.learned.engine``: loading standards (one by one, and
several from one read of the model file)."""

from __future__ import annotations

import numpy as np
import pytest

from qieci import Tokenizer
from qieci.engines.learned.engine import LearnedEngine, engines_by_standard

TEXT = "韩立看着墨大夫，心中一动。2024年的COVID-19疫苗用了USB3.0接口，见www.example.com。"


def test_engines_by_standard_load_as_each_standard_alone():
    # first, a middle and the last standard of the bundled model, each
    # checked against the same standard loaded by itself
    standards = LearnedEngine().standards()
    chosen = [standards[0], standards[len(standards) // 2], standards[-1]]
    got = []
    for std, engine in zip(chosen, engines_by_standard(chosen), strict=True):
        alone = LearnedEngine(standard=std)
        alone.load()
        assert engine.standard() == std
        a, b = engine._ready(), alone._ready()
        assert np.array_equal(a.decoder.table_array(), b.decoder.table_array())
        assert engine.training_vocab() == alone.training_vocab()
        assert Tokenizer(engine=engine).lcut(TEXT) == Tokenizer(engine=alone).lcut(TEXT)
        got.append(std)
        del engine, alone, a, b
    assert got == chosen


def test_engines_by_standard_check_every_standard_first():
    engines = engines_by_standard(["pku", "nope"])
    with pytest.raises(ValueError, match="no standard 'nope'"):
        next(engines)
    # one standard loads by itself, and is checked the same way
    with pytest.raises(ValueError, match="no standard 'nope'"):
        next(engines_by_standard(["nope"]))
    assert list(engines_by_standard([])) == []
