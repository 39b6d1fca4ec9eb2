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


def test_a_wrong_standard_model_or_domain_is_the_constructors_error(tmp_path):
    """The model's header, the standard's name and the domain file's header
    are checked when the tokenizer is made, before anything loads."""
    with pytest.raises(ValueError, match=r"model has no standard 'xx' \(it has: pku, "):
        Tokenizer(engine="learned", standard="xx")
    with pytest.raises(ValueError, match=r"missing\.qc: cannot read learned model"):
        Tokenizer(model=tmp_path / "missing.qc")
    with pytest.raises(ValueError, match=r"is a directory \(learned model expected\)"):
        Tokenizer(model=tmp_path)
    text = tmp_path / "words.txt"
    text.write_text("北京 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"words\.txt: not a qieci data file"):
        Tokenizer(model=text)
    with pytest.raises(ValueError, match=r"words\.txt: not a qieci data file"):
        Tokenizer(domain=text)
    with pytest.raises(ValueError, match=r"nowhere\.qd: cannot read domain file"):
        Tokenizer(domain=tmp_path / "nowhere.qd")
    assert Tokenizer(standard="pku").lcut("我来到北京") == ["我", "来到", "北京"]


def test_the_constructor_reads_only_the_models_header_and_metadata(tmp_path):
    """A model whose weights are damaged makes a tokenizer (only the header,
    the table and the metadata were read), and its first cut names the
    damage: the whole file is still checked before it is used."""
    from importlib import resources

    from qieci import binfile

    data = bytearray(
        (resources.files("qieci.engines.learned") / "data" / "learned.qc").read_bytes()
    )
    sections = binfile.stored_views(bytes(data), kind="model", source="m")
    weights = sections["weights"][0]
    start = bytes(data).index(bytes(weights[:64]))
    data[start + len(weights) // 2] ^= 0xFF
    bad = tmp_path / "bad.qc"
    bad.write_bytes(bytes(data))
    tok = Tokenizer(model=bad, standard="pku")
    with pytest.raises(
        ValueError, match=r"bad\.qc: corrupt qieci file \(section 'weights' checksum"
    ):
        tok.lcut("我来到北京")
