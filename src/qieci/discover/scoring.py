"""How likely a candidate is a word: the evidence about it, and a logistic
score over that evidence.

The evidence is the candidate's frequency, its cohesion (the smallest PMI
over its split points), the branching entropy of its left and right
neighbours, and the learned model's own view: of the candidate's
occurrences in the sample the model read, under each of a few standards
(:mod:`.model`), the share it cut as one word (``model_rate``: the mean
over the standards, and the largest), the share whose both ends are
boundaries of its cut (``edge_rate``: a fragment of a longer word has
few), and how many it cut whole.

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
    "max_model_rate",
    "edge_rate",
    "log_model_freq",
    "unsampled",
    "len2",
    "len3",
    "len4",
)

#: Fitted by ``bench/tune_discover.py`` (see the module).
WEIGHTS = (
    -6.066,
    -0.956,
    0.086,
    1.268,
    0.453,
    3.005,
    1.570,
    0.719,
    1.390,
    0.0,
    0.563,
    0.484,
    -0.056,
)


#: The weights for a candidate the model has no view of (``discover(model=
#: False)``, or a candidate outside the model's sample): fitted the same way
#: on the statistics alone (``bench/tune_discover.py --no-model``), so that
#: its score is a probability too.
STATS_WEIGHTS = (
    -4.636,
    -2.239,
    0.687,
    2.770,
    1.196,
    0.0,
    0.0,
    0.0,
    0.0,
    -4.636,
    3.251,
    1.976,
    -0.130,
)


@dataclass(frozen=True)
class Evidence:
    word: str
    freq: int
    pmi: float
    left_entropy: float
    right_entropy: float
    sample_freq: int = 0  # occurrences in the model's sample
    # per standard the sample was cut under: of those occurrences, how many
    # have a boundary of the cut at both ends, and how many are cut whole
    edge_freqs: tuple[int, ...] = ()
    model_freqs: tuple[int, ...] = ()

    def _rates(self, counts: tuple[int, ...]) -> list[float]:
        n = self.sample_freq
        return [min(1.0, c / n) for c in counts] if n and counts else [0.0]

    @property
    def model_rate(self) -> float:
        """The share of the sample's occurrences cut whole (mean over the
        standards)."""
        rates = self._rates(self.model_freqs)
        return sum(rates) / len(rates)

    @property
    def edge_rate(self) -> float:
        rates = self._rates(self.edge_freqs)
        return sum(rates) / len(rates)


def features(ev: Evidence) -> tuple[float, ...]:
    n = len(ev.word)
    return (
        1.0,
        math.log(max(ev.freq, 1)),
        max(-5.0, min(ev.pmi, 15.0)),
        min(ev.left_entropy, ev.right_entropy),
        max(ev.left_entropy, ev.right_entropy),
        ev.model_rate,
        max(ev._rates(ev.model_freqs)),
        ev.edge_rate,
        math.log1p(max(ev.model_freqs, default=0)),
        0.0 if ev.sample_freq else 1.0,
        float(n == 2),
        float(n == 3),
        float(n == 4),
    )


def score(ev: Evidence, weights: tuple[float, ...] | None = None) -> float:
    """The probability (0..1) that the candidate is a new word: by
    :data:`WEIGHTS` when the model read some of its occurrences, else by
    :data:`STATS_WEIGHTS`."""
    if weights is None:
        weights = WEIGHTS if ev.sample_freq else STATS_WEIGHTS
    z = sum(w * x for w, x in zip(weights, features(ev), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(z, 50.0))))
