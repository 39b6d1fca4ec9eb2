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


def test_the_servers_domain_reaches_its_learned_tokenizers(tmp_path, capsys):
    """--domain is the same for the service as for qieci cut: the learned
    tokenizers read it (the jieba one has none), and a bad file is named
    before the server starts."""
    from qieci import Tokenizer
    from qieci.cli import main
    from qieci.engines.learned.domain import count, with_words

    raw = ["韩立走进七玄门的大门。", "七玄门的弟子都认识韩立。"] * 3
    path = tmp_path / "d.qcd"
    with_words(count(raw), {"*": ["七玄门", "韩立"]}).save(path)
    cat = Catalog(ServeConfig(engine="learned", standard="pku", domain=str(path)))
    tok = cat.tokenizer(cat.default)
    assert tok.lcut(raw[0]) == Tokenizer(standard="pku", domain=path).lcut(raw[0])
    assert tok.lcut(raw[0]) != Tokenizer(standard="pku").lcut(raw[0])
    bad = tmp_path / "bad.qcd"
    bad.write_bytes(b"not a domain")
    assert main(["serve", "--domain", str(bad), "--port", "1"]) == 2
    assert "bad.qcd" in capsys.readouterr().err
