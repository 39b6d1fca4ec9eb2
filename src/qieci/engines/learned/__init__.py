"""The learned engine: a trained multi-standard B/M/E/S character tagger.

* :mod:`.engine`: :class:`LearnedEngine`, the engine;
* :mod:`.model`: the model file format (a :mod:`qieci.binfile` container);
* :mod:`.train`: the averaged perceptron's training loop and its config;
* :mod:`.userwords`: user words matched in a text (forced whole);
* :mod:`.domain`: domain statistics (``qieci adapt``) and their file format;
* kernel ``_learned`` (features, Viterbi, training steps) with its
  pure-Python twin :mod:`.reference`.
"""

from .engine import DEFAULT_STANDARD, LearnedEngine

__all__ = ["DEFAULT_STANDARD", "LearnedEngine"]
