"""Allow `python -m collector ...` as a synonym of the `anbefal` command."""

from .cli import main

main(prog_name="anbefal")
