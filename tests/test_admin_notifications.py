"""A user's own mail choices in the admin, and who follows a detractor up by
when: the hand-over, "Assigned to me" and "Overdue", the overview's counts."""

from __future__ import annotations

import re

from admin import users
from collector import storage


def test_the_page_shows_the_choices_and_that_mail_is_off(admin_client, make_touchpoint):
    make_touchpoint("checkout")
    page = admin_client.get("/admin/notifications")
    assert page.status_code == 200
    assert "Mail is off." in page.text
    assert 'name="alerts" value="on" checked' in page.text
    assert 'name="digest" value="weekly" checked' in page.text
    assert '<label for="language">' in page.text and "checkout" in page.text


def test_saving_the_choices(admin_client, admin_user, conn, make_touchpoint, app):
    touchpoint = make_touchpoint("checkout")
    app.config.update(SMTP_URL="smtp://127.0.0.1:2525", MAIL_FROM="nps@example.com")
    form = {
        "csrf_token": admin_client.csrf,
        "alerts": "on",
        "touchpoints": str(touchpoint.id),
        "digest": "daily",
        "language": "nb",
    }
    response = admin_client.post("/admin/notifications", data=form)
    assert response.status_code == 302
    choices = storage.mail_preferences(conn, admin_user.id)
    assert (choices.alerts, choices.touchpoints, choices.digest, choices.language) == (
        True,
        [touchpoint.id],
        "daily",
        "nb",
    )
    assert "Mail is off." not in admin_client.get("/admin/notifications").text


def test_a_wrong_value_changes_nothing(admin_client, admin_user, conn):
    base = {"csrf_token": admin_client.csrf, "alerts": "on", "digest": "weekly", "language": "en"}
    for wrong in ({"digest": "hourly"}, {"language": "xx"}, {"alerts": "maybe"}, {"touchpoints": "999"}):
        response = admin_client.post("/admin/notifications", data={**base, **wrong})
        assert response.status_code == 400
        assert 'role="alert"' in response.text
    assert storage.mail_preferences(conn, admin_user.id) == storage.MailPreferences(admin_user.id, admin_user.email)


def test_without_a_csrf_token_nothing_is_saved(admin_client, admin_user, conn):
    response = admin_client.post("/admin/notifications", data={"alerts": "off", "digest": "off", "language": "en"})
    assert response.status_code == 400
    assert storage.mail_preferences(conn, admin_user.id).alerts is True


def test_a_new_detractor_goes_to_the_owner_with_a_deadline(admin_client, admin_user, conn, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    storage.set_touchpoint_followup(conn, touchpoint.id, owner_user_id=admin_user.id, hours=48)
    response_id = storage.insert_response(conn, touchpoint.id, 3, created_at="2026-11-02T10:00:00Z")
    passive = storage.insert_response(conn, touchpoint.id, 8, created_at="2026-11-02T10:00:00Z")
    found = storage.get_response(conn, response_id)
    assert (found["followup_assignee"], found["followup_due_at"]) == (admin_user.id, "2026-11-04T10:00:00Z")
    assert storage.get_response(conn, passive)["followup_assignee"] is None
    page = admin_client.get(f"/admin/responses/{response_id}").text
    assert f"Assigned to <strong>{admin_user.email}</strong>" in page
    assert "overdue" in page


def test_handing_over_and_the_filters(admin_client, admin_user, conn, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    other = users.add_user(conn, "bo@example.com", "a long password")
    storage.set_mail_preferences(conn, other.id, touchpoints=[make_touchpoint("invoice").id])
    storage.set_touchpoint_followup(conn, touchpoint.id, owner_user_id=admin_user.id, hours=48)
    old = storage.insert_response(conn, touchpoint.id, 1, comment="Old", created_at="2026-01-01T10:00:00Z")
    new = storage.insert_response(conn, touchpoint.id, 2, comment="New")

    def shown(query: str) -> list[int]:
        page = admin_client.get("/admin/follow-up?" + query).text
        return sorted(int(found) for found in re.findall(r'<li class="response" id="r(\d+)"', page))

    assert shown("") == [old, new]
    assert shown("overdue=1") == [old]
    assert shown("mine=1") == [old, new]
    response = admin_client.post(
        f"/admin/responses/{new}/follow-up",
        data={"csrf_token": admin_client.csrf, "status": "open", "note": "", "assignee": str(other.id)},
    )
    assert response.status_code == 302
    assert storage.get_response(conn, new)["followup_assignee"] == other.id
    assert shown("mine=1") == [old]
    # The new assignee gets the alert, though they chose alerts of another touchpoint.
    assert [m.response_id for m in storage.list_mail(conn) if m.user_id == other.id] == [new]
    # A user who is not one is refused, and nothing changes.
    refused = admin_client.post(
        f"/admin/responses/{new}/follow-up",
        data={"csrf_token": admin_client.csrf, "status": "contacted", "note": "", "assignee": "999"},
    )
    assert refused.status_code == 400
    assert storage.get_response(conn, new)["followup_status"] is None


def test_the_overview_counts_overdue_detractors(admin_client, admin_user, conn, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    storage.insert_response(conn, touchpoint.id, 1, created_at="2026-01-01T10:00:00Z")
    storage.insert_response(conn, touchpoint.id, 2)
    page = admin_client.get("/admin/?period=all").text
    overdue = re.findall(r'data-figure="overdue">(?:<a [^>]*>)?(\d+)', page)
    assert overdue == ["1", "1"]  # all touchpoints, and checkout
    assert "overdue=1" in page


def test_the_touchpoint_page_sets_who_follows_up_and_within_how_long(admin_client, admin_user, conn, make_touchpoint):
    touchpoint = make_touchpoint("checkout")
    page = admin_client.get(f"/admin/touchpoints/{touchpoint.id}").text
    assert '<label for="owner">Followed up by</label>' in page and 'value="48"' in page
    url = f"/admin/touchpoints/{touchpoint.id}/followup"
    form = {"csrf_token": admin_client.csrf, "owner": str(admin_user.id), "followup_hours": "24"}
    assert admin_client.post(url, data=form).status_code == 302
    found = storage.get_touchpoint(conn, touchpoint.id)
    assert (found.owner_user_id, found.followup_hours) == (admin_user.id, 24)
    for wrong in ({"owner": "999"}, {"followup_hours": "0"}, {"followup_hours": "soon"}):
        response = admin_client.post(url, data={**form, "followup_hours": "12", **wrong}, follow_redirects=True)
        assert "Nothing was saved." in response.text
    assert storage.get_touchpoint(conn, touchpoint.id).followup_hours == 24
