"""``python -m nimlint``."""

import os
import sys

# -m puts the working folder first on sys.path, where a checkout's click.py or yaml.py would
# shadow what nimlint imports next. nimlint itself is imported by now; drop that entry.
if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == os.getcwd():
    del sys.path[0]

from nimlint.console import main  # after the sys.path repair above

main()
