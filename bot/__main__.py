"""`python -m bot` runs the `dtlbot` command line."""

from bot.cli import main

main()
