"""The touchpoint settings table: each rule, and `anbefal touchpoint set`, which
checks a value as the admin form does."""

from __future__ import annotations

import pytest

from admin.touchpoint_form import FIELDS, TouchpointForm
from collector import storage, touchpoint_settings
from collector.cli import main
from collector.storage.touchpoints import TOUCHPOINT_FIELDS
from collector.touchpoint_settings import OPTIONS, fill_url


def test_every_column_the_storage_knows_has_a_row():
    columns = {option.column for option in OPTIONS}
    assert columns == set(TOUCHPOINT_FIELDS) | {"name"}
    assert len({option.option for option in OPTIONS}) == len(OPTIONS)
    assert set(FIELDS) == {option.form_field for option in OPTIONS if option.on_form}


@pytest.mark.parametrize(
    ("rule", "raw", "value"),
    [
        (touchpoint_settings.name, "  checkout ", "checkout"),
        (touchpoint_settings.text, "  How   likely\n is it? ", "How likely is it?"),
        (touchpoint_settings.text, "   ", None),
        (touchpoint_settings.language, "da", "da"),
        (touchpoint_settings.language, "", None),
        (
            touchpoint_settings.origins,
            "https://A.example\nhttps://b.example, https://a.example",
            ["https://a.example", "https://b.example"],
        ),
        (touchpoint_settings.origins, "", []),
        (touchpoint_settings.sample_percent, "12,5", 0.125),
        (touchpoint_settings.switch, "on", True),
        (touchpoint_settings.switch, "", False),
        (touchpoint_settings.switch, "no", False),
        (
            touchpoint_settings.url,
            "https://r.example/new?order={ref}&s={score}",
            "https://r.example/new?order={ref}&s={score}",
        ),
        (touchpoint_settings.url, "", None),
    ],
)
def test_rules_take_good_values(rule, raw, value):
    assert rule(raw) == value


@pytest.mark.parametrize(
    ("rule", "raw", "says"),
    [
        (touchpoint_settings.name, " ", "Give the touchpoint a name"),
        (touchpoint_settings.name, "a\x00b", "control characters"),
        (touchpoint_settings.text, "x" * 301, "At most 300"),
        (touchpoint_settings.language, "xx", "Choose one of the languages"),
        (touchpoint_settings.origins, "shop.example", "not an origin"),
        (touchpoint_settings.origins, "https://shop.example/path", "no path"),
        (touchpoint_settings.number(-100, 100, "The target NPS", optional=True), "101", "from -100 to 100"),
        (touchpoint_settings.number(0, 3650, "The days"), "", "is needed"),
        (touchpoint_settings.number(0, 3650, "The days"), "1.5", "a whole number"),
        (touchpoint_settings.sample_percent, "nan", "must be a number"),
        (touchpoint_settings.switch, "maybe", "on or off"),
        (touchpoint_settings.url, "javascript:alert(1)", "https://"),
        (touchpoint_settings.url, "ftp://files.example/", "https://"),
        (touchpoint_settings.url, "https://", "https://"),
        (touchpoint_settings.url, "https://a.example/x y", "no spaces"),
        (touchpoint_settings.url, "https://a.example/" + "x" * 2000, "At most 2000"),
    ],
)
def test_rules_refuse_bad_values_saying_why(rule, raw, says):
    with pytest.raises(ValueError, match=says):
        rule(raw)


def test_a_next_step_url_carries_only_what_the_owner_wrote_url_encoded():
    assert fill_url("https://r.example/?s={score}&o={ref}", 9, "A 1&x=2") == "https://r.example/?s=9&o=A%201%26x%3D2"
    assert fill_url("https://r.example/review", 9, "A-1") == "https://r.example/review"


def test_the_admin_form_uses_the_same_rules():
    form = TouchpointForm.blank()
    form.values.update(name="checkout", next_promoter_url="javascript:alert(1)", require_verified="on")
    assert form.validate() is None
    with pytest.raises(ValueError) as refused:
        touchpoint_settings.url("javascript:alert(1)")
    assert form.errors == {"next_promoter_url": str(refused.value)}


def test_touchpoint_set_changes_settings_checked_by_the_rules(runner, conn, make_touchpoint):
    make_touchpoint("checkout")
    r = runner.invoke(
        main,
        [
            "touchpoint", "set", "checkout",
            "--question", "Would you recommend our shop?",
            "--origins", "https://shop.example https://www.shop.example",
            "--sample", "25",
            "--repeat-days", "30",
            "--require-verified",
            "--next-promoter-text", "Review us",
            "--next-promoter-url", "https://review.example/?order={ref}",
        ]
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    tp = storage.get_touchpoint_by_name(conn, "checkout")
    assert tp.question == "Would you recommend our shop?"
    assert tp.origins == ["https://shop.example", "https://www.shop.example"]
    assert (tp.sample_rate, tp.repeat_days, tp.require_verified) == (0.25, 30, True)
    assert tp.next_step("promoter") == ("Review us", "https://review.example/?order={ref}")
    assert "require-verified: on" in r.output

    r = runner.invoke(main, ["touchpoint", "set", "checkout", "--no-require-verified", "--question", ""])
    assert r.exit_code == 0, r.output
    tp = storage.get_touchpoint_by_name(conn, "checkout")
    assert tp.require_verified is False and tp.question is None


def test_touchpoint_set_refuses_a_bad_value_and_changes_nothing(runner, conn, make_touchpoint):
    make_touchpoint("checkout", repeat_days=90)
    r = runner.invoke(main, ["touchpoint", "set", "checkout", "--repeat-days", "30", "--next-promoter-url", "ftp://x"])
    assert r.exit_code == 1
    assert "--next-promoter-url: " in r.output and "nothing was changed" in r.output
    assert storage.get_touchpoint_by_name(conn, "checkout").repeat_days == 90


def test_touchpoint_set_needs_a_setting_and_a_touchpoint(runner, make_touchpoint):
    make_touchpoint("checkout")
    assert runner.invoke(main, ["touchpoint", "set", "checkout"]).exit_code == 2
    assert runner.invoke(main, ["touchpoint", "set", "nope", "--target", "50"]).exit_code == 1


def test_signing_key_prints_the_same_key_until_rotated(runner):
    first = runner.invoke(main, ["signing-key"]).output.strip()
    assert len(first) == 64 and runner.invoke(main, ["signing-key"]).output.strip() == first
    rotated = runner.invoke(main, ["signing-key", "--rotate"])
    assert rotated.exit_code == 0 and first not in rotated.output
