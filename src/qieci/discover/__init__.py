"""New-word discovery: the words of a raw corpus that the lexicon lacks.

``qieci.discover.discover(texts, files=...)`` counts the corpus in bounded
memory, ranks the candidates that are not in the lexicon (jieba's
dictionary, plus word lists of your own) by frequency, cohesion, branching
entropy and the learned model's own segmentation, and returns
:class:`NewWord` objects, best first. ``write_words`` writes them as TSV or
as a user dictionary that both engines load. The command line is
``qieci discover``.
"""

from __future__ import annotations

from .api import MAX_LEN, DiscoverOptions, NewWord, discover
from .output import FORMATS, write_words

__all__ = ["MAX_LEN", "DiscoverOptions", "FORMATS", "NewWord", "discover", "write_words"]
