import sys

from mhhs_sec.cli import main

sys.exit(main())
