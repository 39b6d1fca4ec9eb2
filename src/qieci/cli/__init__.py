"""The ``qieci`` command line (also ``python -m qieci``).

One module per subcommand, each a thin layer over the library: it declares
its arguments, turns them into the library's own objects (a
:class:`~qieci.Tokenizer`, :class:`~qieci.io.stream.CutOptions`, a
:class:`~qieci.engines.learned.train.TrainConfig`) and calls the library.
Nothing below this package sees an ``argparse.Namespace``.

* ``qieci cut``: :mod:`.cut`; ``qieci keywords``: :mod:`.keywords`;
* ``qieci train``, ``qieci eval``, ``qieci standards``: :mod:`.train`,
  :mod:`.eval`, :mod:`.standards`;
* the options several commands share: :mod:`.options`;
* parsing, dispatch and exit statuses: :mod:`.app`.

Exit status: 0 on success, 2 on bad input or usage (a missing file, an
unreadable dictionary, invalid UTF-8), 1 on a fault (a worker process dies,
the disk is full, the input changes during the run), 130 when interrupted
(SIGINT), 143 on SIGTERM.
"""

from .app import main, run

__all__ = ["main", "run"]
