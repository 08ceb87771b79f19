"""``python -m nimlint``."""

from nimlint.cli import main

main()
