"""Whole numbers from URLs (collector.params): the parser, the `<id:...>`
converter, and a walk over every admin route with hostile values in its path,
its query parameters and its form fields, logged in and out: never a 500,
never a change to what is stored."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from admin.touchpoint_form import FIELDS as TOUCHPOINT_FIELDS
from collector import params, storage
from collector.look import LOOK_COLUMNS
from collector.params import MAX_INTEGER, whole_number

# --------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("007", 7),
        ("9223372036854775807", MAX_INTEGER),
        ("0009223372036854775807", MAX_INTEGER),
        ("9223372036854775808", None),
        ("99999999999999999999999", None),
        ("9" * 5000, None),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("１", None),  # a fullwidth one
        ("1²", None),
        ("-1", None),
        ("+1", None),
        ("1e3", None),
        ("1.0", None),
        (" 1", None),
        ("1 ", None),
        ("1\n", None),
        ("0x10", None),
        ("1_000", None),
        ("\x00", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_number_takes_ascii_digits_within_sqlite_range(text, expected):
    assert whole_number(text) == expected


def test_a_minimum_holds():
    assert [whole_number(text, minimum=1) for text in ("0", "00", "1")] == [None, None, 1]


def test_cursors_read_their_id_with_the_same_parser():
    assert storage.Cursor.decode("2026-03-01T10:00:00Z~12") == storage.Cursor("2026-03-01T10:00:00Z", 12)
    for raw in ("x~²", "x~٣", "x~9223372036854775808", "x~-1", "x~", "~1", "x" * 41 + "~1", "12", None):
        assert storage.Cursor.decode(raw) is None, raw


def test_every_route_reads_ids_with_the_id_converter(app):
    for rule in app.url_map.iter_rules():
        assert not re.search(r"<int[:(]", rule.rule), f"{rule.rule}: read ids with <id:...>"
    ids = [rule.rule for rule in app.url_map.iter_rules() if "<id:" in rule.rule]
    assert "/admin/touchpoints/<id:touchpoint_id>" in ids and "/api/v1/responses/<id:response_id>" in ids


def test_the_id_converter_builds_and_reads_urls(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("admin.edit_touchpoint", touchpoint_id=12) == "/admin/touchpoints/12"
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/admin/touchpoints/0012") == ("admin.edit_touchpoint", {"touchpoint_id": 12})
    # A bot's answer is told it has id 0, and may send its comment like any other.
    assert adapter.match("/api/v1/responses/0", method="PATCH") == ("api.update_response", {"response_id": 0})


@pytest.mark.parametrize("raw", ["99999999999999999999999", "9223372036854775808", "%C2%B2", "%D9%A3", "-1"])
def test_the_public_api_answers_404_for_an_id_beyond_reach(client, raw):
    r = client.patch(f"/api/v1/responses/{raw}", json={"secret": "x", "comment": "hi"})
    assert r.status_code == 404
    assert r.is_json


def test_params_are_installed_once_before_any_route(app):
    assert app.url_map.converters["id"] is params.IdConverter


# --------------------------------------------------------------------------
# A walk over every admin route
# --------------------------------------------------------------------------

# Numbers that are not what they seem, then other hostile text.
NUMBERS = [
    "²",
    "①",
    "٣",
    "１",
    "99999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "-1",
    "0",
    "1e3",
    " 1",
    "1.5",
    "0x10",
    "x~²",
    "x~9223372036854775808",
    "2026-03-01T10:00:00Z~-1",
    "2026-03-01T10:00:00Z~٣",
]
TEXTS = [
    "",
    "\x00",
    "x" * 5000,
    "9" * 5000,
    "/admin/\r\nLocation: https://evil.example",
    "\r\n",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://[",
    "/admin/../../etc",
    "<script>alert(1)</script>",
    "'; DROP TABLE responses; --",
    "\u202e\ufeff",
]
HOSTILE = NUMBERS + TEXTS
# Values tried in each parameter alone too: one page may stop reading the
# query at an earlier refused value (a search of punctuation, say).
ONE_AT_A_TIME = ["²", "99999999999999999999999", "\r\n", "x~²", "x~9223372036854775808", "\x00", "x" * 5000]
# The query parameters and form fields the admin's pages read; a test below
# holds this list to the names in the admin's code.
QUERY = [
    "period",
    "since",
    "until",
    "touchpoint",
    "channel",
    "verified",
    "p.department",
    "add_key",
    "add_value",
    "by",
    "interval",
    "category",
    "q",
    "before",
    "after",
    "show",
    "format",
    "lang",
    "placeholder",
    "next",
    "mine",
    "overdue",
]
FORM = ["email", "password", "next", "status", "note", "then", *TOUCHPOINT_FIELDS, "url", "resume", *LOOK_COLUMNS]
FORM += ["alerts", "digest", "language", "assignee", "touchpoints", "owner", "followup_hours"]
FORM += ["driver_key", "driver_label", "driver_question"]
TABLES = ["touchpoints", "responses", "users", "api_keys"]


def test_the_walk_knows_every_parameter_the_admin_reads():
    admin = Path(__file__).resolve().parent.parent / "admin"
    source = "\n".join(path.read_text() for path in admin.glob("*.py"))
    read = set(re.findall(r"""(?:args|form|values|form_data)\.get\(\s*"([a-z_]+)"|single\("([a-z_]+)"\)""", source))
    names = {name for pair in read for name in pair if name}
    assert {"touchpoint", "before", "after", "next", "format", "status"} <= names
    assert names <= set(QUERY) | set(FORM), names - set(QUERY) - set(FORM)


@pytest.fixture
def stored(conn, make_touchpoint, admin_user):
    """A touchpoint and two answers, one followed up, so every page has rows to show."""
    tp = make_touchpoint("checkout", origins=["https://shop.example"])
    first = storage.insert_response(conn, tp.id, 2, comment="Slow", created_at="2026-03-01T10:00:00Z")
    storage.insert_response(conn, tp.id, 9, comment="Fine", properties={"department": "north"})
    storage.set_followup(conn, first, "contacted", "called", "owner@example.com")
    return {"touchpoint_id": tp.id, "response_id": first}


def snapshot(conn) -> dict[str, list[tuple]]:
    return {table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1")] for table in TABLES}


def admin_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert {"admin.overview", "admin.comments", "admin.export", "admin.edit_touchpoint"} <= {r.endpoint for r in rules}
    return sorted(rules, key=lambda rule: rule.rule)


def path_of(rule, values: dict[str, str]) -> str:
    """The rule's path with each argument replaced by its (already quoted) value."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


class Walk:
    """Requests from one client, each checked for a status under 500."""

    def __init__(self, client, csrf: str | None):
        self.client = client
        self.csrf = csrf
        self.failures: list[str] = []

    def send(self, method: str, path: str, query: dict | str | None = None, form: dict | None = None) -> None:
        data = dict(form or {})
        if method == "POST" and self.csrf:
            data["csrf_token"] = self.csrf
        kwargs = {"query_string": query} if query is not None else {}
        if method == "POST":
            kwargs["data"] = data
        response = self.client.open(path, method=method, **kwargs)
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} {method} {path} {str(query)[:120]} {str(form)[:80]}")
        response.close()


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def walk_admin(app, client, csrf: str | None, ids: dict[str, int]) -> list[str]:
    # Failed logins are paused after the first: the walk need not hash every password tried.
    app.config["ADMIN_LOGIN_ATTEMPTS"] = 1
    walk = Walk(client, csrf)
    logged_in = csrf is not None
    for rule in admin_rules(app):
        # Logging out would end the walk's login; logged out, it is walked too.
        if logged_in and rule.endpoint == "admin.logout":
            continue
        good = {name: str(ids.get(name, "x")) for name in rule.arguments}
        for method in methods_of(rule):
            # Hostile path segments, quoted as a browser would send them.
            for name in rule.arguments:
                for value in [*HOSTILE, "%ff", "%2F..%2F"]:
                    raw = value if value.startswith("%") else quote(value, safe="")
                    walk.send(method, path_of(rule, {**good, name: raw}))
            path = path_of(rule, good)
            # Every parameter and field at once, then (for pages) one at a time.
            for value in HOSTILE:
                walk.send(method, path, dict.fromkeys(QUERY, value), dict.fromkeys(FORM, value))
            walk.send(method, path, "touchpoint=%ff&before=%ff&next=%0d%0a&q=%ff")
            # Logged out, only the login reads anything before the redirect.
            if not (logged_in or rule.endpoint == "admin.login"):
                continue
            if method == "GET":
                for name in QUERY:
                    for value in ONE_AT_A_TIME:
                        walk.send(method, path, {name: value})
            if method == "POST":
                for name in FORM:
                    for value in ONE_AT_A_TIME[:3]:
                        walk.send(method, path, None, {name: value})
    return walk.failures


def test_no_admin_route_answers_500_to_hostile_values_logged_out(app, client, conn, stored):
    before = snapshot(conn)
    assert walk_admin(app, client, None, stored) == []
    assert snapshot(conn) == before


def test_no_admin_route_answers_500_to_hostile_values_logged_in(app, admin_client, conn, stored):
    before = snapshot(conn)
    assert walk_admin(app, admin_client, admin_client.csrf, stored) == []
    assert admin_client.get("/admin/comments").status_code == 200  # still logged in
    assert snapshot(conn) == before


@pytest.mark.parametrize(
    "url",
    [
        "/admin/?touchpoint=%C2%B2",
        "/admin/?touchpoint=%E2%91%A0",
        "/admin/comments?touchpoint=%C2%B2",
        "/admin/follow-up?touchpoint=%E2%91%A0",
        "/admin/export?touchpoint=%C2%B2",
        "/admin/comments?touchpoint=99999999999999999999999",
    ],
)
def test_a_touchpoint_that_is_not_a_number_is_a_message(admin_client, stored, url):
    r = admin_client.get(url)
    assert r.status_code == 400
    assert "is not a touchpoint id" in r.text


@pytest.mark.parametrize(
    "cursor", ["x~%C2%B2", "x~%E2%91%A0", "x~9223372036854775808", "2026-03-01T10:00:00Z~%D9%A3", "x~-1"]
)
def test_a_malformed_cursor_is_the_first_page(admin_client, stored, cursor):
    first = admin_client.get("/admin/comments?period=all")
    for name in ("before", "after"):
        r = admin_client.get(f"/admin/comments?period=all&{name}={cursor}")
        assert r.status_code == 200
        assert "Slow" in r.text and "Fine" in r.text and "Slow" in first.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/touchpoints/99999999999999999999999",
        "/admin/touchpoints/99999999999999999999999/preview",
        "/admin/touchpoints/9223372036854775808",
        "/admin/touchpoints/%C2%B2",
        "/admin/touchpoints/%D9%A3/preview",
    ],
)
def test_an_id_beyond_reach_is_a_404(admin_client, stored, path):
    assert admin_client.get(path).status_code == 404


def test_a_follow_up_for_an_id_beyond_reach_is_a_404(admin_client, conn, stored):
    before = snapshot(conn)
    r = admin_client.post(
        "/admin/responses/99999999999999999999999/follow-up",
        data={"status": "resolved", "note": "", "csrf_token": admin_client.csrf},
    )
    assert r.status_code == 404
    assert snapshot(conn) == before
