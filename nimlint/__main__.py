"""``python -m nimlint``."""

from nimlint.console import main

main()
