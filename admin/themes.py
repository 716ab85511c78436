"""The overview's themes: what detractors talk about and what would make
passives promoters, for the overview's filters (collector.themes)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from flask import url_for

from collector.themes.report import Theme, Themes, find_themes

from .filters import Filters


@dataclass(frozen=True)
class Row:
    theme: Theme
    url: str  # the comments page, searching this category's comments for it


@dataclass(frozen=True)
class Section:
    themes: Themes
    rows: list[Row]


@dataclass(frozen=True)
class Panel:
    sections: list[Section]

    @property
    def limited(self) -> bool:
        return any(section.themes.limited for section in self.sections)

    @property
    def read(self) -> int:
        """How many comments were read: the newest of the selection."""
        return max((section.themes.read for section in self.sections), default=0)


def build(conn: sqlite3.Connection, flt: Filters) -> Panel:
    """The themes of the answers *flt* selects, each linked to its comments."""

    def url(category: str, theme: Theme) -> str:
        query = flt.query({"category": category, "q": theme.search}, breakdown=None, interval="auto")
        return url_for("admin.comments") + "?" + query

    sections = [
        Section(found, [Row(theme, url(found.category, theme)) for theme in found.themes])
        for found in find_themes(conn, flt.response_filter())
    ]
    return Panel(sections)
