"""`anbefal user notify`, `anbefal digest` and `anbefal touchpoint followup`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from admin import users
from collector import storage
from collector.cli import main
from collector.mail import digest


@pytest.fixture
def ann(conn):
    return users.add_user(conn, "ann@example.com", "a long password")


def test_user_notify_shows_and_changes_the_choices(runner, conn, ann, make_touchpoint):
    make_touchpoint("checkout")
    make_touchpoint("invoice")
    shown = runner.invoke(main, ["user", "notify", "ann@example.com"])
    assert shown.exit_code == 0, shown.output
    assert "ann@example.com: alerts on (every touchpoint), digest weekly, language en" in shown.output
    assert "mail is off" in shown.output
    changed = runner.invoke(
        main,
        [
            "user",
            "notify",
            "ANN@example.com",
            "--touchpoint",
            "checkout",
            "--touchpoint",
            "invoice",
            "--digest",
            "daily",
            "--language",
            "da",
        ],
    )
    assert changed.exit_code == 0, changed.output
    assert "alerts on (checkout, invoice), digest daily, language da" in changed.output
    off = runner.invoke(main, ["user", "notify", "ann@example.com", "--alerts", "off", "--touchpoint", "all"])
    assert "alerts off, digest daily" in off.output
    assert storage.mail_preferences(conn, ann.id).touchpoints == []


def test_user_notify_refuses_what_is_not_there(runner, ann):
    assert "no admin user 'bo@example.com'" in runner.invoke(main, ["user", "notify", "bo@example.com"]).output
    nowhere = runner.invoke(main, ["user", "notify", "ann@example.com", "--touchpoint", "nowhere"])
    assert nowhere.exit_code != 0 and "no touchpoint called 'nowhere'" in nowhere.output
    assert runner.invoke(main, ["user", "notify", "ann@example.com", "--digest", "hourly"]).exit_code == 2


def test_digest_preview_writes_the_html_and_sends_nothing(runner, conn, ann, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    day = digest.latest_period("daily", datetime.now(UTC), "Europe/Copenhagen").since
    storage.insert_response(conn, touchpoint.id, 9, comment="Quick", created_at=f"{day}T12:00:00Z")
    storage.set_mail_preferences(conn, ann.id, language="de")
    html = runner.invoke(main, ["digest", "--preview", "--user", "ann@example.com"])
    assert html.exit_code == 0, html.output
    assert html.output.startswith("<!doctype html>") and "Ihre NPS-Zusammenfassung" in html.output
    text = runner.invoke(main, ["digest", "--preview", "--text", "--daily"])
    assert text.output.startswith("Ihre NPS-Zusammenfassung\n========================\n")
    assert "Quick" in text.output
    assert [m for m in storage.list_mail(conn) if m.kind == "digest"] == []


def test_digest_send_now(runner, app, conn, ann, mail_server):
    bo = users.add_user(conn, "bo@example.com", "a long password")
    storage.set_mail_preferences(conn, bo.id, digest="off")
    assert "mail is off" in runner.invoke(main, ["digest", "--send-now"]).output
    app.config.update(SMTP_URL=mail_server.url, MAIL_FROM="nps@example.com")
    result = runner.invoke(main, ["digest", "--send-now"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in mail_server.wait_for(1)] == ["ann@example.com"]
    result = runner.invoke(main, ["digest", "--send-now", "--to", "bo@example.com"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in mail_server.wait_for(2)] == ["ann@example.com", "bo@example.com"]
    assert runner.invoke(main, ["digest"]).exit_code == 2


def test_touchpoint_followup(runner, conn, ann, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    shown = runner.invoke(main, ["touchpoint", "followup", "checkout"])
    assert "checkout: detractors go to nobody, due 48 hours after the answer" in shown.output
    result = runner.invoke(main, ["touchpoint", "followup", "checkout", "--owner", "ann@example.com", "--hours", "24"])
    assert "checkout: detractors go to ann@example.com, due 24 hours after the answer" in result.output
    found = storage.get_touchpoint(conn, touchpoint.id)
    assert (found.owner_user_id, found.followup_hours) == (ann.id, 24)
    runner.invoke(main, ["touchpoint", "followup", "checkout", "--owner", "none"])
    assert storage.get_touchpoint(conn, touchpoint.id).owner_user_id is None
    assert runner.invoke(main, ["touchpoint", "followup", "checkout", "--hours", "0"]).exit_code == 2
