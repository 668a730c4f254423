"""`python -m policyengine.service ...` is `policyengine serve ...`."""

import sys

from policyengine.cli.serve import main

sys.exit(main())
