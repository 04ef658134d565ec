"""``python -m press``: the same as the ``press`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
