import sys

from dte_desktop.cli import main

sys.exit(main())
