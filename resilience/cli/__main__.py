"""``python -m resilience.cli``."""

from resilience.cli import main

main()
