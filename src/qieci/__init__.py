"""qieci (切词): fast Chinese word segmentation.

``import qieci as jieba`` works as a drop-in: the module-level functions are
bound methods of one default :class:`Tokenizer` (``qieci.dt``), and give the
same results as jieba 0.42.1.

>>> import qieci
>>> qieci.lcut("我来到北京清华大学")
['我', '来到', '北京', '清华大学']
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .tokenizer import Tokenizer, TokenizerSpec, UserDictWarning, strdecode

__all__ = [
    "__version__",
    "Tokenizer",
    "TokenizerSpec",
    "UserDictWarning",
    "dt",
    "cut",
    "lcut",
    "cut_for_search",
    "lcut_for_search",
    "tokenize",
    "load_userdict",
    "add_word",
    "del_word",
    "suggest_freq",
    "initialize",
    "set_dictionary",
    "get_FREQ",
    "user_word_tag_tab",
    "strdecode",
    "cut_file",
]

#: The default tokenizer behind the module-level functions. With the
#: defaults built over it on first use (``qieci.posseg.dt``, and
#: ``qieci.analyse``'s default extractors, which ``set_idf_path`` and
#: ``set_stop_words`` change, as in jieba), the only module-level mutable
#: state of qieci.
dt = Tokenizer()
dt._pickle_as = ("qieci", "dt")  # unpickles as the receiving process's qieci.dt

cut = dt.cut
lcut = dt.lcut
cut_for_search = dt.cut_for_search
lcut_for_search = dt.lcut_for_search
tokenize = dt.tokenize
load_userdict = dt.load_userdict
add_word = dt.add_word
del_word = dt.del_word
suggest_freq = dt.suggest_freq
initialize = dt.initialize
set_dictionary = dt.set_dictionary
cut_file = dt.cut_file
user_word_tag_tab = dt.user_word_tag_tab


def get_FREQ(k: str, d: Any = None) -> Any:
    """Frequency of ``k`` in the default dictionary, or ``d``."""
    return dt.get_FREQ(k, d)
