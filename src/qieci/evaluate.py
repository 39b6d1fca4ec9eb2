"""Word-segmentation scoring, as the SIGHAN bakeoff scorer defines it.

Each word is a character span ``[start, end)`` of its line. A predicted word
is correct when the gold segmentation of the same line has the same span.

* precision = correct predicted words / predicted words;
* recall = correct gold words / gold words; F1 their harmonic mean;
* OOV recall = recall over the gold words *not* in the vocabulary (the
  training word list), IV recall = recall over the others.

All figures are fractions in [0, 1]; a ratio with a zero denominator is 0
(``None`` for OOV/IV recall when no vocabulary is given, or when no gold
word is OOV, or none IV). An empty vocabulary is refused (it would count
every gold word as OOV), as is a gold text without words.

Segmented files and word lists are read from a path (:func:`read_segmented`,
:func:`read_vocab`) or from bytes already read, e.g. stdin
(:func:`parse_segmented`, :func:`parse_vocab`); bad bytes are named by
file, line and byte. A segmented file's blank lines are skipped, and its
lines remember their line numbers in the file, so that a mismatch names
the lines of the files, not the count of sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass

from .textlines import utf8_lines


@dataclass(frozen=True)
class Score:
    """The scores of one evaluation (fractions)."""

    precision: float
    recall: float
    f1: float
    oov_recall: float | None
    iv_recall: float | None
    gold_words: int
    pred_words: int
    correct: int
    oov_words: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def table(self) -> str:
        """Human-readable lines, figures in percent with two decimals."""

        def pct(x: float | None) -> str:
            return "-" if x is None else f"{100 * x:.2f}"

        return "\n".join(
            [
                f"precision  {pct(self.precision)}",
                f"recall     {pct(self.recall)}",
                f"f1         {pct(self.f1)}",
                f"oov_recall {pct(self.oov_recall)}"
                + (f"  ({self.oov_words} OOV gold words)" if self.oov_words is not None else ""),
                f"iv_recall  {pct(self.iv_recall)}",
                f"gold_words {self.gold_words}",
                f"pred_words {self.pred_words}",
            ]
        )


def spans(words: Sequence[str]) -> list[tuple[int, int]]:
    """The character spans of ``words`` laid end to end."""
    out = []
    pos = 0
    for w in words:
        out.append((pos, pos + len(w)))
        pos += len(w)
    return out


class SegmentedLines(list[list[str]]):
    """The lines of a segmented file that hold words, as lists of words
    (blank lines skipped); ``line_numbers[i]`` is the line of the file
    (from 1) that ``self[i]`` was read from."""

    def __init__(self, lines: Iterable[tuple[int, list[str]]] = ()) -> None:
        pairs = list(lines)
        super().__init__(words for _, words in pairs)
        self.line_numbers: list[int] = [n for n, _ in pairs]


def _line_numbers(lines: object) -> Callable[[int], int]:
    """The file line of the ``i``-th (from 0) line of ``lines``: its
    recorded number for :class:`SegmentedLines`, else ``i + 1``."""
    if isinstance(lines, SegmentedLines):
        return lines.line_numbers.__getitem__
    return lambda i: i + 1


def score(
    gold: Iterable[Sequence[str]],
    pred: Iterable[Sequence[str]],
    vocab: Collection[str] | None = None,
) -> Score:
    """Score predicted lines of words against gold lines of words.

    Lines pair up in order; each pair must have the same text once the words
    are joined, and both sides must have the same number of lines
    (ValueError naming the line otherwise: the line of the file for
    :class:`SegmentedLines`, as :func:`read_segmented` returns, both files'
    lines when they differ; else the count of lines from 1). ``vocab``,
    when given, must hold a word (ValueError otherwise).
    """
    if vocab is not None and not vocab:
        raise ValueError(
            "the vocabulary has no words: every gold word would count as OOV "
            "(give words, or no vocabulary for no OOV/IV recall)"
        )
    n_gold = n_pred = n_correct = 0
    n_oov = oov_correct = 0
    gold_line = _line_numbers(gold)
    pred_line = _line_numbers(pred)
    gold_it = iter(gold)
    pred_it = iter(pred)
    i = 0
    while True:
        g = next(gold_it, None)
        p = next(pred_it, None)
        if g is None or p is None:
            if g is not None:
                raise ValueError(
                    f"gold and prediction differ in line count (gold line {gold_line(i)} "
                    "has no line in the prediction)"
                )
            if p is not None:
                raise ValueError(
                    f"gold and prediction differ in line count (prediction line "
                    f"{pred_line(i)} has no line in gold)"
                )
            break
        if "".join(g) != "".join(p):
            at_gold, at_pred = gold_line(i), pred_line(i)
            where = (
                f"line {at_gold}"
                if at_gold == at_pred
                else f"gold line {at_gold}, prediction line {at_pred}"
            )
            raise ValueError(f"{where}: prediction text differs from gold text")
        i += 1
        gs = spans(g)
        ps = set(spans(p))
        n_gold += len(gs)
        n_pred += len(ps)
        for word, sp in zip(g, gs, strict=True):
            hit = sp in ps
            n_correct += hit
            if vocab is not None and word not in vocab:
                n_oov += 1
                oov_correct += hit
    if n_gold == 0:
        raise ValueError("the gold text has no words: nothing to score (is the file empty?)")
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if vocab is None:
        oov_recall = iv_recall = None
        oov_words = None
    else:
        # a recall over no words is undefined (None, printed "-"), not 0:
        # 0 would read as every such word missed
        oov_recall = oov_correct / n_oov if n_oov else None
        n_iv = n_gold - n_oov
        iv_recall = (n_correct - oov_correct) / n_iv if n_iv else None
        oov_words = n_oov
    return Score(precision, recall, f1, oov_recall, iv_recall, n_gold, n_pred, n_correct, oov_words)


def read_segmented(path: str) -> SegmentedLines:
    """The lines of a segmented file (words separated by single spaces),
    skipping empty lines, with their line numbers. ValueError when the file
    is unreadable, or as :func:`parse_segmented` raises."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read segmented file: {exc.strerror or exc}") from None
    return parse_segmented(data, path)


def parse_segmented(data: bytes, name: str) -> SegmentedLines:
    """The lines of segmented text ``data`` as :func:`read_segmented` reads
    a file's; ValueError naming ``name``, the line and the byte that is not
    UTF-8."""
    # (a line ends at "\n" only, as qieci cut reads lines: a lone "\r" is
    # whitespace between words; a UTF-8 byte-order mark is not a word)
    lines = utf8_lines(data, name, "a segmented file")
    out = ((n, (line.lstrip("\ufeff") if n == 1 else line).split()) for n, line in lines)
    return SegmentedLines((n, words) for n, words in out if words)


def read_vocab(path: str) -> set[str]:
    """A word list: one word per line (the first field of the line; a
    UTF-8 byte-order mark is not part of the first word). ValueError when
    the file is unreadable, or as :func:`parse_vocab` raises. The set is
    empty for a file without words (:func:`score` refuses it)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read word list: {exc.strerror or exc}") from None
    return parse_vocab(data, path)


def parse_vocab(data: bytes, name: str) -> set[str]:
    """The words of word-list text ``data`` as :func:`read_vocab` reads a
    file's; ValueError naming ``name``, the line and the byte that is not
    UTF-8."""
    words = set()
    for n, line in utf8_lines(data, name, "a word list"):
        fields = (line.lstrip("\ufeff") if n == 1 else line).split()
        if fields:
            words.add(fields[0])
    return words
