"""The catalog's start-up check (what the supervisor of --workers N runs):
the same refusals as loading, without loading the learned model."""

from __future__ import annotations

import pytest

from qieci.serve.catalog import Catalog, Setting, check
from qieci.serve.config import ServeConfig


def test_checking_reads_the_learned_model_without_loading_it(tmp_path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("石墨烯很 5 n\n", encoding="utf-8")
    cfg = ServeConfig(engine="learned", standard="msr", user_dicts=(str(userdict),))
    cat = Catalog(cfg, load=False)
    assert cat.default == Setting("learned", "msr")
    tok = cat.tokenizer(cat.default, blocking=False)
    assert tok.engine._loaded is None  # no model weights in the supervisor
    assert "石墨烯很" in tok.engine._user_words
    # the default standard is the one the engine picks when it loads
    assert (
        Catalog(ServeConfig(engine="learned"), load=False).default
        == Catalog(ServeConfig(engine="learned")).default
    )


@pytest.mark.parametrize(
    ("cfg", "needle"),
    [
        (ServeConfig(engine="learned", standard="xyz"), "model has no standard 'xyz'"),
        (ServeConfig(engine="learned", model="/no/such/model.qc"), "/no/such/model.qc"),
        (ServeConfig(preload=("learned:xyz",)), "--preload learned:xyz"),
        (ServeConfig(engine="hanlp"), "hanlp"),
    ],
)
def test_checking_refuses_what_loading_refuses(cfg, needle):
    with pytest.raises(ValueError, match=needle):
        check(cfg)
    with pytest.raises(ValueError, match=needle):
        Catalog(cfg)


def test_checking_reads_the_user_dictionaries(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\n")
    for engine in ("learned", "jieba"):
        with pytest.raises(ValueError, match="invalid UTF-8"):
            check(ServeConfig(engine=engine, user_dicts=(str(bad),)))
