"""The date range shared by the admin's filters and the read API."""

from __future__ import annotations

from datetime import date

from collector.selection import previous_range, range_days, read_range

TODAY = date(2026, 6, 15)


def test_presets_end_today():
    errors: list[str] = []
    assert read_range("30d", "", "", TODAY, errors) == ("30d", date(2026, 5, 17), TODAY)
    assert read_range("year", "", "", TODAY, errors) == ("year", date(2026, 1, 1), TODAY)
    assert read_range("all", "", "", TODAY, errors) == ("all", None, None)
    assert read_range("", "", "", TODAY, errors, default="all") == ("all", None, None)
    assert errors == []


def test_a_reversed_range_is_swapped_or_only_reported():
    errors: list[str] = []
    assert read_range("", "2026-02-01", "2026-01-01", TODAY, errors)[1:] == (date(2026, 1, 1), date(2026, 2, 1))
    assert errors == ["The date range ends (2026-01-01) before it starts (2026-02-01); the dates were swapped."]
    errors = []
    read_range("", "2026-02-01", "2026-01-01", TODAY, errors, swap=False)
    assert errors == ["The date range ends (2026-01-01) before it starts (2026-02-01)."]


def test_messages_name_the_days_by_the_labels_given():
    errors: list[str] = []
    read_range("custom", "2026-02-30", "x", TODAY, errors, labels=("since", "until"))
    assert errors == [
        "since: “2026-02-30” is not a date like 2026-01-31.",
        "until: “x” is not a date like 2026-01-31.",
    ]


def test_previous_range_has_the_same_length_and_ends_the_day_before():
    assert range_days(date(2026, 5, 1), date(2026, 5, 31), TODAY) == 31
    assert previous_range(date(2026, 5, 1), date(2026, 5, 31), TODAY) == (date(2026, 3, 31), date(2026, 4, 30))
    assert previous_range(date(2026, 6, 1), None, TODAY) == (date(2026, 5, 17), date(2026, 5, 31))
    assert previous_range(None, TODAY, TODAY) is None


def test_no_previous_range_before_the_calendar_starts():
    assert previous_range(date(1, 1, 1), date(1, 1, 31), TODAY) is None
    assert previous_range(date(1, 2, 1), date(1, 3, 31), TODAY) is None
