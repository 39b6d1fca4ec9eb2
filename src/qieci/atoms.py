"""Atoms: non-Han tokens that no engine may cut inside.

A segmenter must never put a word boundary inside a number, a date or a
time, a version, a URL, an e-mail or IP address, a Latin word or a model
number. :func:`atom_spans` finds such tokens in a text; an engine then
decodes with the constraint that each one lies inside a single word (it may
still join its neighbours: ``3D打印`` may stay one word, ``X光`` too).

The contract:

* spans are ``(start, end)`` character offsets into the given text, ascending
  and disjoint, each at least two characters long, never containing
  whitespace;
* an emoji of more than one character (a skin tone ``👍🏻``, a flag ``🇨🇳``,
  a variation selector ``❤️``, a keycap ``1️⃣``, a ZWJ sequence ``👨‍👩‍👧``)
  is one visible character: it lies inside an atom (of its own, or of the
  atom it overlaps: ``10️⃣``);
* matching sees the text width-normalised (full-width ``１２．５％`` or
  ``ＣＰＵ`` match as ``12.5%`` and ``CPU``), and its hyphens and dashes
  (``‑ ‐ – −``) as ``-`` (:data:`MATCH`), so offsets are the same in both;
  the Chinese colon and comma (``：`` ``，``) beside a character of plain
  width are punctuation, not twins of ``:`` and ``,`` (see below);
* the kinds, tried in this order at each position:

  - URLs with a scheme (``https://…``, ``ftp://…``), starting ``www.``, or
    a domain name with a path and a query (``baidu.com/s?wd=python``); the
    trailing punctuation of a sentence is not part of them;
  - e-mail addresses (a run before one ends at its connector:
    ``E-mail:foo@bar.com`` holds the atoms ``E-mail`` and ``foo@bar.com``);
  - numbers with thousands separators (``1,234,567.89``; the Chinese
    comma ``，`` groups only full-width digits: ``100，200件`` is a list);
  - abbreviations with dots (``U.S.A.``, ``e.g.``), and the common ones of
    one word and a dot (``Dr.``, ``Fig.``, ``Inc.``, ``et al.``, ``etc.``)
    where no letter or digit follows (``No.1`` is a run); those that are
    words or names too (``No``, ``Co``, the months) only before a space, a
    digit or a comma (``No. 5``, ``Co., Ltd.``; not ``说No.然后``);
  - absolute paths (``/var/log/syslog``);
  - ISO 8601 timestamps (``2024-03-15T10:30:00+08:00``), numbers in
    scientific notation (``3.1E+22``), Windows paths of a folder or a
    file with an extension (``C:\\Users\\me\\a.pdf``; not ``f:\\mathbb``),
    IPv6 prefixes (``2001:db8::/32``, ``fe80::/10``), hex colours with a
    letter (``#FF5733``, ``#fff``; not ``#502``), words of katakana (``ポケモン``, ``ハリー・ポッター``) and of
    Hangul (``삼성``), IPv6 addresses that start with ``::``
    (``::ffff:192.168.0.1``), relative paths (``~/.bashrc``,
    ``./configure``: ending in a letter or digit);
  - versions with a build tag after ``+`` that starts with a small letter
    (``2.3.1+cu118``, ``v1.0.0-rc.1+build.5``; ``3.5+2.1`` is a sum and
    ``4.0+AI`` a slogan);
  - a name that starts with a dot (``.NET``, ``.com``), where no letter,
    digit or dot precedes the dot;
  - runs of letters (Latin: ASCII, Latin-1, Extended-A/B and Additional,
    with combining accents, and the ligatures; Greek; Cyrillic) and digits
    (with subscripts: ``CO₂``, and vulgar fractions: ``1½``; a superscript
    is not part of a word: ``m²``, ``Nature¹``) joined by
    ``. - _ / : :: ' ’ &`` (or underscores before a dot or dash:
    ``__init__.py``) between two letters or digits, with the underscores
    of a dunder name around them (``__name__``): decimals (``0.618``),
    dates and times (``2024-01-15``, ``2024/1/15``, ``12:30:05``), versions
    (``v1.2.3``, ``USB3.0``), IPv4
    and IPv6 addresses, domain names and paths (``example.com/a``,
    ``src/utils/main.py``), hyphenated names (``COVID-19``, ``Wi-Fi``,
    ``TNF-α``), contractions (``don't``), model numbers (``RTX4090``,
    ``i7-12700K``); with a sign before a number (``-5``, ``+3.2``,
    ``±0.1``) when no letter, digit, dot or percent precedes it (``3-5``,
    ``5%-10%``: connectors), it is not before a year (``东京－2005年``: a
    dash), and, after a date or unit character (年月日时分秒号点岁元万亿千百),
    it is before a number that ends in no such character (``号+86``,
    ``1月-0.8%``, ``周日-5℃``; ``2003年-2005年`` and ``3亿-4亿`` are
    ranges, ``3元+5元`` a sum) and, for a dash, is no year
    (``2019年-2020赛季``: a range); and a suffix ``%`` or ``‰`` after a digit,
    ``++`` (with a standard's year: ``C++17``), ``+`` or ``#`` after a
    letter (``C++``, ``C#``), or ``+`` after the digit of a name that
    starts with a letter (``S24+``; not ``100+``), when no letter, digit or
    ``+`` follows (in ``#ChatGPT#``, the closing mark of a hashtag, is not
    one; ``#C#编程#`` keeps ``C#``).

  Such a run is one atom except where its parts are separate words in
  every standard: a range or a score between two plain numbers, two times
  or two dates written with dots or slashes (``1995-2005``, ``3:1``,
  ``10:00-22:00``, ``2024.3.15-2024.4.15``; not a date, a time, a phone
  number or a model number), a slash between two words (``ATM/POS``,
  ``Java/Node.js``) or two names of letters and digits (``4G/5G``,
  ``M1/M2``) (not ``A/B``, a date, a fraction, or a path: a dot before
  the slash, or a dot in the last part after two slashes or a folder of
  small letters: ``src/main.py``), a dot between a number and a
  capitalised word (``1.Python``: a list; not ``pd.DataFrame``), a colon
  between a label and a number of six digits or more, or with a dash
  (``QQ:123456``, ``Tel:010-12345678``; a port
  joins: ``localhost:5173``), a Chinese colon that follows a word and has
  a character of plain width beside it (``QQ：123456``: a label and its
  value), and a number with a unit of measure after it (``0.3cm``,
  ``500ml``): these give one atom per part.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import NamedTuple

#: Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space mapped
#: to their ASCII twins: one character to one character, so offsets hold.
WIDTH = MappingProxyType({**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20})
#: What the patterns see: :data:`WIDTH`, and the hyphens and dashes that
#: stand for ``-`` inside a token (``COVID‑19``, ``Wi‐Fi``, ``−3.5``,
#: ``1995–2005``): the hyphen U+2010, the non-breaking hyphen U+2011, the
#: figure dash U+2012, the en dash U+2013, the minus sign U+2212 and the
#: small hyphen-minus U+FE63. Also one character to one character.
MATCH = MappingProxyType(
    {**WIDTH, **dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63), 0x2D)}
)

# letters: Latin (ASCII, Latin-1, Extended-A and -B, Extended Additional,
# as in Nguyễn), combining accents (Pokémon), the Latin ligatures (ﬁ),
# Greek (TNF-α, β-catenin) and Cyrillic (Москва)
_CYRILLIC = "\u0400-\u04ff"
# words of two scripts that are atoms of their own, never joined to a Latin
# word: katakana, with its long-vowel mark, and names joined by its middle
# dot (ポケモン, ハリー・ポッター); Hangul syllables (삼성)
_KANA = "\u30a1-\u30fa\u30fc"
_HANGUL = "\uac00-\ud7a3"
_SCRIPTS = _CYRILLIC + _KANA + "\u30fb" + _HANGUL
_L = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u0386\u0388-\u03ce"
    "\u1e00-\u1eff\ufb00-\ufb06" + _CYRILLIC
)
# letters and digits, subscript digits and vulgar fractions among them (CO₂,
# 1½; not superscripts: m² is a unit, Nature¹ a footnote)
_FRACTIONS = "\u00bc-\u00be\u2150-\u215e"
_A = _L + "0-9\u2080-\u2089" + _FRACTIONS
_WORD = re.compile(f"[{_L}]+")
_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
# the local part of an e-mail address after its first character (at most 64
# in all, as RFC 5321 allows: this also keeps every try of the pattern
# short, which unbounded was quadratic in a long run such as "1+1+1+..."):
# a run stops before a connector that this and an @ and a domain name follow
# (``E-mail:foo@bar.com``: the e-mail is an atom of its own; ``Live@name``,
# a mention, is not an address)
_LOCAL = "[A-Za-z0-9._%+\\-]{0,63}"
# a date or unit character: after one, a sign is one unless the number
# after it ends in such a character (2003年-2005年, 4月4日-4月10日, 3亿-4亿
# are ranges, 3元+5元 a sum) or, for a dash, is a year (2019年-2020赛季,
# 1000元-2000): a sign in 号+86, 1月-0.8%, 周日-5℃
_UNIT_CHARS = "年月日时分秒号点岁元万亿千百"


# a sign before a number; never after a letter, digit, dot or percent
# (3-5, v-1, 5%-10%: a connector)
_SIGN = (
    rf"(?:(?<![{_A}.%‰{_UNIT_CHARS}])[+\-±]"
    rf"|(?<=[{_UNIT_CHARS}])[+±](?![0-9.]*[{_UNIT_CHARS}])"
    rf"|(?<=[{_UNIT_CHARS}])-(?![0-9.]*[{_UNIT_CHARS}])(?![0-9]{{4}}(?![0-9.,])))"
)


# words written with a dot of their own (Dr. Wang, Fig. 3, Apple Inc., et
# al., etc.): the dot is part of the word
_ABBREVIATIONS = "|".join(
    "Mr Mrs Ms Dr Prof Jr Sr St Nos Fig Figs Eq Eqs Vol Vols Ch Sec pp Inc Ltd Corp "
    "Dept Univ etc al vs cf approx".split()
)
# ... and those that are also words or names (No, Jan): before a space, a
# digit or a comma only (No. 5, Co., Ltd., Jan. 5; not 说No.然后, met Jan.)
_ABBREVIATIONS_BEFORE = "|".join("No Co Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())

_ATOM = re.compile(
    rf"""
    (?P<url>(?:[A-Za-z][A-Za-z0-9+.\-]{{1,15}}://|(?<![{_A}.])www\.)[{_URL_CHARS}]+
        |(?<![{_A}.@/\-])(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{{2,}}(?::[0-9]{{1,5}})?/[A-Za-z0-9\-._~/%]*
        \?[A-Za-z0-9_.%\-]+=[{_URL_CHARS}]*)
  | (?P<email>(?<![{_A}.])[A-Za-z0-9]{_LOCAL}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)
  | (?P<thousands>(?:{_SIGN})?(?<![{_A}.])[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)?
        (?![0-9])(?:[%‰])?)
  | (?P<abbr>(?<![{_A}.])(?:(?:[A-Za-z]{{1,3}}\.){{2,}}|(?:{_ABBREVIATIONS})\.|(?:{_ABBREVIATIONS_BEFORE})\.(?=[\s0-9,，]))
        (?![{_A}]))
  | (?P<path>(?<![{_A}./])/[A-Za-z0-9._\-]+(?:/[A-Za-z0-9._\-]+)+)
  | (?P<stamp>(?<![{_A}.])[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}
        (?::[0-9]{{2}}(?:[.,][0-9]{{1,9}})?)?(?:Z|[+\-][0-9]{{2}}(?::?[0-9]{{2}})?)?(?![{_A}]))
  | (?P<sci>(?:{_SIGN})?(?<![{_A}.])[0-9]+(?:\.[0-9]+)?[eE][+\-]?[0-9]{{1,3}}
        (?![{_A}]))
  | (?P<winpath>(?<![{_A}])[A-Za-z]:\\(?:(?:[A-Za-z0-9._\-$~]+\\)+[A-Za-z0-9._\-$~]*[A-Za-z0-9]
        |[A-Za-z0-9_\-$~]+\.[A-Za-z0-9]{{1,8}}(?![{_A}\\])))
  | (?P<prefix6>(?<![{_A}:.])(?:[0-9A-Fa-f]{{1,4}}(?::[0-9A-Fa-f]{{1,4}}){{0,6}})?::
        (?:[0-9A-Fa-f]{{1,4}}(?::[0-9A-Fa-f]{{1,4}}){{0,6}})?/[0-9]{{1,3}}(?![{_A}]))
  | (?P<colour>(?<![{_A}#&])\#(?=[0-9]*[A-Fa-f])(?:[0-9A-Fa-f]{{6}}|[0-9A-Fa-f]{{3}})(?![{_A}#]))
  | (?P<kana>(?:[{_KANA}]{{2,}}|[{_KANA}](?=\u30fb[{_KANA}]))(?:\u30fb[{_KANA}]+)*|[{_HANGUL}]{{2,}})
  | (?P<ipv6>(?<![{_A}:])::(?:[0-9A-Fa-f]{{1,4}}:){{0,6}}
        (?:[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}|[0-9A-Fa-f]{{1,4}})(?![{_A}:.]))
  | (?P<relpath>(?<![{_A}./~])(?:~|\.\.?)/[A-Za-z0-9._\-/]*[A-Za-z0-9])
  | (?P<build>(?<![{_A}.])[vV]?[0-9]+(?:\.[0-9]+)+(?:-[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)?
        \+[a-z][A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)
  | (?P<dotname>(?<![{_A}.])\.[{_L}]{{2,}}[0-9]*(?![{_A}]|\.[{_A}]))
  | (?P<run>(?:{_SIGN}(?=[0-9])(?![0-9]{{4}}年)|(?<![{_A}_])__+(?=[{_A}]))?
        [{_A}]+(?:(?:::|_+[.\-]?|[.\-/:'’&])(?!{_LOCAL}@[A-Za-z0-9\-]+\.[A-Za-z0-9])[{_A}]+)*
        (?:(?<=[0-9])[%‰]|(?<=[{_L}])(?:\+\+[0-9]*|\+|\#)(?![{_A}+])|(?<=[0-9])\+(?![{_A}+])
        |(?<=[{_A}])__+(?![{_A}_]))?)
    """,
    re.VERBOSE,
)
# a cheap test: a text with none of these has no atom
# the letters and digits of atoms, full-width ones too
_WORD_CHARS = f"{_A}{_KANA}{_HANGUL}\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_MAYBE = re.compile(f"[{_WORD_CHARS}]")
_URL_TAIL = ".,;:!?'\""
_ASCII_DIGIT = re.compile("[0-9]")
# a run that starts with a letter (after a sign or the underscores of a
# dunder name, __init__)
_NAMED = re.compile(f"[+\\-±_]*[{_L}]")
# an IPv6 address, whose groups a single colon joins (fe80:abcd:1::2)
_IPV6 = re.compile(r"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}")


#: Units of measure: a number followed by one is two atoms (``0.3`` ``cm``).
UNITS = frozenset(
    "mm cm dm km m nm um μm mg kg g t ml mL l L s ms min h kb KB mb MB gb GB tb TB "
    "Kb Mb Gb kbps Mbps Gbps Hz kHz MHz GHz W kW MW V kV mA mAh A Ah dB cc ppm "
    "kcal cal mmHg mmol mol ug μg IU".split()
)
_CONNECTOR = re.compile(r"(::|_+[.\-]?|[.\-/:'’&])")
_DATE = re.compile(r"[0-9]{4}([-/.])[0-9]{1,2}(?:\1[0-9]{1,2})?")
_TIME = re.compile(r"[0-9]{1,2}(?::[0-9]{2}){1,2}(?:\.[0-9]+)?")
_RANGE = re.compile(r"(?!0[0-9])[0-9]{1,6}(?:\.[0-9]+)?-(?!0[0-9])[0-9]{1,6}(?:\.[0-9]+)?")
_RATIO = re.compile(r"[0-9]+:[0-9]+")
# a range of two times or two dates written with dots or slashes
# (10:00-22:00, 2024.3.15-2024.4.15)
_SPAN = re.compile(
    r"[0-9]{1,2}(?::[0-9]{2}){1,2}-[0-9]{1,2}(?::[0-9]{2}){1,2}"
    r"|[0-9]{4}([./])[0-9]{1,2}(?:\1[0-9]{1,2})?-[0-9]{4}\1[0-9]{1,2}(?:\1[0-9]{1,2})?"
)
# a capitalised word (after a list's number and a dot: 1.Python)
_CAPITAL = re.compile(r"[A-Z][a-z]+[A-Za-z0-9]*")
# a folder name in a relative path (src/main.py; not Java/Node.js)
_FOLDER = re.compile(r"[a-z][a-z0-9_.\-]*")
_NUMBER_UNIT = re.compile(r"([+\-±]?[0-9][0-9.,]*)([A-Za-zμ]+(?:/[A-Za-zμ]+)?)")


class _Run(NamedTuple):
    """The tests of a whole run that its connectors ask (made once per run:
    made at every connector, a long run of them was quadratic)."""

    range_ok: bool  # a dash joins: not a range of two plain numbers, times or dates
    ratio_ok: bool  # a colon joins: not a score of two numbers, or a time
    path: bool  # a dot after the last slash, and two slashes or a folder (src/main.py)
    first_dot: int  # where the first dot is (-1: none)

    @classmethod
    def of(cls, run: str, parts: list[str]) -> _Run:
        seps = set(parts[1::2])
        return cls(
            "-" not in seps
            or (_RANGE.fullmatch(run) is None or _DATE.fullmatch(run) is not None)
            and _SPAN.fullmatch(run) is None,
            ":" not in seps or _RATIO.fullmatch(run) is None or _TIME.fullmatch(run) is not None,
            "." in run[run.rfind("/") :]
            and (parts.count("/") >= 2 or _FOLDER.fullmatch(run, 0, run.rfind("/")) is not None),
            run.find("."),
        )


_PLAIN_RUN = _Run(True, True, False, -1)  # a run with no connector asks nothing


def _keeps(parts: list[str], k: int, pos: int, run: _Run) -> bool:
    """Whether connector ``parts[k]``, at ``pos`` in its run, joins its
    neighbours."""
    sep, left, right = parts[k], parts[k - 1], parts[k + 1]
    if sep == "-":  # a range of two plain numbers (times, dates) is three words
        return run.range_ok
    if sep == ":":
        if left.isalpha() and len(left) >= 2 and right.isdigit():
            # a label and its number: QQ:123456, Tel:010-1234, ISBN:978-7
            # (not a port: localhost:5173; nor arXiv:2303.08774)
            if len(right) >= 6 or (k + 2 < len(parts) and parts[k + 2] == "-"):
                return False
        return run.ratio_ok  # a score or ratio of two numbers too, unless a time
    if sep == ".":
        # a list's number before a capitalised word with no space (1.Python;
        # not 3.0, Node.js, ASP.NET, pd.DataFrame)
        if len(parts) == 3 and left.isdigit() and _CAPITAL.fullmatch(right):
            return False  # a list's number (1.Python; not pd.DataFrame, nn.Module)
        return True
    if sep == "/":  # two words either side of a slash, unless units or a path
        # (a path: a dot before the slash, example.com/a, or run.path; not
        # Java/Node.js); or two names of letters and digits (4G/5G, M1/M2)
        dot = 0 <= run.first_dot < pos
        if dot or run.path:
            return True
        words = left.isalpha() and right.isalpha() and min(len(left), len(right)) >= 2
        if words:
            return left in UNITS and right in UNITS
        return not (_has_both(left) and _has_both(right))
    return True


def _has_both(part: str) -> bool:
    """Whether ``part`` holds a letter and a digit."""
    return any(c.isdigit() for c in part) and any(c.isalpha() for c in part)


def _split_run(run: str, start: int, out: list[tuple[int, int]], raw: str) -> None:
    """Append the atoms of one matched run at offset ``start`` (``raw``: the
    run as written, before :data:`MATCH`)."""
    parts = _CONNECTOR.split(run)
    if "\uff1a" in raw and _IPV6.fullmatch(run) is None:
        # the Chinese colon after a word, in text of plain width, is a
        # label's (QQ：123456, Tel：010-1234567): each side is a run of its
        # own (an ASCII colon joins names: localhost:5173, arXiv:2303.08774;
        # with no ASCII character beside it, it is the twin of one)
        labels = []
        pos = 0
        for k, part in enumerate(parts):
            if (
                part == ":"
                and raw[pos] == "\uff1a"
                and _WORD.fullmatch(parts[k - 1])
                and (raw[pos - 1].isascii() or raw[pos + 1].isascii())
            ):
                labels.append(pos)
            pos += len(part)
        if labels:
            a = 0
            for c in labels:
                _split_run(run[a:c], start + a, out, raw[a:c])
                a = c + 1
            _split_run(run[a:], start + a, out, raw[a:])
            return
    pieces: list[tuple[int, int]] = []
    pos = 0
    piece = 0
    facts = _Run.of(run, parts) if len(parts) > 1 else _PLAIN_RUN
    for k, part in enumerate(parts):
        if k % 2 == 1 and not _keeps(parts, k, pos, facts):
            pieces.append((piece, pos))
            piece = pos + len(part)
        pos += len(part)
    pieces.append((piece, pos))
    for a, b in pieces:
        m = _NUMBER_UNIT.fullmatch(run, a, b)
        if m is not None and all(u in UNITS for u in m.group(2).split("/")):
            cut = m.start(2)
            for x, y in ((a, cut), (cut, b)):
                if y - x >= 2:
                    out.append((start + x, start + y))
        elif b - a >= 2:
            out.append((start + a, start + b))


def _scan(
    raw: str,
    pos: int,
    endpos: int,
    out: list[tuple[int, int]],
    shift: int,
    lines: str,
    line: list[int] | None = None,
) -> None:
    """Append the atoms of ``raw`` (matched as :data:`MATCH` maps it) that
    start in ``pos .. endpos`` to ``out``, moved by ``shift``. With ``lines``
    (the text of many lines that ``raw`` is a part of, at ``shift``), a
    match holding no letter or digit (a path of dots and dashes; a run
    always holds one) is kept only when its line has one (each line looked
    at once: ``line`` holds the last one's start, end and answer, for the
    next call)."""
    norm = raw.translate(MATCH)
    if line is None:
        line = [0, -1, 0]
    for m in _ATOM.finditer(norm, pos):
        s, e = m.span()
        if s >= endpos:
            break
        kind = m.lastgroup
        if kind == "url":
            while e > s and norm[e - 1] in _URL_TAIL:
                e -= 1
            opened, closed = norm.count("(", s, e), norm.count(")", s, e)
            while norm[e - 1] == ")" and closed > opened:
                e -= 1
                closed -= 1
        if kind == "run":
            if norm[e - 1] == "#" and s > 0 and norm[s - 1] == "#" and e - s > 2:
                e -= 1  # #ChatGPT#: the closing mark of a hashtag (#C#编程#: C#)
            elif norm[e - 1] == "+" and norm[e - 2].isdigit() and not _NAMED.match(norm, s):
                e -= 1  # a model's S24+, not a count's 100+
            elif norm[e - 1] == "_" and norm[s] != "_":
                e = len(norm[s:e].rstrip("_")) + s  # a blank to fill (a____), not __name__
            _split_run(norm[s:e], s + shift, out, raw[s:e])
        elif kind == "thousands" and "\uff0c" in raw[s:e] and _ASCII_DIGIT.search(raw, s, e):
            # a Chinese comma between digits of plain width lists numbers
            # (100，200件); between full-width ones it may group them (１，０００)
            a = s
            for b in [*(i for i in range(s, e) if raw[i] == "\uff0c"), e]:
                if b - a >= 2:
                    out.append((a + shift, b + shift))
                a = b + 1
        elif e - s >= 2:
            if lines and _MAYBE.search(norm, s, e) is None:
                if not line[0] <= s + shift < line[1]:
                    a = lines.rfind("\n", 0, s + shift) + 1
                    b = lines.find("\n", s + shift)
                    b = len(lines) if b < 0 else b
                    line[:] = [a, b, int(_MAYBE.search(lines, a, b) is not None)]
                if not line[2]:
                    continue
            out.append((s + shift, e + shift))


# every character an atom can hold (ASCII, their full-width forms, Latin
# letters, ± ’ ‰), and those of which every atom holds one (a letter, a
# digit or a slash): an atom lies inside a run of the first kind (an
# island) that holds one of the second
_HOLDS = (
    "!-~\u00b1\u00c0-\u024f\u0300-\u036f\u0386\u0388-\u03ce\u1e00-\u1eff"
    "\u2010-\u2013\u2019\u2030\u2080-\u2089\u2212\ufb00-\ufb06\ufe63\uff01-\uff5e"
    + _SCRIPTS
    + _FRACTIONS
)
# (found from a character of the second kind, widened to its run of the
# first: one pattern "[first]*[second][first]*" backtracks over a whole run
# at each of its positions, quadratic in a long run of only "-" and "±")
_RUN = re.compile(f"[{_HOLDS}]+")
_HOLD = re.compile(f"[{_HOLDS}]")
_KEY = re.compile(f"[{_WORD_CHARS}/\uff0f]")
# an island of only digits or only letters, which no pattern but a run
# matches and no unit splits (a unit needs a number before it)
_PLAIN = re.compile(f"[0-9\uff10-\uff19]+|[{_L}\uff21-\uff3a\uff41-\uff5a]+")


def _islands(text: str, lines: bool) -> list[tuple[int, int]]:
    """The atoms of ``text``: the patterns run over each island (see
    ``_RUN`` and ``_KEY``) with the one character before and after it that
    they look at, which gives what one run over the whole text gives. ``lines``: a
    match with no letter or digit needs one in its line (else in the text,
    which the caller has checked)."""
    out: list[tuple[int, int]] = []
    line = [0, -1, 0]  # shared by the islands: each line is looked at once
    end = 0
    while (key := _KEY.search(text, end)) is not None:
        # the island: the run of _HOLDS around a key character (found from
        # it, not by trying every run: most runs are one Chinese comma)
        a = key.start()
        while a > end and _HOLD.match(text, a - 1):
            a -= 1
        m = _RUN.match(text, key.start())
        assert m is not None  # (every key character is one an atom holds)
        b = end = m.end()
        if _PLAIN.fullmatch(text, a, b):
            # all digits or all letters: one run, the whole island
            if b - a >= 2:
                out.append((a, b))
            continue
        lo = max(a - 1, 0)
        _scan(text[lo : b + 1], a - lo, b - lo, out, lo, text if lines else "", line)
    return out


# What extends the character before it into one visible character (a
# grapheme cluster) in an emoji: variation selectors, the keycap and the
# other marks for symbols, skin tones and tags (combining accents are part
# of a Latin word already); a zero-width joiner joins the
# pictograph after it (an emoji ZWJ sequence); two regional indicators are
# a flag
_EXTEND = (
    "\u20d0-\u20ff\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_PICTOGRAPHS = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_FLAG = "\U0001f1e6-\U0001f1ff"
_CLUSTER = re.compile(
    f"[{_FLAG}]{{2}}|[^\\s\u200d{_EXTEND}](?:[{_EXTEND}]|\u200d[{_PICTOGRAPHS}])+"
)
_CLUSTER_KEY = re.compile(f"[{_EXTEND}\u200d{_FLAG}]")


def _with_clusters(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with the grapheme clusters of ``text`` that are more than
    one character (👍🏻, 🇨🇳, ❤️, 1️⃣, 👨‍👩‍👧), an atom and a cluster that
    overlap made one (10️⃣)."""
    clusters = [m.span() for m in _CLUSTER.finditer(text)]
    if not clusters:
        return spans
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans + clusters):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def atom_spans(text: str) -> list[tuple[int, int]]:
    """The atoms of ``text`` (see the module's contract), as spans."""
    spans = _islands(text, False) if _MAYBE.search(text) is not None else []
    if _CLUSTER_KEY.search(text) is not None:
        return _with_clusters(text, spans)
    return spans


def atom_spans_by_line(text: str) -> list[tuple[int, int]]:
    """The atoms of every ``\\n``-separated line of ``text`` (a line's
    ``\\r`` before its ``\\n`` left out), as offsets into ``text``: what
    :func:`atom_spans` gives for each line, found in one pass. No atom
    holds a line break, and the patterns see one as they see the end of a
    text; only a line with no letter or digit at all, which
    :func:`atom_spans` skips, needs a look at its line."""
    spans = _islands(text, True)
    if _CLUSTER_KEY.search(text) is not None:
        return _with_clusters(text, spans)
    return spans


__all__ = ["MATCH", "UNITS", "WIDTH", "atom_spans", "atom_spans_by_line"]
