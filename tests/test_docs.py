"""The README documents every setting and every command there is."""

from __future__ import annotations

from pathlib import Path

import click

from collector import DEFAULTS
from collector.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands(group: click.Group, prefix: str = "anbefal"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def test_every_setting_has_a_row_in_the_settings_tables():
    missing = [name for name in DEFAULTS if f"| `ANBEFAL_{name}` |" not in README]
    assert missing == [], f"settings without a README row: {missing}"


def test_every_command_is_in_the_command_line_table():
    missing = [name for name in commands(main) if f"| `{name}" not in README]
    assert missing == [], f"commands without a README row: {missing}"
