"""``python -m tensorir``: the ``tensorir`` command (``tensorir/cli.py``)."""

import sys

from tensorir.cli import main

sys.exit(main())
