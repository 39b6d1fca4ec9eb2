"""New-word discovery: the words of a raw corpus that the lexicon lacks.

``qieci.discover.discover(texts, files=...)`` counts the corpus in bounded
memory, ranks the candidates that are not in the lexicon (jieba's
dictionary, plus word lists of your own) by frequency, cohesion, branching
entropy and the learned model's own segmentation, and returns
:class:`NewWord` objects, best first. ``write_words`` writes them as TSV or
as a user dictionary that both engines load. The command line is
``qieci discover``.

``qieci.discover.adapt(texts, files=...)`` builds on it a domain for the
learned engine (``Tokenizer(engine="learned", domain=...)``): the
discovered words, the model's own words of the text, and n-gram
statistics. The command line is ``qieci adapt``.
"""

from __future__ import annotations

from .adapt import adapt
from .api import MAX_LEN, DiscoverOptions, NewWord, discover
from .output import FORMATS, write_words

__all__ = ["MAX_LEN", "DiscoverOptions", "FORMATS", "NewWord", "adapt", "discover", "write_words"]
