"""`python -m airelay`."""

import sys

from airelay.cli import main

sys.exit(main())
