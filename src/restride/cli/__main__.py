"""`python -m restride.cli`: the same CLI as the `restride` script (for child processes)."""

from restride.cli import main

main()
