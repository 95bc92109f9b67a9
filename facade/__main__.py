"""`python -m facade`: the command line."""

import sys

from facade.cli import main

sys.exit(main())
