"""The overview page through the app: the figures on it match hand-computed
ones, filters apply to every figure, bad filter values get a readable
message, and the page is protected, accessible and script-free."""

from __future__ import annotations

import re

import pytest

from collector import storage

WEEK = "period=custom&since=2026-03-01&until=2026-03-07"  # the previous period: 02-22..02-28


def add(conn, tp, scores, day, **kwargs):
    for score in scores:
        storage.insert_response(conn, tp.id, score, created_at=f"{day}T09:30:00Z", **kwargs)


@pytest.fixture
def seeded(conn, make_touchpoint):
    checkout = make_touchpoint("checkout", target_nps=40)
    support = make_touchpoint("support <b>")
    add(conn, checkout, [10, 9, 9, 8, 3], "2026-03-02", properties={"segment": "private"})
    add(conn, checkout, [10, 2], "2026-03-07", channel="link", properties={"segment": "business"})
    add(conn, checkout, [9, 6, 6, 7], "2026-02-25")
    add(conn, support, [8, 8, 10], "2026-03-05", properties={"segment": "business"})
    add(conn, support, [0], "2026-03-08")  # the day after the range
    return checkout, support


def card(html: str, key: str) -> dict[str, str]:
    """The data-figure values of one card."""
    found = re.search(rf'<article class="card panel" id="{key}".*?</article>', html, re.S)
    assert found, f"no card {key}"
    text = found.group(0)
    figures = {}
    for match in re.finditer(r'<(\w+)[^>]*\bdata-figure="(\w+)"[^>]*>', text):
        value = text[match.end() : text.index(f"</{match.group(1)}>", match.end())]
        figures[match.group(2)] = re.sub(r"<[^>]+>", "", value).strip()
    return figures


def test_figures_match_hand_computed_ones(admin_client, seeded):
    checkout, support = seeded
    response = admin_client.get("/admin/?" + WEEK)
    assert response.status_code == 200
    html = response.text
    # checkout: 4 promoters, 1 passive, 2 detractors of 7: NPS 57% - 29% = +28.6 -> +29;
    # margin 1.96 * sqrt((6/7 - (2/7)^2) / 7) * 100 = 64.5; before: 1/1/2 of 4 -> -25.
    tp = card(html, f"tp{checkout.id}")
    assert (tp["nps"], tp["margin"], tp["n"]) == ("+29", "± 65", "7")
    assert (tp["promoters"], tp["passives"], tp["detractors"]) == ("57%", "14%", "29%")
    assert tp["target"].startswith("+40, gap") and tp["gap"] == "−11"
    assert tp["change"] == "+54 from \u221225, within chance (± 104)"
    assert tp["open"] == "2"  # the 3 and the 2; nobody has followed them up
    assert "Few answers:</strong> 7 of the 30 this figure needs" in html
    everything = card(html, "all")
    # All: 5 promoters, 3 passives, 2 detractors of 10 -> +30, margin 48.4.
    assert (everything["nps"], everything["margin"], everything["n"]) == ("+30", "± 48", "10")
    assert everything["change"].startswith("+55 from \u221225")
    assert everything["open"] == "2"
    # A touchpoint's name is text, never markup.
    assert "support &lt;b&gt;" in html and "support <b>" not in html
    assert f'<h2 id="tp{support.id}-name">support &lt;b&gt;</h2>' in html


def test_filters_apply_to_every_figure(admin_client, seeded):
    checkout, support = seeded
    html = admin_client.get(f"/admin/?{WEEK}&channel=link").text
    assert card(html, "all")["n"] == "2" and card(html, "all")["nps"] == "0"
    html = admin_client.get(f"/admin/?{WEEK}&p.segment=business").text
    # 10, 2 (checkout) and 8, 8, 10 (support): 2 P, 2 Pa, 1 D of 5 -> +20.
    assert (card(html, "all")["n"], card(html, "all")["nps"]) == ("5", "+20")
    assert card(html, f"tp{checkout.id}")["open"] == "1"
    html = admin_client.get(f"/admin/?{WEEK}&touchpoint={support.id}").text
    assert 'id="all"' not in html and f'id="tp{checkout.id}"' not in html
    assert card(html, f"tp{support.id}")["nps"] == "+33"
    assert card(html, f"tp{support.id}")["change"] == "— (no answers then)"


def summary_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="summary-table">.*?</table>', html, re.S).group(0)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr data-touchpoint[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_the_summary_has_the_overall_nps_and_a_row_per_touchpoint_furthest_below_target_first(
    admin_client, conn, make_touchpoint, seeded
):
    checkout, support = seeded
    make_touchpoint("invoice", target_nps=90)  # no answers: its gap is unknown, so it goes last
    delivery = make_touchpoint("delivery", target_nps=0)
    add(conn, delivery, [10, 10, 10, 10], "2026-03-03")  # +100, 100 above target
    html = admin_client.get("/admin/?" + WEEK).text
    assert re.search(r'data-figure="overall-nps">\+50<', html)  # 9 P, 3 Pa, 2 D of 14
    names = [row[0] for row in summary_rows(html)]
    # checkout -11 below its target, delivery +100 above; support has no target, invoice no answers.
    assert names == ["checkout", "delivery", "support <b>".replace("<", "&lt;").replace(">", "&gt;"), "invoice"]
    checkout_row = summary_rows(html)[0]
    # name, NPS ± margin (once), answers, target, gap, change, to follow up,
    # overdue (both detractors are long past their 48 hours)
    assert checkout_row == ["checkout", "+29 ± 65 few", "7", "+40", "−11", "+54", "2", "2"]
    assert summary_rows(html)[-1][1:3] == ["—", "0"]
    # The counts say their period; the change its comparison.
    assert "To follow up: detractors among this period's answers not yet followed up." in html
    assert "Change: against 2026-02-22 to 2026-02-28" in html


def test_a_change_larger_than_chance_is_marked(admin_client, conn, make_touchpoint):
    tp = make_touchpoint("checkout")
    add(conn, tp, [0] * 40, "2026-02-25")
    add(conn, tp, [10] * 40, "2026-03-03")
    html = admin_client.get("/admin/?" + WEEK).text
    row = summary_rows(html)[0]
    assert row[5] == "+200 ▲, larger than chance"
    assert "beyond chance" in card(html, f"tp{tp.id}")["change"]


def test_a_touchpoint_without_answers_says_how_to_get_the_first(admin_client, make_touchpoint):
    tp = make_touchpoint("checkout")
    html = admin_client.get("/admin/?period=all").text
    figures = card(html, f"tp{tp.id}")
    assert figures["empty"].startswith("No answers yet.")
    assert f'href="/admin/touchpoints/{tp.id}"' in html
    assert 'role="img"' not in html  # no empty charts
    html = admin_client.get("/admin/?period=7d").text
    assert card(html, f"tp{tp.id}")["empty"].startswith("No answers in this period.")
    assert "look at all time" in html


def test_breakdown_by_a_property(admin_client, seeded):
    html = admin_client.get(f"/admin/?{WEEK}&by=segment").text
    table = re.search(r'<section class="panel breakdown".*?</section>', html, re.S).group(0)
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r"<tr(?: class=\"few\")?>(.*?)</tr>", table, re.S)
    ]
    # business: 10, 2, 8, 8, 10 -> +20; private: 10, 9, 9, 8, 3 -> +40; not set: none in this week.
    assert rows[1][:3] == ["business", "5", "few"] and rows[1][3] == "+20"
    assert rows[2][:3] == ["private", "5", "few"] and rows[2][3] == "+40"


def test_a_form_submission_lands_on_the_tidy_url(admin_client, seeded):
    response = admin_client.get(
        "/admin/?period=30d&since=&until=&touchpoint=&channel=link&interval=auto&add_key=segment&add_value=business&by="
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/?period=30d&channel=link&p.segment=business"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=soon", "Unknown period “soon”"),
        ("since=2026-13-01", "From: “2026-13-01” is not a date like 2026-01-31."),
        ("touchpoint=999", "There is no touchpoint with id 999"),
        ("channel=%3Cscript%3E", "Unknown channel “&lt;script&gt;”"),
    ],
)
def test_bad_filter_values_get_a_readable_message(admin_client, seeded, query, message):
    response = admin_client.get("/admin/?" + query)
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert message in response.text
    assert "<script>" not in response.text
    assert 'id="all"' in response.text  # the page is still there, with the defaults


def test_login_is_required(client, seeded):
    response = client.get("/admin/?period=7d")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_the_page_is_accessible_and_script_free(admin_client, seeded):
    response = admin_client.get("/admin/?" + WEEK)
    html = response.text
    assert "<script" not in html and " style=" not in html
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # Every form control has a label.
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    controls = re.findall(r"<(?:input|select)\b(?![^>]*type=\"hidden\")[^>]*>", html)
    assert len(ids) == len(controls) > 8
    for control_id in ids:
        assert f'for="{control_id}"' in html, control_id
    assert html.count('role="img"') == 3 * 3  # bar, trend, distribution per card
    # The filters behind "More filters" are closed until one of them is used.
    assert '<details class="more-filters" open>' in html  # custom dates are one of them
    assert '<details class="more-filters">' in admin_client.get("/admin/?period=30d").text
    assert '<meta name="viewport"' in html


def test_no_touchpoints_yet(admin_client):
    html = admin_client.get("/admin/").text
    assert "No answers" in html or "anbefal touchpoint add" in html
    assert 'id="all"' in html  # all together, with no NPS
    assert card(html, "all")["nps"] == "—"


def test_the_minimum_number_of_answers_is_a_setting(db_path, conn, make_touchpoint):
    from admin import users
    from collector import create_app

    add(conn, make_touchpoint("checkout"), [9, 9, 7], "2026-03-02")
    users.add_user(conn, "few@example.com", "a long enough password")

    def overview(**config) -> str:
        client = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", **config}).test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").text).group(1)
        data = {"email": "few@example.com", "password": "a long enough password", "csrf_token": token}
        assert client.post("/admin/login", data=data).status_code == 302
        return client.get("/admin/?" + WEEK).text

    assert "Few answers:</strong> 3 of the 30 this figure needs" in overview()
    assert "Few answers" not in overview(MIN_ANSWERS=3)


@pytest.mark.parametrize("value", [0, -5, "many", 2.5, True])
def test_a_bad_minimum_is_refused_at_start(db_path, value):
    from collector import create_app

    with pytest.raises(ValueError, match="ANBEFAL_MIN_ANSWERS must be a whole number of 1 or more"):
        create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "test-key", "MIN_ANSWERS": value})


def test_links_carry_the_filters(admin_client, seeded):
    checkout, _support = seeded
    html = admin_client.get(f"/admin/?{WEEK}&channel=widget&by=segment").text
    # A breakdown value narrows the view to it; the comments keep the filters and the card's touchpoint.
    assert f'href="/admin/?{WEEK.replace("&", "&amp;")}&amp;channel=widget&amp;p.segment=private"' in html
    assert (
        f'href="/admin/comments?{WEEK.replace("&", "&amp;")}&amp;touchpoint={checkout.id}&amp;channel=widget"'
        ">Read the comments on checkout</a>"
    ) in html
