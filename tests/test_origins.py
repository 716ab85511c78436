"""Origins as touchpoints store them: scheme, host and port, nothing else."""

from __future__ import annotations

import pytest

from collector.origins import normalise_origin


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://Shop.example/", "https://shop.example"),
        ("  http://shop.example:8080 ", "http://shop.example:8080"),
        ("https://SHOP.example", "https://shop.example"),
    ],
)
def test_an_origin_is_stored_in_one_form(typed, stored):
    assert normalise_origin(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("shop.example", "is not an origin such as https://shop.example"),
        ("ftp://shop.example", "is not an origin"),
        ("https://", "is not an origin"),
        ("https://shop.example/checkout", "an origin has no path"),
        ("https://shop.example/?a=1", "an origin has no path"),
        ("https://shop.example/#top", "an origin has no path"),
    ],
)
def test_anything_else_is_a_value_error_that_says_why(typed, message):
    with pytest.raises(ValueError, match=message):
        normalise_origin(typed)
