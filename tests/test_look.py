"""Where the widget shows and how it looks (collector.look): the parsers of
each setting, the WCAG contrast ratio, and what the widget's API sends."""

from __future__ import annotations

import pytest

from collector import look, storage


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the grey that just fails AA
        ("#1d56b8", "#ffffff", 6.83),  # the widget's own accent
        ("#ffffff", "#1d56b8", 6.83),  # the order does not matter
    ],
)
def test_contrast_ratio_as_wcag_computes_it(first, second, ratio):
    assert look.contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)


def test_the_widget_s_own_colours_pass_aa():
    for colour in (look.DEFAULT_ACCENT, look.DEFAULT_TEXT):
        assert look.contrast_ratio(colour, look.BACKGROUND) >= look.AA_CONTRAST


@pytest.mark.parametrize(
    ("parser", "typed", "stored"),
    [
        (look.parse_position, "center", "center"),
        (look.parse_position, " bottom-left ", "bottom-left"),
        (look.parse_position, "", None),
        (look.parse_colour, "#1D56B8", "#1d56b8"),
        (look.parse_colour, "#0a3", "#00aa33"),
        (look.parse_colour, "  ", None),
        (look.parse_font, '"Source Sans 3", Arial, sans-serif', '"Source Sans 3", Arial, sans-serif'),
        (look.parse_font, None, None),
        (look.parse_radius, "0", 0),
        (look.parse_radius, "8px", 8),
        (look.parse_radius, "32", 32),
    ],
)
def test_what_each_setting_takes(parser, typed, stored):
    assert parser(typed) == stored


@pytest.mark.parametrize(
    ("parser", "typed", "message"),
    [
        (look.parse_position, "top", "bottom-right, bottom-left, center"),
        (look.parse_colour, "blue", "#rrggbb"),
        (look.parse_colour, "#12345", "#rrggbb"),
        (look.parse_colour, "#1d56b8;x:y", "#rrggbb"),
        (look.parse_font, "Arial; color: red", "family names"),
        (look.parse_font, "Arial}", "family names"),
        (look.parse_font, '"Arial', "family names"),
        (look.parse_radius, "33", "0 to 32"),
        (look.parse_radius, "-1", "0 to 32"),
        (look.parse_radius, "²", "0 to 32"),
        (look.parse_radius, "1.5", "0 to 32"),
    ],
)
def test_what_each_setting_refuses(parser, typed, message):
    with pytest.raises(ValueError, match=message):
        parser(typed)


def test_every_setting_is_a_touchpoint_column_a_parser_and_its_help(conn, make_touchpoint):
    tp = make_touchpoint()
    for column, parser, help in look.LOOK_SETTINGS:
        assert hasattr(tp, column) and getattr(tp, column) is None
        assert callable(parser) and help.endswith(".")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(touchpoints)")}
    assert set(look.LOOK_COLUMNS) <= columns


def test_warnings_name_the_colour_that_fails(make_touchpoint):
    assert look.contrast_warnings(make_touchpoint("plain")) == []
    tp = make_touchpoint("pale", accent_colour="#f9a825", text_colour="#1b2230")
    [warning] = look.contrast_warnings(tp)
    assert "#f9a825" in warning and "1.97:1" in warning and "4.5:1" in warning


def test_the_widget_config_carries_position_and_look(client, make_touchpoint, tokens):
    tp = make_touchpoint(
        widget_position="center", accent_colour="#7a1f5c", font_family="Georgia, serif", corner_radius=0
    )
    config = client.get("/api/v1/widget", query_string={"token": tokens.make_embed_token(tp.id)}).json
    assert config["position"] == "center"
    assert config["look"] == {"accent": "#7a1f5c", "font": "Georgia, serif", "radius": "0px"}

    plain = make_touchpoint("plain")
    config = client.get("/api/v1/widget", query_string={"token": tokens.make_embed_token(plain.id)}).json
    assert config["position"] is None and config["look"] == {}


def test_a_touchpoint_keeps_its_look(conn, make_touchpoint):
    tp = make_touchpoint()
    storage.update_touchpoint(conn, tp.id, text_colour="#222222", corner_radius=4)
    again = storage.get_touchpoint(conn, tp.id)
    assert (again.text_colour, again.corner_radius, again.accent_colour) == ("#222222", 4, None)
