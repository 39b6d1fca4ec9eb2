"""How likely a candidate is a word: the evidence about it, and a logistic
score over that evidence.

The evidence is the candidate's frequency, its cohesion (the smallest PMI
over its split points), the branching entropy of its left and right
neighbours, and the learned model's own view: of the candidate's
occurrences in the sample the model read, the share it cut as one word
(``model_rate``), and how many those were.

:data:`WEIGHTS` were fitted by logistic regression on the dev files of
``shared/corpora`` (``bench/tune_discover.py``; the test files were not
used): a positive is a gold word of that file that is not in jieba's
dictionary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The features, in the order of :data:`WEIGHTS`.
FEATURES = (
    "bias",
    "log_freq",
    "pmi",
    "min_entropy",
    "max_entropy",
    "model_rate",
    "log_model_freq",
    "unsampled",
    "len2",
    "len3",
    "len4",
)

#: Fitted by ``bench/tune_discover.py`` (see the module).
WEIGHTS = (-4.0, 0.5, 0.2, 0.8, 0.2, 4.0, 0.5, 1.0, 0.5, 0.3, 0.2)


@dataclass(frozen=True)
class Evidence:
    word: str
    freq: int
    pmi: float
    left_entropy: float
    right_entropy: float
    sample_freq: int  # occurrences in the model's sample
    model_freq: int  # of those, cut by the model as one word

    @property
    def model_rate(self) -> float:
        return min(1.0, self.model_freq / self.sample_freq) if self.sample_freq else 0.0


def features(ev: Evidence) -> tuple[float, ...]:
    n = len(ev.word)
    return (
        1.0,
        math.log(max(ev.freq, 1)),
        max(-5.0, min(ev.pmi, 15.0)),
        min(ev.left_entropy, ev.right_entropy),
        max(ev.left_entropy, ev.right_entropy),
        ev.model_rate,
        math.log1p(ev.model_freq),
        0.0 if ev.sample_freq else 1.0,
        float(n == 2),
        float(n == 3),
        float(n == 4),
    )


def score(ev: Evidence, weights: tuple[float, ...] = WEIGHTS) -> float:
    """The probability (0..1) that the candidate is a new word."""
    z = sum(w * x for w, x in zip(weights, features(ev), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(z, 50.0))))
