"""The digest: its schedule in ANBEFAL_TIMEZONE, figures equal to the
overview's for the same period, sent once per user and period."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from admin import users
from collector import storage
from collector.mail import compose, digest, outgoing
from collector.tokens import Tokens


@pytest.mark.parametrize(
    ("now", "frequency", "since", "until"),
    [
        # Monday 08:00 in Copenhagen is 07:00 UTC in winter.
        ("2026-11-30T06:59:00+00:00", "weekly", "2026-11-16", "2026-11-22"),
        ("2026-11-30T07:00:00+00:00", "weekly", "2026-11-23", "2026-11-29"),
        ("2026-12-02T12:00:00+00:00", "weekly", "2026-11-23", "2026-11-29"),
        ("2026-12-06T23:00:00+00:00", "weekly", "2026-11-23", "2026-11-29"),  # Monday 00:00 local: not yet
        ("2026-12-02T06:59:00+00:00", "daily", "2026-11-30", "2026-11-30"),
        ("2026-12-02T07:00:00+00:00", "daily", "2026-12-01", "2026-12-01"),
        # Summer time: 08:00 is 06:00 UTC.
        ("2026-07-06T06:00:00+00:00", "weekly", "2026-06-29", "2026-07-05"),
    ],
)
def test_the_latest_period_is_the_week_or_day_before_08_00_local_time(now, frequency, since, until):
    period = digest.latest_period(frequency, datetime.fromisoformat(now), "Europe/Copenhagen")
    assert (period.since.isoformat(), period.until.isoformat()) == (since, until)


def fill(conn, make_touchpoint) -> None:
    checkout = make_touchpoint("checkout", target_nps=40)
    support = make_touchpoint("support")
    week = [
        (checkout, 10, "Fast"),
        (checkout, 9, None),
        (checkout, 3, "Late"),
        (checkout, 7, "Fine"),
        (support, 0, "Rude"),
        (support, 9, "Kind"),
        (support, 6, None),
    ]
    for day, (touchpoint, score, comment) in enumerate(week):
        storage.insert_response(conn, touchpoint.id, score, comment=comment, created_at=f"2026-11-{23 + day}T10:00:00Z")
    for day, score in enumerate([9, 2, 8, 10]):  # the week before
        storage.insert_response(conn, checkout.id, score, created_at=f"2026-11-{16 + day}T10:00:00Z")
    storage.insert_response(conn, checkout.id, 1, created_at="2026-11-30T10:00:00Z")  # after the period


def figure(html: str, name: str) -> list[str]:
    return re.findall(rf'data-figure="{name}"[^>]*>(?:<[^>]+>)*([^<]*)<', html)


def test_the_digest_figures_equal_the_overviews(app, conn, make_touchpoint, admin_client):
    fill(conn, make_touchpoint)
    period = digest.Period("weekly", date(2026, 11, 23), date(2026, 11, 29), datetime(2026, 11, 30, 7, tzinfo=UTC))
    found = digest.build(conn, period, app.config["MIN_ANSWERS"], now="2026-12-10T00:00:00Z")
    page = admin_client.get("/admin/?period=custom&since=2026-11-23&until=2026-11-29").text
    names = [row.card.name for row in found.rows]
    assert names == ["All touchpoints", "checkout", "support"]
    shown_nps = figure(page, "nps")
    assert shown_nps == [compose.nps.format_nps(row.card.summary.nps) for row in found.rows]
    assert figure(page, "open") == [str(row.open_detractors) for row in found.rows]
    assert [row.card.summary.n for row in found.rows] == [7, 4, 3]
    changes = figure(page, "change")
    for row, shown in zip(found.rows, changes, strict=True):
        assert compose.nps.format_change(row.card.change) in shown

    # And the mail says the same.
    owner = storage.mail_preferences(conn, storage.list_users(conn)[0].id)
    app.config.update(MAIL_FROM="nps@example.com", PUBLIC_URL="https://nps.example.com")
    message = compose.digest_message(conn, period, owner, app.config, Tokens(["k"]))
    text = message.get_body(("plain",)).get_content()
    for row in found.rows:
        assert compose.nps.format_nps(row.card.summary.nps) in text
    assert "Late" in text and "Fast" in text and "Rude" in text
    assert "https://nps.example.com/admin/?period=custom&since=2026-11-23&until=2026-11-29" in text


def test_a_digest_is_sent_once_per_user_and_period_whoever_sends(app, conn, make_touchpoint, mail_server):
    fill(conn, make_touchpoint)
    ann = users.add_user(conn, "ann@example.com", "a long password")
    bo = users.add_user(conn, "bo@example.com", "a long password")
    storage.set_mail_preferences(conn, ann.id, language="da", alerts=False)
    storage.set_mail_preferences(conn, bo.id, digest="off", alerts=False)
    conn.execute("UPDATE mail_outbox SET status = 'sent'")  # the alerts of the answers above
    app.config.update(SMTP_URL=mail_server.url, MAIL_FROM="nps@example.com")
    monday = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    for holder in ("worker-1", "worker-2", "worker-1"):  # senders one after the other, and again
        outgoing.Outgoing(app.config, holder, clock=lambda: monday).send_due(conn)
    (message,) = mail_server.wait_for(1)
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "NPS denne uge: 2026-11-23 – 2026-11-29"
    assert "Dit NPS-overblik" in message.get_body(("plain",)).get_content()
    # A week later, the next one.
    outgoing.Outgoing(app.config, "worker-3", clock=lambda: datetime(2026, 12, 7, 7, 30, tzinfo=UTC)).send_due(conn)
    assert len(mail_server.wait_for(2)) == 2


def test_a_digest_whose_moment_passed_long_ago_is_not_sent_late(app, conn, mail_server):
    users.add_user(conn, "ann@example.com", "a long password")
    app.config.update(SMTP_URL=mail_server.url, MAIL_FROM="nps@example.com")
    thursday = datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert outgoing.Outgoing(app.config, "w", clock=lambda: thursday).send_due(conn) == 0
    assert storage.list_mail(conn) == []
