"""``python -m qieci``: the same as the ``qieci`` command."""

import sys

from .cli import main

sys.exit(main())
