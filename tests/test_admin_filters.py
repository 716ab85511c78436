"""The admin's filters: strict parsing of the query string, the storage filter
they make, the previous period, and the query string they write back."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

import pytest
from werkzeug.datastructures import MultiDict

from admin import filters
from collector import storage

TODAY = date(2026, 11, 25)


def parse(query: str, **kwargs):
    return filters.parse(MultiDict(parse_qsl(query, keep_blank_values=True)), today=TODAY, **kwargs)


def test_no_parameters_is_the_last_90_days():
    flt, errors = parse("")
    assert errors == []
    assert (flt.period, flt.since, flt.until) == ("90d", date(2026, 8, 28), TODAY)
    assert flt.days == 90
    assert flt.response_filter() == storage.ResponseFilter(since="2026-08-28", until="2026-11-25")


@pytest.mark.parametrize(
    ("period", "since", "days"),
    [("7d", date(2026, 11, 19), 7), ("30d", date(2026, 10, 27), 30), ("year", date(2026, 1, 1), 329)],
)
def test_presets(period, since, days):
    flt, errors = parse(f"period={period}")
    assert errors == []
    assert (flt.since, flt.until, flt.days) == (since, TODAY, days)


def test_all_time_has_no_range_and_no_previous_period():
    flt, errors = parse("period=all")
    assert errors == []
    assert (flt.since, flt.until, flt.days, flt.previous()) == (None, None, None, None)
    assert flt.response_filter() == storage.ResponseFilter()


def test_custom_dates_and_the_previous_period_of_the_same_length():
    flt, errors = parse("period=custom&since=2026-03-01&until=2026-03-10")
    assert errors == []
    assert (flt.since, flt.until, flt.days) == (date(2026, 3, 1), date(2026, 3, 10), 10)
    prev = flt.previous()
    assert (prev.since, prev.until, prev.days) == (date(2026, 2, 19), date(2026, 2, 28), 10)
    last7 = parse("period=7d")[0].previous()
    assert (last7.since, last7.until) == (date(2026, 11, 12), date(2026, 11, 18))


def test_dates_without_a_period_mean_custom():
    flt, errors = parse("since=2026-06-01")
    assert errors == []
    assert (flt.period, flt.since, flt.until, flt.days) == ("custom", date(2026, 6, 1), None, 178)


def test_a_preset_wins_over_dates_left_in_the_form():
    flt, errors = parse("period=30d&since=2020-01-01&until=2020-02-01")
    assert errors == []
    assert (flt.since, flt.until) == (date(2026, 10, 27), TODAY)


def test_every_filter_together_makes_the_storage_filter():
    flt, errors = parse("period=7d&touchpoint=3&channel=link&p.segment=business&p.department=north&by=agent")
    assert errors == []
    assert flt.response_filter() == storage.ResponseFilter(
        touchpoint_id=3,
        since="2026-11-19",
        until="2026-11-25",
        channel="link",
        properties={"department": "north", "segment": "business"},
    )
    assert flt.breakdown == "agent"
    assert flt.response_filter(touchpoint_id=9).touchpoint_id == 9


def test_the_form_s_add_pair_becomes_a_property_filter():
    flt, errors = parse("period=30d&p.segment=private&add_key=department&add_value=S%C3%B8nder")
    assert errors == []
    assert flt.properties == (("department", "Sønder"), ("segment", "private"))


def test_empty_fields_from_a_get_form_are_ignored():
    flt, errors = parse("period=30d&since=&until=&touchpoint=&channel=&by=&interval=&add_key=segment&add_value=")
    assert errors == []
    assert flt == parse("period=30d")[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=fortnight", "Unknown period “fortnight”"),
        ("period=custom&since=2026-02-30", "From: “2026-02-30” is not a date like 2026-01-31."),
        ("since=yesterday", "From: “yesterday” is not a date"),
        ("until=20260101", "To: “20260101” is not a date"),
        ("period=custom", "A custom period needs a first day"),
        ("touchpoint=abc", "“abc” is not a touchpoint id"),
        ("touchpoint=-1", "“-1” is not a touchpoint id"),
        ("channel=fax", "Unknown channel “fax”: choose widget or link."),
        ("p.bad%20key=x", "“bad key” is not a property name"),
        ("by=%3Cscript%3E", "“<script>” is not a property name"),
        ("interval=day", "Unknown trend interval “day”"),
        ("add_value=north", "Choose the property that “north” is a value of."),
        ("p.segment=" + "x" * 201, "The value for property “segment” is too long"),
    ],
)
def test_bad_values_become_messages_and_fall_back_to_defaults(query, message):
    flt, errors = parse(query)
    assert len(errors) == 1
    assert errors[0].startswith(message), errors
    assert flt.touchpoint_id is None and flt.channel is None and flt.breakdown is None
    assert flt.properties == ()


def test_a_bad_value_leaves_the_other_filters_standing():
    flt, errors = parse("period=7d&channel=fax&touchpoint=2")
    assert len(errors) == 1
    assert (flt.period, flt.touchpoint_id, flt.channel) == ("7d", 2, None)


def test_an_unknown_touchpoint_is_refused_when_the_ids_are_known():
    flt, errors = parse("touchpoint=7", touchpoint_ids={1, 2})
    assert errors == ["There is no touchpoint with id 7; all touchpoints are shown."]
    assert flt.touchpoint_id is None


def test_swapped_dates_are_put_right_and_said_so():
    flt, errors = parse("since=2026-03-10&until=2026-03-01")
    assert (flt.since, flt.until) == (date(2026, 3, 1), date(2026, 3, 10))
    assert "ends (2026-03-01) before it starts (2026-03-10)" in errors[0]


def test_the_same_property_twice_keeps_the_first():
    flt, errors = parse("p.segment=private&add_key=segment&add_value=business")
    assert flt.properties == (("segment", "private"),)
    assert "given twice" in errors[0]


def test_a_long_refused_value_is_shortened_in_the_message():
    _, errors = parse("channel=" + "z" * 500)
    assert "z" * 39 + "…" in errors[0] and "z" * 41 not in errors[0]


def test_the_query_string_round_trips():
    query = (
        "period=custom&since=2026-03-01&until=2026-03-31&touchpoint=2&channel=widget&p.department=n%C3%B8rd&by=agent"
    )
    flt, errors = parse(query)
    assert errors == []
    assert flt.query() == query
    assert parse(flt.query())[0] == flt
    args = MultiDict(parse_qsl(query))
    assert filters.is_canonical(args, flt)
    assert not filters.is_canonical(MultiDict(parse_qsl(query + "&add_key=", keep_blank_values=True)), flt)


def test_query_with_changes_and_extra_parameters():
    flt, _ = parse("period=30d&p.segment=private")
    assert flt.query(channel="link") == "period=30d&channel=link&p.segment=private"
    assert flt.query({"page": 2, "q": None}) == "period=30d&p.segment=private&page=2"
    assert filters.is_canonical(MultiDict([("period", "30d"), ("p.segment", "private"), ("page", "2")]), flt, {"page"})


def test_describe_range_and_trend_interval():
    assert parse("period=30d")[0].describe_range() == "Last 30 days (2026-10-27 to 2026-11-25)"
    assert parse("period=all")[0].describe_range() == "All time"
    assert parse("period=30d")[0].trend_interval == "week"
    assert parse("period=year")[0].trend_interval == "month"
    assert parse("period=all")[0].trend_interval == "month"
    assert parse("period=year&interval=week")[0].trend_interval == "week"


def test_filters_select_the_right_rows(conn, make_touchpoint):
    a, b = make_touchpoint("a"), make_touchpoint("b")
    rows = [
        (a.id, 9, "2026-11-20T10:00:00Z", "widget", {"segment": "private"}),
        (a.id, 3, "2026-11-24T23:59:59Z", "link", {"segment": "business"}),
        (b.id, 7, "2026-11-25T08:00:00Z", "widget", {"segment": "business"}),
        (b.id, 10, "2026-11-10T08:00:00Z", "widget", {"segment": "business"}),
    ]
    for tp, score, when, channel, props in rows:
        storage.insert_response(conn, tp, score, created_at=when, channel=channel, properties=props)

    def count(query: str) -> dict:
        flt, errors = parse(query)
        assert errors == []
        return storage.category_counts_by_touchpoint(conn, flt.response_filter())

    assert count("period=7d") == {a.id: (1, 0, 1), b.id: (0, 1, 0)}
    assert count("period=30d") == {a.id: (1, 0, 1), b.id: (1, 1, 0)}
    assert count(f"period=30d&touchpoint={b.id}") == {b.id: (1, 1, 0)}
    assert count("period=30d&channel=link") == {a.id: (0, 0, 1)}
    assert count("period=30d&p.segment=business") == {a.id: (0, 0, 1), b.id: (1, 1, 0)}
    assert count("since=2026-11-24&until=2026-11-24") == {a.id: (0, 0, 1)}


def test_property_filters_match_exactly(conn, make_touchpoint):
    tp = make_touchpoint("a")
    for score, props in [
        (10, {"segment": "business"}),
        (9, {"segment": "business-plus"}),  # the value as a prefix
        (8, {"xsegment": "business"}),  # the key as a suffix
        (7, {"other": "business", "segment": "private"}),  # the value under another key
        (6, {"segment": 'say "business"'}),  # quotes inside the value
        (5, {"segment": "Sønderjylland"}),
        (4, {}),
    ]:
        storage.insert_response(conn, tp.id, score, properties=props)

    def scores(**properties) -> list[int]:
        flt = storage.ResponseFilter(properties=properties)
        return sorted(row["score"] for row in storage.iter_export_rows(conn, flt))

    assert scores(segment="business") == [10]
    assert scores(segment='say "business"') == [6]
    assert scores(segment="Sønderjylland") == [5]
    assert scores(other="business", segment="private") == [7]
    assert scores(segment="busi") == []
