"""``python -m qieci``: the same as the ``qieci`` command."""

from .cli import run

run()
