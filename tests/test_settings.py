"""Settings as data: one table, each value parsed once at start, one clear
message naming the variable, the value and what is expected."""

from __future__ import annotations

import os

import pytest

from collector import create_app, settings, storage
from collector.settings import DEFAULTS, SETTINGS, Limit, SettingError


def test_every_default_passes_its_own_parser():
    config = dict(DEFAULTS)
    settings.check(config)
    assert config["RATELIMIT"] is True and config["DEMO"] is False
    assert config["RATELIMIT_WRITES"] == Limit(30, 60)
    assert len({setting.name for setting in SETTINGS}) == len(SETTINGS)


def test_parsing_twice_changes_nothing():
    config = dict(DEFAULTS, SECRET_KEY="new, old", PUBLIC_URL="https://nps.example")
    settings.check(config)
    once = dict(config)
    settings.check(config)
    assert config == once


def test_the_app_holds_parsed_values(db_path):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k", "RATELIMIT_READS": "5 per hour"})
    assert app.config["RATELIMIT_READS"] == Limit(5, 3600)
    assert app.config["BOT_FILTER"] is True
    assert app.config["ADMIN_SECURE_COOKIE"] == "auto"
    assert app.config["PUBLIC_URL"] is None
    storage.close_connections()


def test_environment_values_are_parsed_as_json_then_checked(db_path, monkeypatch):
    monkeypatch.setenv("ANBEFAL_RATELIMIT", "false")
    monkeypatch.setenv("ANBEFAL_ADMIN_PAGE_SIZE", "20")
    monkeypatch.setenv("ANBEFAL_DB", os.path.relpath(db_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    assert app.config["RATELIMIT"] is False
    assert app.config["ADMIN_PAGE_SIZE"] == 20
    assert app.config["DB"] == db_path  # made absolute
    storage.close_connections()


def test_one_message_names_the_variable_the_value_and_what_is_expected(db_path, monkeypatch):
    monkeypatch.setenv("ANBEFAL_ADMIN_PAGE_SIZE", "many")
    with pytest.raises(SettingError) as refused:
        create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": "k"})
    assert str(refused.value) == "ANBEFAL_ADMIN_PAGE_SIZE must be a whole number above 0, not 'many'"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_SESSION_LIFETIME", 59, "a whole number of seconds, at least 60"),
        ("ADMIN_SECURE_COOKIE", "sometimes", "auto, true or false"),
        ("ADMIN_LOGIN_ATTEMPTS", 0, "a whole number above 0"),
        ("ADMIN_LOGIN_WINDOW", "1.5", "a whole number above 0"),
        ("API_MAX_BODY", None, "a whole number of bytes, at least 1"),
        ("LINK_FORM_MAX_AGE", "²", "a whole number of seconds, at least 1"),
        ("BOT_FILTER", "maybe", "on or off"),
        ("DEMO", 2, "on or off"),
        ("RATELIMIT_LINK_API", 600, "a rate limit like 30/minute, 1000/hour or 5/10s"),
        ("PUBLIC_URL", "nps.example.com", "an address starting with http:// or https://"),
        ("DB", "", "the path of a file"),
        ("SECRET_KEY", True, "signing keys separated by commas"),
        ("SMTP_URL", "mail.example.com:587", "smtp://[user:password@]host[:port] or smtps://user:password@host[:port]"),
        ("SMTP_URL", "smtp://mail.example.com:99999", "a URL with a port from 1 to 65535"),
        ("MAIL_FROM", "Anbefal", "an address such as nps@example.com or Anbefal <nps@example.com>"),
        ("TIMEZONE", "Mars/Olympus", "a time zone name such as Europe/Copenhagen or UTC"),
    ],
)
def test_a_wrong_value_stops_the_app(db_path, name, value, expected):
    config = {"TESTING": True, "DB": db_path, "SECRET_KEY": "k", name: value}
    with pytest.raises(SettingError) as refused:
        create_app(config)
    assert str(refused.value) == f"ANBEFAL_{name} must be {expected}, not {value!r}"


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("on", True),
        ("ON", True),
        (" yes ", True),
        ("true", True),
        (True, True),
        (1, True),
        ("enabled", True),
        ("off", False),
        ("false", False),
        ("no", False),
        ("0", False),
        (0, False),
        (False, False),
        ("none", False),
        (None, False),
        ("disabled", False),
    ],
)
def test_on_off(value, parsed):
    assert settings.on_off(value) is parsed


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("auto", "auto"), ("AUTO", "auto"), (True, True), ("true", True), ("false", False), (False, False)],
)
def test_secure_cookie(value, parsed):
    assert settings.secure_cookie(value) == parsed


@pytest.mark.parametrize(("value", "parsed"), [(5, 5), ("300", 300), (" 42 ", 42)])
def test_whole_numbers_given_as_digits_count(value, parsed):
    assert settings.whole_number(1, "a number")(value) == parsed


@pytest.mark.parametrize("value", [0, -1, "1.5", 2.5, True, "", None, "٣", "²"])
def test_anything_else_is_no_whole_number(value):
    with pytest.raises(ValueError, match="a number"):
        settings.whole_number(1, "a number")(value)


@pytest.mark.parametrize("value", [None, "", False, 0])
def test_an_unset_count_is_zero(value):
    assert settings.whole_number(0, "a count", unset=0)(value) == 0


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        (None, []),
        ("", []),
        ("one", ["one"]),
        ("new, old ,", ["new", "old"]),
        (["new", "", "old"], ["new", "old"]),
        (123, ["123"]),
    ],
)
def test_key_list(value, keys):
    assert settings.key_list(value) == keys


def test_a_relative_database_path_is_made_absolute():
    assert settings.file_path("data/x.db") == os.path.join(os.getcwd(), "data", "x.db")


@pytest.mark.parametrize(
    ("value", "parsed"), [(None, None), ("", None), (" https://nps.example/ ", "https://nps.example/")]
)
def test_optional_url(value, parsed):
    assert settings.optional_url(value) == parsed


def test_the_command_line_names_a_wrong_setting_in_one_line(db_path):
    from click.testing import CliRunner

    from collector.cli import main

    result = CliRunner().invoke(main, ["user", "list"], env={"ANBEFAL_DB": db_path, "ANBEFAL_MIN_ANSWERS": "0"})
    assert result.exit_code == 1
    assert "Error: ANBEFAL_MIN_ANSWERS must be a whole number of 1 or more, not 0" in result.output
    assert "Traceback" not in result.output
