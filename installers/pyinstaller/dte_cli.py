"""PyInstaller entry point of the CLI executable ``dte`` (see build_spec.spec)."""

import sys

from dte_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
