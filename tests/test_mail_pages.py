"""The unsubscribe link: one click from the mail program (RFC 8058), a page
that asks first, no login, and a stopped mail stays stopped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from admin import users
from collector import storage
from collector.mail import outgoing


@pytest.fixture
def ann(conn):
    return users.add_user(conn, "ann@example.com", "a long password")


@pytest.fixture
def config(app, mail_server):
    app.config.update(SMTP_URL=mail_server.url, MAIL_FROM="nps@example.com", PUBLIC_URL="https://nps.example.com")
    return app.config


def alert_link(conn, config, mail_server, touchpoint, count: int) -> str:
    storage.insert_response(conn, touchpoint.id, 1, comment="Broken")
    wednesday = datetime(2026, 11, 25, 12, tzinfo=UTC)
    outgoing.Outgoing(config, "w", clock=lambda: wednesday).send_due(conn)
    message = mail_server.wait_for(count)[-1]
    return message["List-Unsubscribe"].strip("<>").removeprefix("https://nps.example.com")


def test_the_one_click_unsubscribe_stops_that_mail(client, conn, config, ann, make_touchpoint, mail_server):
    touchpoint = make_touchpoint("checkout")
    link = alert_link(conn, config, mail_server, touchpoint, 1)
    # What a mail program sends (RFC 8058): no cookie, no CSRF token.
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "no more detractor alerts to ann@example.com" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert storage.mail_preferences(conn, ann.id).alerts is False
    storage.insert_response(conn, touchpoint.id, 2, comment="Again")
    outgoing.Outgoing(config, "w", clock=lambda: datetime(2026, 11, 25, 12, tzinfo=UTC)).send_due(conn)
    assert len(mail_server.messages) == 1
    assert storage.mail_preferences(conn, ann.id).digest == "weekly"  # only that kind of mail stopped


def test_opening_the_link_asks_first_and_changes_nothing(client, conn, config, ann, make_touchpoint, mail_server):
    storage.set_mail_preferences(conn, ann.id, language="sv")
    link = alert_link(conn, config, mail_server, make_touchpoint("checkout"), 1)
    page = client.get(link)
    assert page.status_code == 200
    assert '<html lang="sv">' in page.text
    assert "Sluta skicka aviseringar om kritiker till ann@example.com?" in page.text
    assert '<button type="submit">Avregistrera</button>' in page.text
    assert storage.mail_preferences(conn, ann.id).alerts is True


def test_a_digest_link_stops_the_digest(client, conn, app, ann):
    from collector.db import get_tokens

    with app.app_context():
        token = get_tokens().make_unsubscribe_token(ann.id, "digest")
    assert client.post(f"/mail/unsubscribe/{token}").status_code == 200
    choices = storage.mail_preferences(conn, ann.id)
    assert (choices.digest, choices.alerts) == ("off", True)


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoiYWxlcnQifQ.forged"])
def test_a_bad_link_is_a_readable_page_and_changes_nothing(client, conn, ann, token):
    for response in (client.get(f"/mail/unsubscribe/{token}"), client.post(f"/mail/unsubscribe/{token}")):
        assert response.status_code == 404
        assert "not valid" in response.text
    assert storage.mail_preferences(conn, ann.id).alerts is True


def test_a_token_of_another_purpose_is_refused(client, app, conn, ann, make_touchpoint):
    from collector.db import get_tokens

    with app.app_context():
        token = get_tokens().make_embed_token(make_touchpoint("checkout").id)
    assert client.post(f"/mail/unsubscribe/{token}").status_code == 404
