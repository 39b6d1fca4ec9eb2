"""Tests of :mod:`qieci.atoms`: the non-Han tokens no engine cuts inside."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qieci import atoms as atoms_mod
from qieci.atoms import atom_spans, atom_spans_by_line
from strategies import any_text, mixed_text


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
        # a name that starts with a dot; not after a letter, digit or dot
        ("基于.NET的应用和.json文件", [".NET", ".json"]),
        ("见a.NET", ["a.NET"]),
        # hyphens and dashes that stand for "-": the minus sign U+2212, the
        # non-breaking hyphen U+2011, the hyphen U+2010, the en dash U+2013
        ("−3.5的绝对值和−1,234.5万元", ["−3.5", "−1,234.5"]),
        ("COVID‑19和Wi‐Fi、COVID–19", ["COVID‑19", "Wi‐Fi", "COVID–19"]),
        ("i7–12700H和2024–01–15", ["i7–12700H", "2024–01–15"]),
        # a build tag after "+" that holds a letter; a sum is no version
        ("锁定2.3.1+cu118和v1.0.0-rc.1+build.5", ["2.3.1+cu118", "v1.0.0-rc.1+build.5"]),
        ("3.5+2.1=5.6", ["3.5", "2.1", "5.6"]),
        # a label before the Chinese colon, in text of plain width; an ASCII
        # colon joins names, and a full-width text is the twin of ASCII
        ("QQ：123456789，Tel：010-12345678", ["QQ", "123456789", "Tel", "010-12345678"]),
        ("CI：1.42–3.89", ["CI", "1.42", "3.89"]),
        ("打开localhost:5173和arXiv:2303.08774", ["localhost:5173", "arXiv:2303.08774"]),
        ("ＱＱ：１２３４５", ["ＱＱ：１２３４５"]),
        # the Chinese comma lists numbers of plain width; groups full-width ones
        ("100，200，300件和１，０００元", ["100", "200", "300", "１，０００"]),
        # timestamps, milliseconds, scientific notation, IPv6 from "::", paths
        ("于2024-03-15T10:30:00+08:00发布", ["2024-03-15T10:30:00+08:00"]),
        # a comma after a time starts the next number (10:30:00,200人)
        ("会议10:30:00,200人", ["10:30:00", "200"]),
        ("约3.1E+22个和1.5e-3", ["3.1E+22", "1.5e-3"]),
        ("地址::ffff:192.168.0.1和::1", ["::ffff:192.168.0.1", "::1"]),
        ("编辑~/.bashrc后运行./configure", ["~/.bashrc", "./configure"]),
        ("源码在src/utils/helpers.py里", ["src/utils/helpers.py"]),
        # one folder of a lower-case name before a file; not two words
        ("入口在src/main.py，配置在conf/app.yaml", ["src/main.py", "conf/app.yaml"]),
        ("用Java/Node.js写", ["Java", "Node.js"]),
        # a sign after a date or unit character, unless a range
        ("手机号+86，1月-0.8%，周日-5℃", ["+86", "-0.8%", "-5"]),
        ("2003年-2005年和4月4日-4月10日、3.5亿-4亿", ["2003", "2005", "10", "3.5"]),
        # ranges of times and of dates with dots are three words
        ("营业10:00-22:00，活动2024.3.15-2024.4.15", ["10:00", "22:00", "2024.3.15", "2024.4.15"]),
        # IPv6 prefixes, a bare domain with a query, Windows paths, hex colours
        ("前缀2001:db8::/32和fe80::/10", ["2001:db8::/32", "fe80::/10"]),
        ("在baidu.com/s?wd=python里搜", ["baidu.com/s?wd=python"]),
        ("存在C:\\Users\\me\\a_v2.pdf。", ["C:\\Users\\me\\a_v2.pdf"]),
        ("色#FF5733和#fff，不是#502", ["#FF5733", "#fff", "502"]),
        # a model's +, C++ standards, names with underscores; not a count's +
        ("S24+和C++17，100+人，3+2", ["S24+", "C++17", "100"]),
        ("用__init__.py和__name__", ["__init__.py", "__name__"]),
        # a number and a capitalised word after a dot (a list)
        ("1.Python简介，v3.0和ASP.NET", ["Python", "v3.0", "ASP.NET"]),
        # a label and its number after an ASCII colon; a port is no label
        (
            "QQ:123456，Tel:010-1234567，localhost:5173",
            ["QQ", "123456", "Tel", "010-1234567", "localhost:5173"],
        ),
        # two names of letters and digits either side of a slash
        ("支持4G/5G和M1/M2，1/2和24/7", ["4G", "5G", "M1", "M2", "1/2", "24/7"]),
        # vulgar fractions, Cyrillic, katakana and Hangul words
        (
            "取1½杯，Москва、ポケモンGO、ハリー・ポッター和삼성",
            ["1½", "Москва", "ポケモン", "GO", "ハリー・ポッター", "삼성"],
        ),
        # after a unit character: a sum, and a range to a year, are no signs;
        # after a dot, a code name is no list (a review of the new rules)
        ("3元+5元=8元，2019年-2020赛季，1000元-2000", ["2019", "2020", "1000", "2000"]),
        ("用pd.DataFrame和nn.Module，填空a____、12__", ["pd.DataFrame", "nn.Module", "12"]),
        ("映射f:\\mathbb和C:\\a.txt", ["mathbb", "C:\\a.txt"]),
        ("说No.然后，I met Jan.。No. 5和Jan. 5", ["No", "met", "Jan", "No.", "Jan."]),
        # the dot of a common abbreviation of one word is part of it
        (
            "如Fig. 3所示，Dr. Wang和Apple Inc.、et al.、etc.；No.1",
            ["Fig.", "Dr.", "Wang", "Apple", "Inc.", "et", "al.", "etc.", "No.1"],
        ),
        # emoji of more than one character: one visible character each
        ("好评👍🏻🇨🇳❤️1️⃣🏃\u200d♂️，🐍", ["👍🏻", "🇨🇳", "❤️", "1️⃣", "🏃\u200d♂️"]),
        # letters beyond Latin-1 and Extended-A, Greek, subscripts
        ("Nguyễn和Poke\u0301mon的conﬁg", ["Nguyễn", "Poke\u0301mon", "conﬁg"]),
        ("TNF-α和β-catenin使CO₂", ["TNF-α", "β-catenin", "CO₂"]),
        ("Ελλάδα和άλφα", ["Ελλάδα", "άλφα"]),
        # superscripts are no part of a word: m² is a unit, ¹ a footnote
        ("500m²的房子据Nature¹报道", ["500", "Nature"]),
        # a build tag starts lowercase; a sum or a slogan is no version
        ("工业4.0+AI时代和1.5+x=3", ["4.0", "AI", "1.5"]),
        # a slash between two words, one of them dotted, is not a path
        ("熟悉Java/Node.js开发", ["Java", "Node.js"]),
        # the label rule: a colon of its own, a word before it, ASCII beside it
        ("QQ：：123456和Poke\u0301mon：123", ["QQ：：123456", "Poke\u0301mon", "123"]),
        ("ＴＮＦ：αβ和TNF:αβ", ["ＴＮＦ：αβ", "TNF:αβ"]),
        ("学习#C#编程#和#AI#", ["C#", "AI"]),
        # a hashtag's closing mark is not a suffix; C# keeps its own
        ("#ChatGPT#话题和C#", ["ChatGPT", "C#"]),
        # a label before an e-mail address is an atom of its own
        ("E-mail：contact@qieci.org", ["E-mail", "contact@qieci.org"]),
        ("Email/zhang.san@example.com", ["Email", "zhang.san@example.com"]),
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
    """Spans of a text and of its full-width twin agree (offsets hold).
    Not for a text that holds the Chinese colon or comma: in text of plain
    width they are punctuation (QQ：123, 100，200), not twins of : and ,
    (the kinds above show both)."""
    assume("\uff1a" not in text and "\uff0c" not in text)
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "}" else c for c in text)
    assert atom_spans(wide) == atom_spans(text)


def whole_scan(text: str) -> list[tuple[int, int]]:
    """The definition of atom_spans: the patterns run once over the whole
    text (atom_spans runs them over its islands only), and the grapheme
    clusters merged in."""
    out: list[tuple[int, int]] = []
    if atoms_mod._MAYBE.search(text) is not None:
        atoms_mod._scan(text, 0, len(text), out, 0, "")
    return atoms_mod._with_clusters(text, out)


def per_line(text: str) -> list[tuple[int, int]]:
    """The definition atom_spans_by_line must meet: atom_spans of each
    ``\\n``-separated line (without the ``\\r`` before its ``\\n``)."""
    out: list[tuple[int, int]] = []
    pos = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        content = line[:-1] if i < len(lines) - 1 and line.endswith("\r") else line
        out += [(pos + s, pos + e) for s, e in atom_spans(content)]
        pos += len(line) + 1
    return out


# pieces that make atoms, and the characters their patterns look at around them
ATOM_PIECES = [
    "2003年-2005年",
    "年-5",
    "元+3.5",
    "-2005年",
    "东京－2005年",
    "www.a.com.",
    "http://x.com/a_(b))",
    "/._/-",
    "/var/log",
    "a@b.cn",
    "1,234.5%",
    "U.S.A.",
    "C++",
    "v1.2",
    "3:1",
    "0.3cm",
    "ATM/POS",
    "±0.1",
    "ｗｗｗ．ａ．ｃｏｍ",
    "１２．５％",
    "éé",
    "’",
    "‰",
    "-",
    "/",
    ".",
    "\r",
    "\n",
    "\r\n",
    "👍🏻",
    "❤️",
    "1️⃣",
    "🇨🇳",
    "\u200d",
    "\ufe0f",
    "🏃\u200d♂️",
    "C++17",
    "S24+",
    "__init__.py",
    "2001:db8::/32",
    "Москва",
]
atom_text = st.lists(st.one_of(mixed_text, st.sampled_from(ATOM_PIECES)), max_size=12).map("".join)


@given(atom_text)
def test_spans_of_atom_pieces_are_sorted_disjoint_and_whole(text):
    prev = 0
    for s, e in atom_spans(text):
        assert prev <= s < e <= len(text)
        assert e - s >= 2
        assert not any(c.isspace() for c in text[s:e])
        prev = e


@given(atom_text)
def test_atoms_by_line_equal_atoms_of_each_line(text):
    assert atom_spans_by_line(text) == per_line(text)


@given(st.one_of(atom_text, any_text))
def test_islands_find_what_one_scan_of_the_whole_text_finds(text):
    assert atom_spans(text) == whole_scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "/._/-\n",  # a path with no letter or digit: none on a line without one
        "/._/-a\n/._/-\nb/._/-",
        "2003年\n-2005年\n",  # a line start is no 年 before the sign
        "1999年-5\n-5",  # a sign after 年 is a dash
        "www.a.com.\r\nhttp://x.com/a_(b))\n",
        "",
        "\n\n",
    ],
)
def test_atoms_by_line_examples(text):
    assert atom_spans_by_line(text) == per_line(text)
    assert atom_spans(text) == whole_scan(text)


HOSTILE = ["a_", "__a", "a::", "1-", "-±", "1+", "#ff", "C:\\a\\", "a.b/", "a.bc/?x=", "ab/cd"]
HOSTILE += ["a@", "1,", "Dr.", "a:1", "👍🏻", "\u200d", "ア・", "a-", "a__.b"]


@pytest.mark.parametrize(
    "text",
    [piece * (200_000 // len(piece)) for piece in HOSTILE] + ["中文a" + "-" * 200_000],
    ids=[*HOSTILE, "a then dashes"],
)
def test_a_long_run_is_found_in_linear_time(text):
    """A guard against a hang, not a speed test: 200,000 characters of a
    piece the patterns backtrack over finish within 10 s (linear: well
    under 1 s; the quadratic patterns this found took minutes: a run of
    'ア・', and a run of '-' after a letter)."""
    import time

    start = time.monotonic()
    spans = atom_spans(text)
    assert atom_spans_by_line(text) == spans
    assert time.monotonic() - start < 10
