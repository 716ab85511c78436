"""The overview's statistics against figures worked out by hand: NPS, the
margin of error, the change against the previous period, the gap to the
target, the trend buckets, the distribution and the breakdown; and the
per-day table the overview reads, kept right by triggers."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from admin import filters, stats
from collector import nps, storage

TODAY = date(2026, 11, 25)


def flt(**args) -> filters.Filters:
    parsed, errors = filters.parse(MultiDict(args), today=TODAY)
    assert errors == []
    return parsed


def add(conn, tp, scores, day, **kwargs):
    for score in scores:
        storage.insert_response(conn, tp.id, score, created_at=f"{day}T12:00:00Z", **kwargs)


def test_nps_margin_and_percentages_by_hand():
    # 5 promoters, 3 passives, 2 detractors: NPS = 50% - 20% = +30.
    # Each answer is +1/0/-1: mean 0.3, variance p + d - (p - d)^2 = 0.7 - 0.09 = 0.61;
    # margin = 1.96 * sqrt(0.61 / 10) * 100 = 48.41 points.
    s = nps.summary_from_scores([(10, 3), (9, 2), (8, 2), (7, 1), (6, 1), (0, 1)])
    assert (s.promoters, s.passives, s.detractors, s.n) == (5, 3, 2, 10)
    assert (s.pct_promoters, s.pct_passives, s.pct_detractors, s.nps) == (50, 30, 20, 30)
    assert s.margin == pytest.approx(48.41, abs=0.01)


def test_change_gap_and_the_margin_of_the_change():
    now = nps.Summary(promoters=60, passives=20, detractors=20)  # +40, margin 1.96*sqrt((0.8-0.16)/100) = 15.68
    before = nps.Summary(promoters=30, passives=40, detractors=30)  # 0, margin 1.96*sqrt(0.6/100) = 15.18
    assert stats.change(now, before) == 40
    assert stats.change_margin(now, before) == pytest.approx((15.68**2 + 15.18**2) ** 0.5, abs=0.02)
    assert stats.gap(now, 50) == -10
    assert stats.gap(now, None) is None
    assert stats.change(now, nps.Summary()) is None  # no NPS before: no change
    assert stats.change(now, None) is None


def test_change_is_the_difference_of_the_shown_figures():
    # +33.3 shown as +33, +16.7 shown as +17: the change shown is 16, not 16.7 rounded to 17.
    now = nps.Summary(promoters=2, passives=1, detractors=0)
    before = nps.Summary(promoters=2, passives=3, detractors=1)
    assert (now.nps, before.nps, stats.change(now, before)) == (67, 17, 50)
    third = nps.Summary(promoters=1, passives=2, detractors=0)
    sixth = nps.Summary(promoters=1, passives=5, detractors=0)
    assert (third.nps, sixth.nps, stats.change(third, sixth)) == (33, 17, 16)


def test_buckets_start_on_monday_or_the_first_of_the_month():
    assert stats.bucket_start(date(2026, 11, 25), "week") == date(2026, 11, 23)
    assert stats.bucket_start(date(2026, 11, 25), "month") == date(2026, 11, 1)
    assert stats.bucket_label(date(2026, 11, 23), "week") == "2026-W48"
    assert stats.bucket_label(date(2026, 12, 1), "month") == "Dec 2026"
    assert stats.trend_buckets(date(2026, 11, 30), date(2027, 2, 3), "month") == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert stats.trend_buckets(date(2026, 11, 19), date(2026, 11, 25), "week") == [
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]


def test_overview_cards_by_hand(conn, make_touchpoint):
    a = make_touchpoint("checkout", target_nps=40)
    b = make_touchpoint("support")
    # Last 7 days = 2026-11-19..25; the previous 7 days = 11-12..18.
    add(conn, a, [10, 9, 9, 8, 3], "2026-11-24")  # a now: 3 P, 1 Pa, 1 D -> +40
    add(conn, a, [10, 2], "2026-11-19")  # a now: +1 P, +1 D -> 4 P, 1 Pa, 2 D, n 7 -> +28.57 -> +29
    add(conn, a, [9, 6, 6, 7], "2026-11-15")  # a before: 1 P, 1 Pa, 2 D -> -25
    add(conn, b, [8, 8, 10], "2026-11-25")  # b now: 1 P, 2 Pa -> +33
    add(conn, b, [0], "2026-11-11")  # outside both periods
    add(conn, b, [10], "2026-11-26")  # after today's range end

    overview = stats.build_overview(conn, flt(period="7d"), storage.list_touchpoints(conn), min_answers=5)
    everything, checkout, support = overview.cards
    assert [c.name for c in overview.cards] == ["All touchpoints", "checkout", "support"]

    assert (checkout.summary.promoters, checkout.summary.passives, checkout.summary.detractors) == (4, 1, 2)
    assert checkout.summary.nps == 29
    assert checkout.previous.nps == -25
    assert checkout.change == 54
    assert checkout.target == 40 and checkout.gap == -11
    assert not checkout.few_answers
    assert checkout.distribution == [0, 0, 1, 1, 0, 0, 0, 0, 1, 2, 2]

    assert support.summary.nps == 33 and support.summary.n == 3
    assert support.few_answers  # 3 < 5
    assert support.previous.n == 0 and support.change is None
    assert support.target is None and support.gap is None

    # All together: 5 P, 3 Pa, 2 D of 10 -> +30; before: 1 P, 1 Pa, 2 D -> -25.
    assert (everything.summary.n, everything.summary.nps, everything.previous.nps, everything.change) == (
        10,
        30,
        -25,
        55,
    )
    assert everything.summary.margin == pytest.approx(48.41, abs=0.01)
    assert everything.target is None
    assert everything.distribution == [0, 0, 1, 1, 0, 0, 0, 0, 3, 2, 3]

    # The trend: weeks starting 11-16 (the 19th) and 11-23 (the 24th and 25th).
    assert [p.label for p in checkout.trend] == ["2026-W47", "2026-W48"]
    assert [(p.summary.n, p.summary.nps) for p in checkout.trend] == [(2, 0), (5, 40)]
    assert [(p.summary.n, p.summary.nps) for p in everything.trend] == [(2, 0), (8, 38)]


def test_a_clear_change_is_larger_than_its_margin():
    card = stats.Card("x", None, nps.Summary(90, 10, 0), nps.Summary(10, 10, 80), 30)
    assert card.change == 160 and card.change_is_clear
    close = stats.Card("x", None, nps.Summary(5, 3, 2), nps.Summary(4, 4, 2), 30)
    assert close.change == 10 and not close.change_is_clear


def test_one_touchpoint_shows_its_card_only_and_all_time_has_no_previous(conn, make_touchpoint):
    a, b = make_touchpoint("a"), make_touchpoint("b")
    add(conn, a, [9], "2025-03-02")
    add(conn, b, [1], "2026-11-01")
    overview = stats.build_overview(conn, flt(period="all", touchpoint=str(b.id)), storage.list_touchpoints(conn))
    assert [c.name for c in overview.cards] == ["b"]
    (card,) = overview.cards
    assert card.previous is None and card.change is None
    assert card.summary.nps == -100
    assert [p.label for p in card.trend] == ["Nov 2026"]
    everything = stats.build_overview(conn, flt(period="all"), storage.list_touchpoints(conn)).cards[0]
    assert everything.trend[0].label == "Mar 2025" and len(everything.trend) == 21


def test_channel_and_property_filters_reach_every_figure(conn, make_touchpoint):
    a = make_touchpoint("a")
    add(conn, a, [10, 10], "2026-11-20", channel="link", properties={"segment": "business"})
    add(conn, a, [0], "2026-11-20", channel="widget", properties={"segment": "business"})
    add(conn, a, [5, 5, 5], "2026-11-20", channel="link", properties={"segment": "private"})
    tps = storage.list_touchpoints(conn)
    assert stats.build_overview(conn, flt(period="7d", channel="link"), tps).cards[0].summary.n == 5
    by_prop = stats.build_overview(conn, MultiDictFilter("period=7d&p.segment=business"), tps).cards[1]
    assert (by_prop.summary.n, by_prop.summary.nps) == (3, 33)
    both = stats.build_overview(conn, MultiDictFilter("period=7d&p.segment=business&channel=link"), tps)
    assert both.cards[1].summary.nps == 100


def MultiDictFilter(query: str) -> filters.Filters:  # noqa: N802 - reads like the type it builds
    parsed, errors = filters.parse(MultiDict([item.split("=") for item in query.split("&")]), today=TODAY)
    assert errors == []
    return parsed


def test_breakdown_by_a_property(conn, make_touchpoint):
    a = make_touchpoint("a")
    add(conn, a, [10, 10, 0], "2026-11-20", properties={"department": "north"})
    add(conn, a, [9, 7, 7, 7, 7], "2026-11-21", properties={"department": "Sønder"})
    add(conn, a, [3], "2026-11-21", properties={"segment": "x"})
    overview = stats.build_overview(conn, flt(period="30d", by="department"), storage.list_touchpoints(conn))
    rows = [(row.value, row.summary.n, row.summary.nps) for row in overview.breakdown.rows]
    assert rows == [("Sønder", 5, 20), ("north", 3, 33), (None, 1, -100)]


def test_the_day_table_follows_inserts_updates_and_deletes(conn, make_touchpoint):
    a, b = make_touchpoint("a"), make_touchpoint("b")
    first = storage.insert_response(conn, a.id, 9, ref="o-1", created_at="2026-11-20T10:00:00Z")
    storage.insert_response(conn, a.id, 3, ref="o-2", created_at="2026-11-20T11:00:00Z")
    storage.insert_response(conn, b.id, 7, channel="link", created_at="2026-11-21T11:00:00Z")
    # The same ref again replaces the score (an upsert is an UPDATE).
    storage.insert_response(conn, a.id, 10, ref="o-1", created_at="2026-11-20T10:00:00Z")
    storage.update_response(conn, first, score=4)

    def days(**kwargs) -> list:
        return sorted(storage.score_counts_by_period(conn, storage.ResponseFilter(**kwargs)))

    assert days() == [(a.id, "2026-11-20", 3, 1), (a.id, "2026-11-20", 4, 1), (b.id, "2026-11-21", 7, 1)]
    assert days(channel="link") == [(b.id, "2026-11-21", 7, 1)]
    assert days(touchpoint_id=a.id, since="2026-11-20", until="2026-11-20") == days()[:2]
    # The same figures as counting the answers themselves (the property path).
    assert days(since="2026-01-01T00:00:00Z") == days()
    conn.execute("DELETE FROM touchpoints WHERE id = ?", (b.id,))  # cascades to its answers
    assert days() == [(a.id, "2026-11-20", 3, 1), (a.id, "2026-11-20", 4, 1)]


@pytest.mark.parametrize("since", ["2026-10-01", "2026-10-01T00:00:00Z"])  # the day table; the answers themselves
def test_counts_by_week_and_month_with_the_previous_period_apart(conn, make_touchpoint, since):
    a = make_touchpoint("a")
    add(conn, a, [9], "2026-11-01")  # a Sunday: the week of Monday 10-26
    add(conn, a, [3], "2026-11-02")  # a Monday
    add(conn, a, [7, 8], "2026-10-20")
    flt = storage.ResponseFilter(since=since)
    weeks = storage.score_counts_by_period(conn, flt, "week", before="2026-10-26")
    assert sorted(weeks, key=str) == sorted(
        [(a.id, None, 7, 1), (a.id, None, 8, 1), (a.id, "2026-10-26", 9, 1), (a.id, "2026-11-02", 3, 1)], key=str
    )
    months = storage.score_counts_by_period(conn, flt, "month")
    assert sorted(months, key=str) == sorted(
        [
            (a.id, "2026-10-01", 7, 1),
            (a.id, "2026-10-01", 8, 1),
            (a.id, "2026-11-01", 9, 1),
            (a.id, "2026-11-01", 3, 1),
        ],
        key=str,
    )
