"""Full differential check of qieci.posseg and qieci.analyse against jieba 0.42.1.

* ``posseg.lcut`` on every line of every ``shared/corpora/test/*.txt`` file
  (raw text: gold spaces removed), with and without the HMM, with the
  default dictionary and with a user dictionary: counts the lines whose
  (word, tag) lists differ.
* ``extract_tags`` and ``textrank`` (with and without weights, with
  ``allowPOS`` and ``withFlag``) on every 20th line of the same files
  (2,000+ paragraphs): counts the lines whose keywords, order or weights
  (beyond 1e-9) differ.

The user dictionary: every 40th word of ``lexicon/pku_training_words.txt``
that jieba's dictionary lacks and that has only characters of jieba's block
class (qieci deliberately matches user words with other characters whole;
see qieci.posseg), with a frequency and a tag drawn by a seeded generator,
plus every 500th word of jieba's dictionary given a new tag.

Rerun (slow: jieba's tagger runs over 1.5M characters three times)::

    flock /tmp/qieci-bench.lock python bench/posseg_diff.py
    # writes bench/results/posseg_diff.md
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from pathlib import Path

import qieci
import qieci.analyse
import qieci.posseg
from common import CORPORA
from qieci.posseg import POSTokenizer

BLOCK = re.compile("^[\u4e00-\u9fd5a-zA-Z0-9+#&._%-]+$")
TAGS = ["n", "nr", "ns", "nt", "nz", "v", "vn", "a", "eng", "i"]


def files() -> list[tuple[str, list[str]]]:
    out = []
    for path in sorted((CORPORA / "test").glob("*.txt")):
        with open(path, encoding="utf-8") as f:
            out.append((path.name, [x.rstrip("\n").replace(" ", "") for x in f if x.strip()]))
    if not out:
        raise SystemExit(f"no corpora under {CORPORA / 'test'}")
    return out


def user_dictionary(jieba, path: Path) -> int:
    rng = random.Random(4)
    lexicon = (CORPORA / "lexicon" / "pku_training_words.txt").read_text(encoding="utf-8").split()
    entries = []
    for w in lexicon[::40]:
        if BLOCK.match(w) and not jieba.dt.FREQ.get(w):
            entries.append(f"{w} {rng.randint(1, 2000)} {rng.choice(TAGS)}")
    known = [w for w, f in jieba.dt.FREQ.items() if f][::500]
    entries += [f"{w} {jieba.dt.FREQ[w]} {rng.choice(TAGS)}" for w in known]
    path.write_text("\n".join(entries) + "\n", encoding="utf-8")
    return len(entries)


def tuples(pairs) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in pairs]


def count_diffs(lines, ours, theirs, examples):
    bad = 0
    for s in lines:
        a, b = ours(s), theirs(s)
        if a != b:
            bad += 1
            if len(examples) < 5:
                examples.append((s, a, b))
    return bad


def plain(result):
    out = []
    for k in result:
        if isinstance(k, tuple):
            out.append((tuple(k[0]) if hasattr(k[0], "flag") else k[0], k[1]))
        else:
            out.append(tuple(k) if hasattr(k, "flag") else k)
    return out


def same_keywords(a, b) -> bool:
    a, b = plain(a), plain(b)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, tuple) and isinstance(x[1], float):
            if x[0] != y[0] or abs(x[1] - y[1]) > 1e-9:
                return False
        elif x != y:
            return False
    return True


def main() -> None:
    import jieba
    import jieba.analyse
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()
    corpus = files()
    rows = []
    examples: list = []
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        udict = Path(tmp) / "user.txt"
        n_user = user_dictionary(jieba, udict)
        jt = jieba.Tokenizer()
        jt.load_userdict(str(udict))
        jtag = jieba.posseg.POSTokenizer(jt)
        qt = qieci.Tokenizer()
        qt.load_userdict(udict)
        qtag = POSTokenizer(qt)
        setups = [
            ("default dictionary, HMM", qieci.posseg.lcut, jieba.posseg.lcut, True),
            ("default dictionary, HMM=False", qieci.posseg.lcut, jieba.posseg.lcut, False),
            (f"+ user dictionary ({n_user} entries), HMM", qtag.lcut, jtag.lcut, True),
        ]
        for label, ours, theirs, hmm in setups:
            for name, lines in corpus:
                bad = count_diffs(
                    lines,
                    lambda s: tuples(ours(s, hmm)),
                    lambda s: tuples(theirs(s, hmm)),
                    examples,
                )
                rows.append((label, name, len(lines), sum(map(len, lines)), bad))
                print(label, name, len(lines), bad, f"{time.time() - t0:.0f}s", flush=True)
    paragraphs = [s for _, lines in corpus for s in lines[::20]]
    nv = ("ns", "n", "vn", "v")
    kw_cases = [
        ("extract_tags()", {}),
        ("extract_tags(withWeight=True, topK=None)", {"withWeight": True, "topK": None}),
        ("extract_tags(allowPOS=ns/n/vn/v)", {"allowPOS": nv}),
        (
            "extract_tags(allowPOS=n/nr, withFlag, withWeight)",
            {"allowPOS": ("n", "nr"), "withFlag": True, "withWeight": True},
        ),
    ]
    tr_cases = [
        ("textrank()", {}),
        ("textrank(withWeight=True, topK=None)", {"withWeight": True, "topK": None}),
        (
            "textrank(allowPOS=n/nr/ns, withFlag, withWeight)",
            {"allowPOS": ("n", "nr", "ns"), "withFlag": True, "withWeight": True},
        ),
    ]
    kw_rows = []
    for label, kwargs in kw_cases:
        bad = sum(
            not same_keywords(
                qieci.analyse.extract_tags(s, **kwargs), jieba.analyse.extract_tags(s, **kwargs)
            )
            for s in paragraphs
        )
        kw_rows.append((label, bad))
        print(label, bad, flush=True)
    for label, kwargs in tr_cases:
        bad = sum(
            not same_keywords(
                qieci.analyse.textrank(s, **kwargs), jieba.analyse.textrank(s, **kwargs)
            )
            for s in paragraphs
        )
        kw_rows.append((label, bad))
        print(label, bad, flush=True)

    out = [
        "# qieci.posseg / qieci.analyse against jieba 0.42.1",
        "",
        "Command: `flock /tmp/qieci-bench.lock python bench/posseg_diff.py` "
        f"(took {time.time() - t0:.0f} s). Lines are the raw text of "
        "shared/corpora/test/*.txt (gold spaces removed).",
        "",
        "## posseg.lcut: lines whose (word, tag) lists differ",
        "",
        "| setup | file | lines | chars | differing lines |",
        "|---|---|---|---|---|",
    ]
    out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    total_bad = sum(r[4] for r in rows)
    out += [
        "",
        f"Total differing lines: {total_bad}.",
        "",
        f"## Keywords on {len(paragraphs)} paragraphs (every 20th line)",
        "",
        "| call | differing paragraphs |",
        "|---|---|",
    ]
    out += [f"| {a} | {b} |" for a, b in kw_rows]
    if examples:
        out += ["", "## First differences", ""]
        out += [f"- `{s!r}`: qieci {a!r} / jieba {b!r}" for s, a, b in examples]
    text = "\n".join(out) + "\n"
    Path(__file__).with_name("results").joinpath("posseg_diff.md").write_text(
        text, encoding="utf-8"
    )
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
