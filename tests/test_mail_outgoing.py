"""Mail through a real SMTP server: the alert of a detractor (its comment,
a working link, one alert per answer), sending once across two senders and
a crash between claiming and recording, retries, and mail that is off."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from conftest import ADMIN_EMAIL, free_port

from admin import users
from collector import storage
from collector.mail import outgoing


@pytest.fixture
def config(app, mail_server):
    app.config.update(
        SMTP_URL=mail_server.url,
        MAIL_FROM="Anbefal <nps@example.com>",
        PUBLIC_URL="https://nps.example.com",
        ALERT_DELAY=120,
    )
    return app.config


@pytest.fixture
def owner(conn):
    return users.add_user(conn, "ann@example.com", "a long password")


# A Wednesday noon: no digest is due, only alerts go.
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def send(config, holder: str = "test-sender") -> int:
    conn = storage.connect(config["DB"])
    try:
        return outgoing.Outgoing(config, holder, clock=lambda: WEDNESDAY).send_due(conn)
    finally:
        conn.close()


def test_the_alert_carries_the_comment_and_a_working_link(
    conn, config, owner, make_touchpoint, admin_client, mail_server
):
    touchpoint = make_touchpoint("checkout")
    response_id = storage.insert_response(conn, touchpoint.id, 2, ref="order-7", properties={"plan": "pro"})
    assert send(config) == 0  # it waits for the comment
    storage.update_response(conn, response_id, comment="The parcel came a week late & <broken>")
    assert send(config) == 2  # to each of the two admin users, once

    messages = mail_server.wait_for(2)
    assert sorted(str(m["To"]) for m in messages) == sorted(["ann@example.com", ADMIN_EMAIL])
    message = messages[0]
    assert message["Subject"] == "Detractor: 2 on checkout"
    assert message["From"] == "Anbefal <nps@example.com>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://nps.example.com/mail/unsubscribe/")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://nps.example.com/admin/responses/{response_id}"
    assert "The parcel came a week late & <broken>" in text
    assert "The parcel came a week late &amp; &lt;broken&gt;" in html
    assert "order-7" in text and "plan: pro" in text
    assert link in text and f'href="{link}"' in html
    # The link opens the answer's follow-up page in the admin.
    page = admin_client.get(link.removeprefix("https://nps.example.com"))
    assert page.status_code == 200
    assert "The parcel came a week late" in page.text and 'name="assignee"' in page.text


def test_one_answer_gives_one_alert(conn, config, owner, make_touchpoint, mail_server):
    touchpoint = make_touchpoint("checkout")
    response_id = storage.insert_response(conn, touchpoint.id, 4, ref="ticket-1")
    storage.update_response(conn, response_id, comment="Slow")
    storage.insert_response(conn, touchpoint.id, 3, ref="ticket-1", comment="Slower")  # the same ref again
    storage.update_response(conn, response_id, comment="Slowest")
    storage.insert_response(conn, touchpoint.id, 9, comment="Great")  # a promoter: no alert
    assert send(config) == 1
    assert send(config) == 0
    assert len(mail_server.wait_for(1)) == 1
    mails = storage.list_mail(conn)
    assert [(m.kind, m.status, m.response_id) for m in mails] == [("alert", "sent", response_id)]
    # The mail shows the answer as it is when it goes.
    assert "Slowest" in mail_server.messages[0].get_body(("plain",)).get_content()


def test_an_alert_without_a_comment_goes_when_the_delay_is_up(conn, config, owner, make_touchpoint, mail_server):
    config["ALERT_DELAY"] = 0
    touchpoint = make_touchpoint("invoice")
    storage.insert_response(conn, touchpoint.id, 0)
    assert send(config) == 1
    assert "No comment" in mail_server.wait_for(1)[0].get_body(("plain",)).get_content()


def test_two_senders_at_once_send_each_mail_once(conn, config, owner, make_touchpoint, mail_server):
    touchpoint = make_touchpoint("checkout")
    for number in range(6):
        storage.insert_response(conn, touchpoint.id, number, comment=f"Comment {number}")
    barrier = threading.Barrier(2)

    def worker(name: str) -> None:
        barrier.wait()
        send(config, name)

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mail_server.wait_for(6)) == 6
    assert sorted(m["Subject"] for m in mail_server.messages) == [f"Detractor: {n} on checkout" for n in range(6)]
    assert storage.count_mail(conn) == {"sent": 6}


def test_a_mail_claimed_by_a_sender_that_died_is_never_sent_again(conn, config, owner, make_touchpoint, mail_server):
    touchpoint = make_touchpoint("checkout")
    storage.insert_response(conn, touchpoint.id, 1, comment="Broken")
    storage.insert_response(conn, touchpoint.id, 2, comment="Late")
    storage.queue_alerts(conn, datetime.now(UTC))
    first, second = sorted(storage.list_mail(conn), key=lambda m: m.id)
    # A sender claimed the first mail (committed) and was killed before it recorded what came of it.
    assert storage.claim_mail(conn, first.id, "host:1:dead")
    assert send(config, "host:2:new") == 1
    assert [m["Subject"] for m in mail_server.wait_for(1)] == ["Detractor: 2 on checkout"]
    assert storage.get_mail(conn, first.id).status == "interrupted"
    assert storage.get_mail(conn, second.id).status == "sent"
    assert send(config, "host:3:newer") == 0
    assert len(mail_server.messages) == 1


def test_a_server_that_cannot_be_reached_is_tried_again_later(conn, config, owner, make_touchpoint, mail_server):
    config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    touchpoint = make_touchpoint("checkout")
    storage.insert_response(conn, touchpoint.id, 1, comment="Broken")
    assert send(config) == 0
    (mail,) = storage.list_mail(conn)
    assert mail.status == "pending" and "could not reach" in (mail.last_error or "")
    assert mail.attempts == 0  # never claimed: nothing was handed over


def test_without_smtp_mail_is_off_and_nothing_fails(conn, app, owner, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    storage.insert_response(conn, touchpoint.id, 1, comment="Broken")
    assert outgoing.Outgoing(app.config, "x", clock=lambda: WEDNESDAY).send_due(conn) == 0
    assert storage.list_mail(conn) == []  # nothing queued while mail is off
    # A mail queued before mail was turned off is given up, saying why.
    storage.queue_mail(conn, "digest:1:weekly:2026-11-23", "digest", owner.id, body="{}")
    assert outgoing.Outgoing(app.config, "x", clock=lambda: WEDNESDAY).send_due(conn) == 0
    (mail,) = storage.list_mail(conn)
    assert mail.status == "failed" and mail.last_error == outgoing.MAIL_OFF


def test_an_answer_that_is_no_detractor_any_more_is_not_alerted(conn, config, owner, make_touchpoint, mail_server):
    touchpoint = make_touchpoint("checkout")
    response_id = storage.insert_response(conn, touchpoint.id, 5, ref="r-1")
    assert storage.queue_alerts(conn, datetime.now(UTC)) == 1  # queued, waiting for the comment
    storage.insert_response(conn, touchpoint.id, 10, ref="r-1", comment="Sorry, I meant ten")
    assert storage.get_response(conn, response_id)["score"] == 10
    config["ALERT_DELAY"] = 0
    assert send(config) == 1  # tried, and cancelled
    assert mail_server.messages == []
    assert storage.list_mail(conn)[0].status == "cancelled"


def test_alerts_only_of_the_chosen_touchpoints_and_always_of_owned_ones(conn, config, owner, make_touchpoint):
    checkout, invoice, support = (make_touchpoint(name) for name in ("checkout", "invoice", "support"))
    other = users.add_user(conn, "other@example.com", "a long password")
    storage.set_mail_preferences(conn, other.id, touchpoints=[checkout.id])
    storage.set_mail_preferences(conn, owner.id, alerts=False)
    storage.set_touchpoint_followup(conn, support.id, owner_user_id=other.id)
    for touchpoint in (checkout, invoice, support):
        storage.insert_response(conn, touchpoint.id, 1)
    assert storage.queue_alerts(conn, datetime.now(UTC)) == 2
    queued = {(m.user_id, m.response_id) for m in storage.list_mail(conn)}
    ids = {r["touchpoint"]: r["id"] for r in storage.list_responses(conn).rows}
    assert queued == {(other.id, ids["checkout"]), (other.id, ids["support"])}


def test_looking_for_new_detractors_writes_only_when_there_are_some(conn, owner, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    now = datetime.now(UTC)
    assert storage.queue_alerts(conn, now) == 0  # the first look records itself
    changes = conn.total_changes
    assert storage.queue_alerts(conn, now) == 0
    assert conn.total_changes == changes  # an idle look writes nothing
    storage.insert_response(conn, touchpoint.id, 8, ref="r-1")
    storage.insert_response(conn, touchpoint.id, 3, ref="r-1")  # the same answer, now a detractor's
    assert storage.queue_alerts(conn, now) == 1
    assert storage.queue_alerts(conn, now) == 0


def test_an_answer_from_before_mail_was_on_is_not_alerted(conn, owner, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    storage.insert_response(conn, touchpoint.id, 1, created_at="2026-01-05T10:00:00Z")
    assert storage.queue_alerts(conn, datetime.now(UTC)) == 0
