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
    "get_DAG",
    "calc",
    "DEFAULT_DICT",
    "setLogLevel",
    "enable_paddle",
    "disable_parallel",
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


get_DAG = dt.get_DAG
calc = dt.calc

#: jieba's name of its default dictionary (None: the bundled one).
DEFAULT_DICT = None


def setLogLevel(log_level: int | str) -> None:
    """Set the level of qieci's logger (``logging.getLogger("qieci")``; the
    service logs under it), as jieba's ``setLogLevel`` sets jieba's."""
    import logging

    logging.getLogger("qieci").setLevel(log_level)


def enable_paddle() -> None:
    """jieba's paddle mode is not provided: this warns, and
    ``use_paddle=True`` then cuts as without it (as jieba does when paddle is
    not installed). A trained model: ``Tokenizer(engine="learned")``."""
    import warnings

    warnings.warn(
        "qieci has no paddle mode: use_paddle=True cuts as without it; for a trained "
        'model use qieci.Tokenizer(engine="learned")',
        stacklevel=2,
    )


def disable_parallel() -> None:
    """Nothing to do: qieci has no parallel mode to turn off (``enable_parallel``
    is not provided; ``cut_file(jobs=)``, ``Tokenizer.cut_many`` and ``qieci
    cut --jobs`` spread work over processes)."""


def get_FREQ(k: str, d: Any = None) -> Any:
    """Frequency of ``k`` in the default dictionary, or ``d``."""
    return dt.get_FREQ(k, d)
