"""The README documents every setting and every command there is."""

from __future__ import annotations

import re
from pathlib import Path

import click

from collector.cli import main
from collector.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def settings_tables() -> dict[str, dict[str, str]]:
    """Read the README's settings tables: heading -> {setting: its default as shown}."""
    start = README.index("\n## Settings\n")
    section = README[start : README.index("\n## ", start + 1)]
    tables: dict[str, dict[str, str]] = {}
    heading = ""
    for line in section.splitlines():
        if line.startswith("### "):
            heading = line.removeprefix("### ")
        row = re.match(r"\| `ANBEFAL_(\w+)` \| (.*?) \|", line)
        if row:
            tables.setdefault(heading, {})[row[1]] = row[2]
    return tables


def commands(group: click.Group, prefix: str = "anbefal"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def test_every_setting_has_a_row_in_its_table_with_its_default():
    tables = settings_tables()
    for setting in SETTINGS:
        assert setting.section in tables, setting.section
        shown = setting.shown or f"`{setting.default_text}`"
        assert tables[setting.section].get(setting.name) == shown, setting.name


def test_every_variable_in_the_settings_tables_is_a_setting():
    documented = [name for table in settings_tables().values() for name in table]
    assert sorted(documented) == sorted(setting.name for setting in SETTINGS)


def test_every_command_is_in_the_command_line_table():
    missing = [name for name in commands(main) if f"| `{name}" not in README]
    assert missing == [], f"commands without a README row: {missing}"
