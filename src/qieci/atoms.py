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
* matching sees the text width-normalised (full-width ``１２．５％`` or
  ``ＣＰＵ`` match as ``12.5%`` and ``CPU``), and its hyphens and dashes
  (``‑ ‐ – −``) as ``-`` (:data:`MATCH`), so offsets are the same in both;
  the Chinese colon and comma (``：`` ``，``) beside a character of plain
  width are punctuation, not twins of ``:`` and ``,`` (see below);
* the kinds, tried in this order at each position:

  - URLs with a scheme (``https://…``, ``ftp://…``) or starting ``www.``;
    the trailing punctuation of a sentence is not part of them;
  - e-mail addresses (a run before one ends at its connector:
    ``E-mail:foo@bar.com`` holds the atoms ``E-mail`` and ``foo@bar.com``);
  - numbers with thousands separators (``1,234,567.89``; the Chinese
    comma ``，`` groups only full-width digits: ``100，200件`` is a list);
  - abbreviations with dots (``U.S.A.``, ``e.g.``);
  - absolute paths (``/var/log/syslog``);
  - ISO 8601 timestamps (``2024-03-15T10:30:00+08:00``), numbers in
    scientific notation (``3.1E+22``), IPv6 addresses that start with
    ``::`` (``::ffff:192.168.0.1``), relative paths (``~/.bashrc``,
    ``./configure``: ending in a letter or digit);
  - versions with a build tag after ``+`` that starts with a small letter
    (``2.3.1+cu118``, ``v1.0.0-rc.1+build.5``; ``3.5+2.1`` is a sum and
    ``4.0+AI`` a slogan);
  - a name that starts with a dot (``.NET``, ``.com``), where no letter,
    digit or dot precedes the dot;
  - runs of letters (Latin: ASCII, Latin-1, Extended-A/B and Additional,
    with combining accents, and the ligatures; Greek) and digits (with
    subscripts: ``CO₂``; a superscript is not part of a word: ``m²``,
    ``Nature¹``) joined by ``. - _ / : :: ' ’ &`` between two letters or
    digits: decimals (``0.618``), dates and times (``2024-01-15``,
    ``2024/1/15``, ``12:30:05``), versions (``v1.2.3``, ``USB3.0``), IPv4
    and IPv6 addresses, domain names and paths (``example.com/a``,
    ``src/utils/main.py``), hyphenated names (``COVID-19``, ``Wi-Fi``,
    ``TNF-α``), contractions (``don't``), model numbers (``RTX4090``,
    ``i7-12700K``); with a sign before a number (``-5``, ``+3.2``,
    ``±0.1``) when no letter, digit, dot, or date or unit character
    (``2003年-2005年`` is a range) precedes it and it is not before a year
    (``东京－2005年``: a dash), and a suffix ``%`` or ``‰`` after a digit,
    or ``++`` ``+`` ``#`` after a letter (``C++``, ``C#``) when no letter
    or digit follows (in ``#ChatGPT#``, the closing mark of a hashtag, is
    not one; ``#C#编程#`` keeps ``C#``).

  Such a run is one atom except where its parts are separate words in
  every standard: a range or a score between two plain numbers
  (``1995-2005``, ``3:1``; not a date, a time, a phone number or a model
  number), a slash between two words (``ATM/POS``, ``Java/Node.js``; not
  ``A/B``, a date, a fraction, or a path: a dot before the slash, or two
  slashes and a dot in the last part), a Chinese colon that follows a
  word and has a character of plain width beside it (``QQ：123456``,
  ``Tel：010-12345678``: a label and its value; an ASCII colon joins, as
  in ``localhost:5173``), and a number with a unit of measure after it
  (``0.3cm``, ``500ml``): these give one atom per part.
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
# as in Nguyễn), combining accents (Pokémon), the Latin ligatures (ﬁ) and
# Greek (TNF-α, β-catenin)
_L = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u0386\u0388-\u03ce"
    "\u1e00-\u1eff\ufb00-\ufb06"
)
# letters and digits, subscript digits among them (CO₂; not superscripts:
# m² is a unit, Nature¹ a footnote)
_A = _L + "0-9\u2080-\u2089"
_WORD = re.compile(f"[{_L}]+")
_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
# the local part of an e-mail address after its first character (at most 64
# in all, as RFC 5321 allows: this also keeps every try of the pattern
# short, which unbounded was quadratic in a long run such as "1+1+1+..."):
# a run stops before a connector that this and an @ and a domain name follow
# (``E-mail:foo@bar.com``: the e-mail is an atom of its own; ``Live@name``,
# a mention, is not an address)
_LOCAL = "[A-Za-z0-9._%+\\-]{0,63}"
# what may not precede a sign: a letter, digit or dot (3-5, v-1), or a date
# or unit character, after which a dash is a range (2003年-2005年)
_NOSIGN = _A + ".年月日时分秒号点岁元%‰"

_ATOM = re.compile(
    rf"""
    (?P<url>(?:[A-Za-z][A-Za-z0-9+.\-]{{1,15}}://|(?<![{_A}.])www\.)[{_URL_CHARS}]+)
  | (?P<email>(?<![{_A}.])[A-Za-z0-9]{_LOCAL}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)
  | (?P<thousands>(?:(?<![{_NOSIGN}])[+\-±])?(?<![{_A}.])[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)?
        (?![0-9])(?:[%‰])?)
  | (?P<abbr>(?<![{_A}.])(?:[A-Za-z]{{1,3}}\.){{2,}}(?![{_A}]))
  | (?P<path>(?<![{_A}./])/[A-Za-z0-9._\-]+(?:/[A-Za-z0-9._\-]+)+)
  | (?P<stamp>(?<![{_A}.])[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}
        (?::[0-9]{{2}}(?:[.,][0-9]{{1,9}})?)?(?:Z|[+\-][0-9]{{2}}(?::?[0-9]{{2}})?)?(?![{_A}]))
  | (?P<sci>(?:(?<![{_NOSIGN}])[+\-±])?(?<![{_A}.])[0-9]+(?:\.[0-9]+)?[eE][+\-]?[0-9]{{1,3}}
        (?![{_A}]))
  | (?P<ipv6>(?<![{_A}:])::(?:[0-9A-Fa-f]{{1,4}}:){{0,6}}
        (?:[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}|[0-9A-Fa-f]{{1,4}})(?![{_A}:.]))
  | (?P<relpath>(?<![{_A}./~])(?:~|\.\.?)/[A-Za-z0-9._\-/]*[A-Za-z0-9])
  | (?P<build>(?<![{_A}.])[vV]?[0-9]+(?:\.[0-9]+)+(?:-[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)?
        \+[a-z][A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)
  | (?P<dotname>(?<![{_A}.])\.[{_L}]{{2,}}[0-9]*(?![{_A}]|\.[{_A}]))
  | (?P<run>(?:(?<![{_NOSIGN}])[+\-±](?=[0-9])(?![0-9]{{4}}年))?
        [{_A}]+(?:(?:::|[._\-/:'’&])(?!{_LOCAL}@[A-Za-z0-9\-]+\.[A-Za-z0-9])[{_A}]+)*
        (?:(?<=[0-9])[%‰]|(?<=[{_L}])(?:\+\+|\+|\#)(?![{_A}]))?)
    """,
    re.VERBOSE,
)
# a cheap test: a text with none of these has no atom
_MAYBE = re.compile(rf"[{_A}\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_URL_TAIL = ".,;:!?'\""
_ASCII_DIGIT = re.compile("[0-9]")
# an IPv6 address, whose groups a single colon joins (fe80:abcd:1::2)
_IPV6 = re.compile(r"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}")


#: Units of measure: a number followed by one is two atoms (``0.3`` ``cm``).
UNITS = frozenset(
    "mm cm dm km m nm um μm mg kg g t ml mL l L s ms min h kb KB mb MB gb GB tb TB "
    "Kb Mb Gb kbps Mbps Gbps Hz kHz MHz GHz W kW MW V kV mA mAh A Ah dB cc ppm "
    "kcal cal mmHg mmol mol ug μg IU".split()
)
_CONNECTOR = re.compile(r"(::|[._\-/:'’&])")
_DATE = re.compile(r"[0-9]{4}([-/.])[0-9]{1,2}(?:\1[0-9]{1,2})?")
_TIME = re.compile(r"[0-9]{1,2}(?::[0-9]{2}){1,2}(?:\.[0-9]+)?")
_RANGE = re.compile(r"(?!0[0-9])[0-9]{1,6}(?:\.[0-9]+)?-(?!0[0-9])[0-9]{1,6}(?:\.[0-9]+)?")
_RATIO = re.compile(r"[0-9]+:[0-9]+")
_NUMBER_UNIT = re.compile(r"([+\-±]?[0-9][0-9.,]*)([A-Za-zμ]+(?:/[A-Za-zμ]+)?)")


class _Run(NamedTuple):
    """The tests of a whole run that its connectors ask (made once per run:
    made at every connector, a long run of them was quadratic)."""

    range_ok: bool  # a dash joins: not a range of two plain numbers, or a date
    ratio_ok: bool  # a colon joins: not a score of two numbers, or a time
    path: bool  # two slashes and a dot after the last (src/utils/main.py)
    first_dot: int  # where the first dot is (-1: none)

    @classmethod
    def of(cls, run: str, parts: list[str]) -> _Run:
        seps = set(parts[1::2])
        return cls(
            "-" not in seps or _RANGE.fullmatch(run) is None or _DATE.fullmatch(run) is not None,
            ":" not in seps or _RATIO.fullmatch(run) is None or _TIME.fullmatch(run) is not None,
            parts.count("/") >= 2 and "." in run[run.rfind("/") :],
            run.find("."),
        )


_PLAIN_RUN = _Run(True, True, False, -1)  # a run with no connector asks nothing


def _keeps(parts: list[str], k: int, pos: int, run: _Run) -> bool:
    """Whether connector ``parts[k]``, at ``pos`` in its run, joins its
    neighbours."""
    sep, left, right = parts[k], parts[k - 1], parts[k + 1]
    if sep == "-":  # a range of two plain numbers is three words
        return run.range_ok
    if sep == ":":  # a score or ratio of two numbers too, unless a time
        return run.ratio_ok
    if sep == "/":  # two words either side of a slash, unless units or a path
        # (a path: a dot before the slash, example.com/a, or run.path; not
        # Java/Node.js)
        words = left.isalpha() and right.isalpha() and min(len(left), len(right)) >= 2
        dot = 0 <= run.first_dot < pos
        return not words or (left in UNITS and right in UNITS) or dot or run.path
    return True


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
)
# (found from a character of the second kind, widened to its run of the
# first: one pattern "[first]*[second][first]*" backtracks over a whole run
# at each of its positions, quadratic in a long run of only "-" and "±")
_RUN = re.compile(f"[{_HOLDS}]+")
_HOLD = re.compile(f"[{_HOLDS}]")
_KEY = re.compile(f"[{_A}/\uff0f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
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


def atom_spans(text: str) -> list[tuple[int, int]]:
    """The atoms of ``text`` (see the module's contract), as spans."""
    if _MAYBE.search(text) is None:
        return []
    return _islands(text, False)


def atom_spans_by_line(text: str) -> list[tuple[int, int]]:
    """The atoms of every ``\\n``-separated line of ``text`` (a line's
    ``\\r`` before its ``\\n`` left out), as offsets into ``text``: what
    :func:`atom_spans` gives for each line, found in one pass. No atom
    holds a line break, and the patterns see one as they see the end of a
    text; only a line with no letter or digit at all, which
    :func:`atom_spans` skips, needs a look at its line."""
    return _islands(text, True)


__all__ = ["MATCH", "UNITS", "WIDTH", "atom_spans", "atom_spans_by_line"]
