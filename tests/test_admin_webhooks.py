"""The admin's webhooks page: add, pause, resume, remove, test, deliveries and sending one again."""

from __future__ import annotations

import re

import pytest
from conftest import LiveServer
from playwright.sync_api import expect

from collector import storage


@pytest.fixture
def allowed(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True


def test_add_test_pause_resume_and_remove(admin_client, allowed, conn, receiver, make_touchpoint):
    make_touchpoint("checkout")
    page = admin_client.get("/admin/webhooks")
    assert page.status_code == 200 and "No webhooks yet" in page.text and "ANBEFAL_PUBLIC_URL" in page.text
    added = admin_client.post(
        "/admin/webhooks",
        data={
            "csrf_token": admin_client.csrf,
            "url": receiver.url,
            "format": "standard",
            "events": ["response.created"],
            "categories": ["detractor"],
            "touchpoints": ["checkout"],
        },
        follow_redirects=True,
    )
    assert "Added webhook 1." in added.text
    (endpoint,) = storage.list_webhook_endpoints(conn)
    assert endpoint.events == ["response.created"] and endpoint.categories == ["detractor"]
    assert endpoint.secret in added.text and "Gets response.created of detractors at checkout." in added.text
    receiver.secret = endpoint.secret

    tested = admin_client.post("/admin/webhooks/1/test", data={"csrf_token": admin_client.csrf}, follow_redirects=True)
    assert "Test sent to webhook 1: the receiver answered 200." in tested.text
    assert receiver.verified()[0]["type"] == "webhook.test"
    assert re.search(r"<code>webhook.test</code>.*?<td>1</td>\s*<td>delivered</td>", tested.text, re.S)

    paused = admin_client.post("/admin/webhooks/1/pause", data={"csrf_token": admin_client.csrf}, follow_redirects=True)
    assert "Webhook 1 paused" in paused.text and "State: <strong>paused</strong>" in paused.text
    resumed = admin_client.post(
        "/admin/webhooks/1/pause", data={"csrf_token": admin_client.csrf, "resume": "1"}, follow_redirects=True
    )
    assert "State: <strong>active</strong>" in resumed.text

    removed = admin_client.post(
        "/admin/webhooks/1/remove", data={"csrf_token": admin_client.csrf}, follow_redirects=True
    )
    assert f"Removed webhook 1 ({receiver.url})." in removed.text
    assert storage.list_webhook_endpoints(conn) == []


def test_a_refused_webhook_comes_back_as_typed(admin_client, conn):
    refused = admin_client.post(
        "/admin/webhooks",
        data={"csrf_token": admin_client.csrf, "url": "http://169.254.169.254/x", "format": "slack"},
    )
    assert refused.status_code == 400
    assert "The webhook was not added: 169.254.169.254 resolves to 169.254.169.254, a private" in refused.text
    assert 'value="http://169.254.169.254/x"' in refused.text
    assert 'value="slack" checked' in refused.text
    assert storage.list_webhook_endpoints(conn) == []


def test_a_delivery_is_sent_again(admin_client, allowed, conn, receiver, make_touchpoint):
    from collector.webhooks import sender

    admin_client.post("/admin/webhooks", data={"csrf_token": admin_client.csrf, "url": receiver.url})
    storage.insert_response(conn, make_touchpoint().id, 9)
    receiver.answers = [(500, {})]
    sender.send_due(conn, admin_client.application.config)
    page = admin_client.get("/admin/webhooks")
    assert "the receiver answered 500 Internal Server Error" in page.text
    (delivery,) = storage.recent_deliveries(conn)
    # Its answer is named as the follow-up pages name it, not by its row id.
    assert re.search(r'/admin/responses/\d+">the 9 on [^<]+</a>', page.text)
    again = admin_client.post(
        f"/admin/webhooks/deliveries/{delivery.id}/resend",
        data={"csrf_token": admin_client.csrf},
        follow_redirects=True,
    )
    assert f"Delivery {delivery.id} will be sent again" in again.text
    sender.send_due(conn, admin_client.application.config)
    assert storage.recent_deliveries(conn)[0].status == "delivered"
    ids = {request["headers"]["webhook-id"] for request in receiver.received}
    assert ids == {delivery.message_id}


def test_forms_need_csrf_and_login(app, admin_client, allowed, conn, receiver):
    assert admin_client.post("/admin/webhooks", data={"url": receiver.url}).status_code == 400
    anonymous = app.test_client()
    response = anonymous.post("/admin/webhooks", data={"url": receiver.url})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert storage.list_webhook_endpoints(conn) == []
    for path in (
        "/admin/webhooks/9/pause",
        "/admin/webhooks/9/remove",
        "/admin/webhooks/9/test",
        "/admin/webhooks/deliveries/9/resend",
    ):
        assert admin_client.post(path, data={"csrf_token": admin_client.csrf}).status_code == 404


def test_the_follow_up_page_of_one_response(admin_client, conn, make_touchpoint):
    response_id = storage.insert_response(conn, make_touchpoint("checkout").id, 2, comment="Broken <b>box</b>")
    page = admin_client.get(f"/admin/responses/{response_id}")
    # Named by its score, touchpoint and time, not by its row id.
    assert page.status_code == 200 and re.search(r"<h1>A 2 on checkout, \d{4}-\d\d-\d\d \d\d:\d\d", page.text)
    assert f"Response {response_id}" not in page.text
    assert "Broken &lt;b&gt;box&lt;/b&gt;" in page.text
    assert f'name="next" value="/admin/responses/{response_id}"' in page.text
    assert admin_client.get("/admin/responses/99").status_code == 404


@pytest.mark.browser
def test_the_page_in_chromium_at_360_px(browser, tmp_path, receiver):
    server = LiveServer(str(tmp_path / "live.db"), tmp_path, env={"ANBEFAL_WEBHOOK_ALLOW_PRIVATE": "true"}).start()
    from conftest import LiveAdmin

    try:
        admin = LiveAdmin(server, "owner@example.com", "a long enough password")
        server.cli("touchpoint", "add", "Support ticket closed")
        server.cli("webhook", "add", receiver.url + "/a-rather-long-path/" + "x" * 60, "--format", "slack")
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        try:
            admin.log_in(page, "/admin/webhooks")
            page.get_by_label("Address").fill(receiver.url)
            page.get_by_label("Detractors").check()
            page.get_by_role("button", name="Add webhook").click()
            expect(page.get_by_role("status")).to_contain_text("Added webhook 2.")
            page.get_by_role("button", name="Send a test to webhook 2").click()
            expect(page.get_by_role("status")).to_contain_text("the receiver answered 200")
            page.get_by_text("Secret").first.click()
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"the page is {overflow} px too wide at 360 px"
            page.screenshot(path=str(tmp_path / "webhooks-360.png"), full_page=True)
            page.get_by_role("button", name="Pause webhook 2").click()
            expect(page.get_by_role("status")).to_contain_text("Webhook 2 paused")
            page.get_by_role("button", name="Remove webhook 1").click()
            expect(page.get_by_role("status")).to_contain_text("Removed webhook 1")
        finally:
            context.close()
    finally:
        server.stop()
