"""The argparse types every subcommand shares."""

from __future__ import annotations

import argparse

import pytest

from qieci.cli.app import main
from qieci.cli.options import positive_float, positive_int


def test_positive_int() -> None:
    assert positive_int("3") == 3
    for bad in ("0", "-2", "1.5", "x", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_int(bad)


def test_positive_float() -> None:
    assert positive_float("0.25") == 0.25
    for bad in ("0", "-1", "nan", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_float(bad)


@pytest.mark.parametrize(
    "argv",
    [
        ["adapt", "raw.txt", "-o", "d.qcd", "--min-count", "0"],
        ["discover", "raw.txt", "--top", "0"],
        ["serve", "--workers", "0"],
        ["serve", "--timeout", "-1"],
    ],
)
def test_a_non_positive_count_is_a_usage_error(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "must be" in capsys.readouterr().err
