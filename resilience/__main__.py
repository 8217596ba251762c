"""``python -m resilience``."""

from resilience.cli import main

main()
