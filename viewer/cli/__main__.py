"""``python -m viewer.cli``: the ``gmed`` command."""

import sys

from viewer.cli import main

sys.exit(main())
