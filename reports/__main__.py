"""`python -m gradverify` runs the `gradverify` command."""

import sys

from gradverify.cli import main

sys.exit(main())
