"""`python -m reports` runs the `gradverify` command."""

import sys

from reports.cli import main

sys.exit(main())
