"""Tests of :mod:`qieci.atoms`: the non-Han tokens no engine cuts inside."""

from __future__ import annotations

import pytest
from hypothesis import given

from qieci.atoms import atom_spans
from strategies import mixed_text


def atoms(text: str) -> list[str]:
    return [text[s:e] for s, e in atom_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("增长4.3%，", ["4.3%"]),
        ("比约为0.618。", ["0.618"]),
        ("营收1,234,567.89元", ["1,234,567.89"]),
        ("气温-5度", ["-5"]),
        ("误差±0.1毫米", ["±0.1"]),
        ("访问www.example.com。", ["www.example.com"]),
        ("见http://a.b.cn/x?y=1&z=2，", ["http://a.b.cn/x?y=1&z=2"]),
        ("(见http://x.com/a_(b))。", ["http://x.com/a_(b)"]),
        ("邮箱foo.bar@qq.com。", ["foo.bar@qq.com"]),
        ("地址192.168.1.1:8080", ["192.168.1.1:8080"]),
        ("地址2001:db8::1", ["2001:db8::1"]),
        ("用C++和C#写", ["C++", "C#"]),
        ("COVID-19和Wi-Fi", ["COVID-19", "Wi-Fi"]),
        ("版本v1.2.3-beta", ["v1.2.3-beta"]),
        ("i7-12700H处理器", ["i7-12700H"]),
        ("2024-01-15 12:30:05", ["2024-01-15", "12:30:05"]),
        ("2024/1/15和2024.01.15", ["2024/1/15", "2024.01.15"]),
        ("U.S.A.和Ph.D.", ["U.S.A.", "Ph.D."]),
        ("don't", ["don't"]),
        ("看/var/log/syslog", ["/var/log/syslog"]),
        # full width matches as ASCII, at the same offsets
        ("ＣＰＵ占用１２．５％", ["ＣＰＵ", "１２．５％"]),
        # parts that are separate words in every standard
        ("1995-2005年", ["1995", "2005"]),
        ("比分3:1", []),
        ("ATM/POS机", ["ATM", "POS"]),
        ("A/B测试和GB/T标准", ["A/B", "GB/T"]),
        ("电话010-12345678", ["010-12345678"]),
        ("0.3cm和500ml", ["0.3", "cm", "500", "ml"]),
        ("速度60km/h", ["60", "km/h"]),
        # a trailing dot or comma ends a sentence, not a number or URL
        ("是3.5。也是www.a.com.", ["3.5", "www.a.com"]),
        # a sign only where no letter, digit or dot comes before
        ("3-5天", []),
        ("2003年-2005年", ["2003", "2005"]),  # a range: no sign on 2005
        ("1+1=2", []),
        ("中文而已", []),
    ],
)
def test_kinds(text, expected):
    assert atoms(text) == expected


@given(mixed_text)
def test_spans_are_sorted_disjoint_and_whole(text):
    spans = atom_spans(text)
    prev = 0
    for s, e in spans:
        assert prev <= s < e <= len(text)
        assert e - s >= 2
        assert not any(c.isspace() for c in text[s:e])
        prev = e


@given(mixed_text)
def test_width_does_not_change_spans(text):
    """Spans of a text and of its full-width twin agree (offsets hold)."""
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "}" else c for c in text)
    assert atom_spans(wide) == atom_spans(text)
