"""`python -m bot ...` does the same as `aiguilleur ...`."""

import sys

from bot.cli import main

sys.exit(main())
