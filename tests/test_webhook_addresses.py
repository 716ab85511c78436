"""Which addresses webhooks may go to."""

from __future__ import annotations

import pytest

from collector.webhooks.addresses import AddressRefused, check_endpoint_url, check_url, is_public


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://hooks.example.com/", "must start with https://"),
        ("hooks.example.com/x", "must start with https://"),
        ("https:///path", "no host name"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/a b", "spaces or control characters"),
        ("https://hooks.example.com:99999/", "not a valid address"),
    ],
)
def test_malformed_addresses_are_refused(url, problem):
    with pytest.raises(AddressRefused, match=problem):
        check_url(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_not_public(address):
    assert not is_public(address)


def test_public_addresses_are():
    assert is_public("93.184.215.14") and is_public("2606:2800:21f:cb07:6820:80da:af6b:8b2c")


def test_a_private_address_is_refused_unless_allowed():
    with pytest.raises(AddressRefused, match="ANBEFAL_WEBHOOK_ALLOW_PRIVATE"):
        check_endpoint_url("http://127.0.0.1:9/hook", allow_private=False)
    with pytest.raises(AddressRefused, match="169.254.169.254"):
        check_endpoint_url("http://169.254.169.254/latest/meta-data", allow_private=False)
    with pytest.raises(AddressRefused, match="localhost resolves to"):
        check_endpoint_url("http://localhost/", allow_private=False)
    check_endpoint_url("http://127.0.0.1:9/hook", allow_private=True)
