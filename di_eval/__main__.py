import sys

from di_eval.cli import main

sys.exit(main())
