"""Mail from the real server: every detractor answered over HTTP gets exactly
one alert, also when the server is stopped, or killed, between the answer
and the send, and with several workers."""

from __future__ import annotations

import time

import pytest
from conftest import LiveServer
from test_webhook_serving import post_answer

from collector import storage
from collector.tokens import Tokens

pytestmark = pytest.mark.slow

SECRET = "mail-serving-key"
ANSWERS = 8


def prepare(db: str) -> str:
    """A touchpoint and one admin user who gets alerts and no digest; return the embed token."""
    setup = storage.connect(db)
    storage.migrate(setup)
    touchpoint = storage.insert_touchpoint(setup, "checkout")
    user = storage.insert_user(setup, "ann@example.com", "not a real hash")
    storage.set_mail_preferences(setup, user.id, digest="off")
    setup.close()
    return Tokens([SECRET]).make_embed_token(touchpoint.id)


def environment(mail_server, delay: int) -> dict[str, str]:
    return {
        "ANBEFAL_SECRET_KEY": SECRET,
        "ANBEFAL_RATELIMIT": "off",
        "ANBEFAL_SMTP_URL": mail_server.url,
        "ANBEFAL_MAIL_FROM": "nps@example.com",
        "ANBEFAL_PUBLIC_URL": "https://nps.example.com",
        "ANBEFAL_ALERT_DELAY": str(delay),
    }


def wait_until_sent(db: str, count: int) -> None:
    conn = storage.connect(db)
    try:
        deadline = time.monotonic() + 60
        while storage.count_mail(conn).get("sent", 0) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert storage.count_mail(conn) == {"sent": count}
    finally:
        conn.close()


def subjects(mail_server) -> list[str]:
    return sorted(str(message["Subject"]) for message in mail_server.messages)


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_restart_between_the_answer_and_the_send_loses_nothing_and_doubles_nothing(tmp_path, mail_server, how):
    db = str(tmp_path / "mail.db")
    token = prepare(db)
    # The alerts wait (for a comment that never comes) longer than the server runs.
    server = LiveServer(db, tmp_path, args=["--workers", "2"], env=environment(mail_server, 600)).start()
    try:
        for n in range(ANSWERS):
            assert post_answer(server.port, token, f"order-{n}")
        if how == "killed":
            server.kill()
    finally:
        server.stop()
    assert mail_server.messages == []

    restarted = LiveServer(db, tmp_path, args=["--workers", "2"], env=environment(mail_server, 1)).start()
    try:
        wait_until_sent(db, ANSWERS)
    finally:
        restarted.stop()
    assert subjects(mail_server) == ["Detractor: 3 on checkout"] * ANSWERS
    assert [to for _, to in mail_server.envelopes] == [["ann@example.com"]] * ANSWERS
    # Each answer's alert once: its link names each answer exactly once.
    links = sorted(
        message.get_body(("plain",)).get_content().split("/admin/responses/")[1].split()[0]
        for message in mail_server.messages
    )
    assert links == sorted(str(n) for n in range(1, ANSWERS + 1))
