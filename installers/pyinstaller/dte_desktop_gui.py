"""PyInstaller entry point of the GUI executable ``dte-desktop`` (see build_spec.spec)."""

import sys

from dte_desktop.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
