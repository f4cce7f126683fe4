"""``python -m audkit``: the audkit command line (see audkit.cli and docs/CLI.md)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
