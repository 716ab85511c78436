"""Admin access: users from the command line, login, sessions, CSRF, throttling, headers."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token_of

from admin.auth import FAILED_LOGIN, login_required, safe_next
from collector import create_app, ratelimit, storage
from collector.cli import main


@pytest.fixture
def cli(runner):
    def run(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def login(client, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, next=None, **headers):
    token = csrf_token_of(client.get("/admin/login").text)
    data = {"email": email, "password": password, "csrf_token": token}
    if next is not None:
        data["next"] = next
    return client.post("/admin/login", data=data, headers=headers)


def session_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("anbefal_admin="):
            return header
    return None


# --------------------------------------------------------------------------
# Users from the command line
# --------------------------------------------------------------------------


def test_user_add_with_password_stdin_list_and_remove(cli, conn):
    r = cli("user", "add", "Owner@Example.com", "--password-stdin", input="a long enough secret\n")
    assert r.exit_code == 0, r.output
    assert "Created user Owner@Example.com" in r.output
    stored = storage.get_user_by_email(conn, "owner@example.com")
    assert stored is not None
    assert stored.password_hash.startswith("scrypt:")
    assert "a long enough secret" not in stored.password_hash

    r = cli("user", "list")
    assert "Owner@Example.com" in r.output and "last login never" in r.output

    r = cli("user", "remove", "owner@example.com")
    assert r.exit_code == 0
    assert storage.list_users(conn) == []
    r = cli("user", "list")
    assert "No users yet" in r.output


def test_user_add_prompts_twice(cli, conn):
    r = cli("user", "add", "a@example.com", input="first password\nfirst password\n")
    assert r.exit_code == 0, r.output
    assert "Repeat for confirmation" in r.output
    assert storage.get_user_by_email(conn, "a@example.com") is not None


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("not-an-email", "long enough password", "is not an email address"),
        ("a@example.com", "short", "at least 10 characters"),
    ],
)
def test_user_add_refuses_bad_input(cli, conn, email, password, message):
    r = cli("user", "add", email, "--password-stdin", input=password + "\n")
    assert r.exit_code != 0
    assert message in r.output
    assert storage.list_users(conn) == []


def test_user_add_refuses_a_duplicate_whatever_its_case(cli, conn):
    cli("user", "add", "a@example.com", "--password-stdin", input="long enough password\n")
    r = cli("user", "add", "A@EXAMPLE.COM", "--password-stdin", input="another password!\n")
    assert r.exit_code == 1
    assert "exists already" in r.output
    assert len(storage.list_users(conn)) == 1


def test_user_password_sets_a_new_one_and_ends_sessions(cli, admin_client, conn):
    r = cli("user", "password", ADMIN_EMAIL, "--password-stdin", input="a brand new password\n")
    assert r.exit_code == 0, r.output
    assert admin_client.get("/admin/comments").status_code == 302
    assert login(admin_client).status_code == 401
    assert login(admin_client, password="a brand new password").status_code == 302
    r = cli("user", "password", ADMIN_EMAIL, "--password-stdin", input="short\n")
    assert r.exit_code == 1 and "at least 10 characters" in r.output
    r = cli("user", "password", "nobody@example.com", "--password-stdin", input="long enough password\n")
    assert r.exit_code == 1 and "no user" in r.output


def test_user_remove_unknown_is_an_error(cli):
    r = cli("user", "remove", "nobody@example.com")
    assert r.exit_code == 1
    assert "no user" in r.output


def test_removing_a_user_ends_their_session(cli, admin_client):
    assert admin_client.get("/admin/comments").status_code == 200
    cli("user", "remove", ADMIN_EMAIL)
    assert admin_client.get("/admin/comments").status_code == 302


def test_demo_seed_returns_a_working_login(app, client, conn):
    from collector import demo

    email, password = demo.seed(conn, answers=10)
    assert login(client, email, password).status_code == 302
    # Seeding again gives a new password, ends the sessions of the old one,
    # and the old one stops working.
    email2, password2 = demo.seed(conn, answers=10)
    assert email2 == email and password2 != password
    assert client.get("/admin/comments").status_code == 302
    assert login(client, email, password).status_code == 401
    assert login(client, email, password2).status_code == 302


# --------------------------------------------------------------------------
# Login, logout, sessions
# --------------------------------------------------------------------------


def test_pages_redirect_to_the_login_with_next(client):
    r = client.get("/admin/comments?q=late&category=detractor")
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/login?next=/admin/comments?q%3Dlate%26category%3Ddetractor"


def test_login_goes_on_to_next(client, admin_user):
    r = login(client, next="/admin/comments?q=late")
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/comments?q=late"
    assert client.get("/admin/comments").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/admin", "//evil.example/admin", "/api/v1/widget", "/\\evil"])
def test_login_ignores_a_next_outside_the_admin(client, admin_user, target):
    r = login(client, next=target)
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/"  # the admin's home, the overview


NEXT_WITH_CRLF = "/admin/\r\nLocation: https://evil.example"


@pytest.mark.parametrize(
    "target",
    [
        NEXT_WITH_CRLF,
        "/admin/\nSet-Cookie: x=1",
        "/admin/\r",
        "/admin/\x00",
        "/\t/evil.example",
        "/admin/ x",
        "/admin/ü",
        "//evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "https://evil.example/admin/",
        "javascript:alert(1)",
        "JavaScript:alert(1)//admin/",
        "http://[",
        "/admin/../evil",
        "/admin/%2e%2e/evil",
        "/administrator",
        "admin/",
        "",
        None,
    ],
)
def test_safe_next_refuses_what_leaves_the_admin_or_the_header(target):
    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target", ["/admin", "/admin/", "/admin/comments?q=late&category=detractor", "/admin/comments?q=s%C3%B8ren#r1"]
)
def test_safe_next_keeps_a_path_inside_the_admin(target):
    assert safe_next(target) == target


def test_a_next_with_crlf_is_dropped_and_the_login_still_works(client, admin_user):
    url = "/admin/login?next=%2Fadmin%2F%0D%0ALocation%3A+https%3A%2F%2Fevil.example"
    r = client.get(url)
    assert r.status_code == 200 and "evil.example" not in r.text
    r = login(client, next=NEXT_WITH_CRLF)
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/"
    assert client.get("/admin/comments").status_code == 200
    assert client.get(url).headers["Location"] == "/admin/"


def test_login_cookie_flags_and_lifetime(app, client, admin_user):
    r = login(client)
    cookie = session_cookie(r)
    assert cookie is not None
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert "Expires=" in cookie
    parsed = SimpleCookie(cookie.replace("HttpOnly; ", "").replace("; HttpOnly", ""))
    assert parsed["anbefal_admin"]["max-age"] in ("", str(app.config["ADMIN_SESSION_LIFETIME"]))


def test_cookie_is_secure_over_https(client, admin_user):
    token = csrf_token_of(client.get("/admin/login", base_url="https://localhost").text)
    r = client.post(
        "/admin/login",
        base_url="https://localhost",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/admin/login"},
    )
    assert r.status_code == 302
    assert "Secure" in session_cookie(r)


def test_cookie_is_secure_behind_a_trusted_https_proxy(tmp_path):
    app = create_app({"DB": str(tmp_path / "x.db"), "SECRET_KEY": "k", "PROXIES": 1})
    behind_https = app.test_client().get("/admin/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in session_cookie(behind_https)
    behind_http = app.test_client().get("/admin/login", headers={"X-Forwarded-Proto": "http"})
    assert "Secure" not in session_cookie(behind_http)
    # Without a trusted proxy the header is not believed.
    plain = create_app({"DB": str(tmp_path / "y.db"), "SECRET_KEY": "k"}).test_client()
    assert "Secure" not in session_cookie(plain.get("/admin/login", headers={"X-Forwarded-Proto": "https"}))
    storage.close_connections()


def test_secure_cookie_can_be_forced(tmp_path, conn):
    app = create_app({"DB": str(tmp_path / "x.db"), "SECRET_KEY": "k", "ADMIN_SECURE_COOKIE": True})
    r = app.test_client().get("/admin/login")
    assert "Secure" in session_cookie(r)
    storage.close_connections()


def test_session_is_renewed_at_login(client, admin_user, conn):
    # A cookie made before the login (say, planted by someone else) does not
    # carry into the logged-in session: the CSRF token and the login are new.
    before = csrf_token_of(client.get("/admin/login").text)
    assert login(client).status_code == 302
    after = csrf_token_of(client.get("/admin/comments").text)
    assert before != after
    rows = conn.execute("SELECT token_hash, user_id FROM admin_sessions").fetchall()
    assert len(rows) == 1

    # Logging in again makes another session row.
    client.post("/admin/logout", data={"csrf_token": after})
    assert login(client).status_code == 302
    assert conn.execute("SELECT COUNT(*) FROM admin_sessions").fetchone()[0] == 1
    assert conn.execute("SELECT token_hash FROM admin_sessions").fetchone()[0] != rows[0]["token_hash"]


def test_the_session_token_is_not_stored_in_clear(client, admin_user, conn, app):
    login(client)
    with client.session_transaction("/admin/comments") as sess:
        token = sess["sid"]
    stored = conn.execute("SELECT token_hash FROM admin_sessions").fetchone()[0]
    assert token not in stored and len(stored) == 64


def test_logout_ends_the_session_everywhere(app, client, admin_user, conn):
    login(client)
    stolen = client.get_cookie("anbefal_admin", path="/admin").value
    r = client.post("/admin/logout", data={"csrf_token": csrf_token_of(client.get("/admin/comments").text)})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/login"
    assert "You are logged out." in client.get("/admin/login").text
    assert conn.execute("SELECT COUNT(*) FROM admin_sessions").fetchone()[0] == 0
    # The cookie from before the logout no longer logs anyone in.
    other = app.test_client()
    other.set_cookie("anbefal_admin", stolen, path="/admin")
    assert other.get("/admin/comments").status_code == 302


def test_logout_needs_post(admin_client):
    assert admin_client.get("/admin/logout").status_code == 405


def test_an_expired_session_logs_out(admin_client, conn):
    conn.execute("UPDATE admin_sessions SET expires_at = '2000-01-01T00:00:00Z'")
    r = admin_client.get("/admin/comments")
    assert r.status_code == 302 and r.headers["Location"].startswith("/admin/login")


def test_login_records_last_login(client, admin_user, conn):
    login(client)
    assert storage.get_user_by_email(conn, ADMIN_EMAIL).last_login_at is not None


def test_logged_in_login_page_goes_home(admin_client):
    r = admin_client.get("/admin/login")
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"


def test_login_form_is_labelled(client):
    html = client.get("/admin/login").text
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'autocomplete="current-password"' in html


# --------------------------------------------------------------------------
# Wrong passwords and throttling
# --------------------------------------------------------------------------


@pytest.mark.parametrize("email, password", [(ADMIN_EMAIL, "wrong password"), ("nobody@example.com", ADMIN_PASSWORD)])
def test_failed_login_has_one_generic_message(client, admin_user, conn, email, password):
    r = login(client, email, password)
    assert r.status_code == 401
    assert FAILED_LOGIN in r.text
    assert f'value="{email}"' in r.text  # what was typed is kept (the password is not)
    assert password not in r.text
    assert conn.execute("SELECT COUNT(*) FROM admin_sessions").fetchone()[0] == 0
    assert client.get("/admin/comments").status_code == 302


def test_failed_logins_are_throttled_per_email(app, client, admin_user):
    limit = app.config["ADMIN_LOGIN_ATTEMPTS"]
    for _ in range(limit):
        assert login(client, password="wrong password").status_code == 401
    # Now even the right password is refused, with the same message.
    r = login(client)
    assert r.status_code == 401
    assert FAILED_LOGIN in r.text
    # Another address does not help: the count is per email too.
    other = app.test_client()
    token = csrf_token_of(other.get("/admin/login", environ_base={"REMOTE_ADDR": "10.9.8.7"}).text)
    r = other.post(
        "/admin/login",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert r.status_code == 401


def test_failed_logins_are_throttled_per_address(app, client, admin_user, conn):
    limit = app.config["ADMIN_LOGIN_ATTEMPTS"]
    for i in range(limit * 4):
        assert login(client, f"guess{i}@example.com", "wrong password").status_code == 401
    r = login(client)
    assert r.status_code == 401 and FAILED_LOGIN in r.text


def test_throttle_counts_are_stored_in_the_database(app, client, admin_user, conn):
    """Counts live in SQLite, so every gunicorn worker sees them: a second
    app on the same database (another worker) refuses as well."""
    limit = app.config["ADMIN_LOGIN_ATTEMPTS"]
    for _ in range(limit):
        login(client, password="wrong password")
    other_worker = create_app({"DB": app.config["DB"], "SECRET_KEY": "test-key"})
    r = login(other_worker.test_client(), environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert r.status_code == 401
    with app.test_request_context():
        key = ratelimit.hashed_key("login:email:" + ADMIN_EMAIL)
    assert storage.rate_limit_count(conn, key, ratelimit.now()) == limit


def test_throttle_window_passes(app, client, admin_user, conn):
    limit = app.config["ADMIN_LOGIN_ATTEMPTS"]
    for _ in range(limit):
        login(client, password="wrong password")
    # Move the window into the past, as if its minutes had gone by.
    conn.execute("UPDATE rate_limits SET expires_at = expires_at - ?", (app.config["ADMIN_LOGIN_WINDOW"] + 1,))
    assert login(client).status_code == 302


def test_a_good_login_clears_the_email_count(app, client, admin_user, conn):
    login(client, password="wrong password")
    assert conn.execute("SELECT COUNT(*) FROM rate_limits").fetchone()[0] == 2  # the email and the address
    assert login(client).status_code == 302
    assert conn.execute("SELECT COUNT(*) FROM rate_limits").fetchone()[0] == 1  # the address counts on


# --------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(client, admin_user):
    client.get("/admin/login")
    r = client.post("/admin/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert r.status_code == 400
    assert "could not be accepted" in r.text
    assert client.get("/admin/comments").status_code == 302


def test_logout_without_csrf_token_is_refused(admin_client):
    r = admin_client.post("/admin/logout")
    assert r.status_code == 400
    assert admin_client.get("/admin/comments").status_code == 200


def test_csrf_token_of_another_session_is_refused(app, admin_client, conn):
    other = app.test_client()
    foreign = csrf_token_of(other.get("/admin/login").text)
    r = admin_client.post("/admin/logout", data={"csrf_token": foreign})
    assert r.status_code == 400


def test_public_api_needs_no_csrf_and_sets_no_cookie(client, make_touchpoint, tokens):
    tp = make_touchpoint()
    r = client.post("/api/v1/responses", json={"token": tokens.make_embed_token(tp.id), "score": 9})
    assert r.status_code == 201
    assert "Set-Cookie" not in r.headers
    assert "Set-Cookie" not in client.get("/api/v1/widget?token=" + tokens.make_embed_token(tp.id)).headers


# --------------------------------------------------------------------------
# 401 for API-style admin routes; headers
# --------------------------------------------------------------------------


def test_api_style_admin_routes_answer_401_json(tmp_path):
    app = create_app({"DB": str(tmp_path / "x.db"), "SECRET_KEY": "k"})
    app.add_url_rule("/admin/probe.json", "probe", login_required(api=True)(lambda: {"ok": True}))
    r = app.test_client().get("/admin/probe.json")
    assert r.status_code == 401
    assert r.json == {"error": {"code": "login_required", "message": "log in to the admin first"}}
    storage.close_connections()


def test_admin_pages_send_a_strict_csp_and_no_cors(admin_client):
    for path in ("/admin/login", "/admin/comments", "/admin/follow-up"):
        r = admin_client.get(path, headers={"Origin": "https://evil.example"})
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert not [name for name in r.headers.keys() if name.lower().startswith("access-control")]
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Cache-Control"] == "no-store"


def test_admin_pages_have_no_inline_script_or_style(admin_client, make_touchpoint, conn):
    tp = make_touchpoint()
    storage.insert_response(conn, tp.id, 3, comment="Slow", properties={"segment": "b2b"})
    for path in ("/admin/login", "/admin/comments", "/admin/follow-up"):
        html = admin_client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"<[^>]+\son\w+\s*=", html), path


def test_stylesheet_is_public_and_cached(client):
    with client.get("/admin/static/admin.css") as r:
        assert r.status_code == 200
        assert "text/css" in r.headers["Content-Type"]
        assert r.headers.get("Cache-Control") != "no-store"


def test_base_page_has_landmarks_skip_link_and_navigation(admin_client):
    html = admin_client.get("/admin/comments").text
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Admin">' in html
    for label in ("Comments", "To follow up", "Log out"):
        assert label in html
    assert 'aria-current="page">Comments<' in html


# --------------------------------------------------------------------------
# Docs
# --------------------------------------------------------------------------


def test_readme_documents_the_admin_settings_and_user_commands():
    from pathlib import Path

    from collector.settings import DEFAULTS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    settings = readme[readme.index("<!-- settings: admin -->") :]
    for key in ("ADMIN_SESSION_LIFETIME", "ADMIN_SECURE_COOKIE", "ADMIN_LOGIN_ATTEMPTS", "ADMIN_LOGIN_WINDOW"):
        assert key in DEFAULTS
        assert f"| `ANBEFAL_{key}` | `{DEFAULTS[key]}` |" in settings, key
    assert "| `ANBEFAL_ADMIN_PAGE_SIZE` | `50` |" in settings
    for command in (
        "user add EMAIL [--password-stdin]",
        "user password EMAIL [--password-stdin]",
        "user list",
        "user remove EMAIL",
    ):
        assert f"| `anbefal {command}` |" in readme, command
