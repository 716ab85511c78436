"""The admin's side of the widget's reach: the response rate on the overview,
signed answers and next steps on the touchpoint's page, the verified filter."""

from __future__ import annotations

from collector import storage

FORM = {
    "name": "checkout",
    "question": "",
    "followup_detractor": "",
    "followup_passive": "",
    "followup_promoter": "",
    "language": "",
    "origins": "",
    "target_nps": "",
    "sample_percent": "100",
    "repeat_days": "90",
}


def test_the_touchpoint_page_sets_signed_answers_and_next_steps(admin_client, make_touchpoint, conn):
    tp = make_touchpoint("checkout")
    html = admin_client.get(f"/admin/touchpoints/{tp.id}").text
    assert 'name="require_verified"' in html and 'name="next_promoter_url"' in html
    assert "data-ref-sig=" in html and "data-customer-sig=" in html  # the signed snippet, with placeholders
    data = {
        **FORM,
        "require_verified": "on",
        "next_promoter_text": "Review us",
        "next_promoter_url": "https://review.example/?o={ref}",
        "csrf_token": admin_client.csrf,
    }
    assert admin_client.post(f"/admin/touchpoints/{tp.id}", data=data).status_code == 302
    tp = storage.get_touchpoint(conn, tp.id)
    assert tp.require_verified and tp.next_step("promoter") == ("Review us", "https://review.example/?o={ref}")
    assert "checked" in admin_client.get(f"/admin/touchpoints/{tp.id}").text.split('name="require_verified"')[1][:40]


def test_a_bad_next_step_address_is_refused_with_a_message(admin_client, make_touchpoint, conn):
    tp = make_touchpoint("checkout")
    data = {**FORM, "next_detractor_url": "javascript:alert(1)", "csrf_token": admin_client.csrf}
    r = admin_client.post(f"/admin/touchpoints/{tp.id}", data=data)
    assert r.status_code == 400 and 'id="next_detractor_url-error"' in r.text
    assert storage.get_touchpoint(conn, tp.id).next_detractor_url is None


def test_the_overview_shows_the_response_rate(admin_client, make_touchpoint, conn):
    tp = make_touchpoint("checkout")
    for event in ("shown", "shown", "shown", "shown", "dismissed", "clicked"):
        storage.count_event(conn, tp.id, event)
    storage.insert_response(conn, tp.id, 9)
    html = admin_client.get("/admin/?period=7d").text
    assert "Response rate" in html
    row = html.split('<th scope="row">checkout</th>')[-1].split("</tr>")[0]
    assert [cell.split("</td>")[0] for cell in row.split("<td>")[1:]] == ["4", "1", "1", "25%", "1"]


def test_the_verified_filter_selects_signed_answers(admin_client, make_touchpoint, conn):
    tp = make_touchpoint("checkout")
    storage.insert_response(conn, tp.id, 9, ref="A-1", verified=True)
    storage.insert_response(conn, tp.id, 2, ref="A-2")
    csv_text = admin_client.get("/admin/export?period=all&verified=yes").text
    assert "A-1" in csv_text and "A-2" not in csv_text
    assert ", 2 answers." in admin_client.get("/admin/?period=all").text
    assert ", 1 answer." in admin_client.get("/admin/?period=all&verified=yes").text
    assert admin_client.get("/admin/?period=all&verified=maybe").status_code == 400
