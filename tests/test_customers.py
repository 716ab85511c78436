"""Signatures of refs and customer ids, the keyed customer hash, and the quiet days."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from collector import customers, storage


@pytest.fixture
def key(conn) -> str:
    return customers.signing_key(conn)


def test_signature_is_hex_hmac_sha256_of_the_prefixed_value(key):
    expected = hmac.new(key.encode(), b"ref:A-1001", hashlib.sha256).hexdigest()
    assert customers.sign(key, customers.REF, "A-1001") == expected
    assert len(expected) == 64


def test_a_signature_holds_only_for_its_own_prefix_value_and_key(key):
    sig = customers.sign(key, customers.REF, "A-1001")
    assert customers.holds(key, customers.REF, "A-1001", sig)
    assert customers.holds(key, customers.REF, "A-1001", sig.upper())  # hex is hex
    assert not customers.holds(key, customers.CUSTOMER, "A-1001", sig)  # a ref's signature is no customer's
    assert not customers.holds(key, customers.REF, "A-1002", sig)
    assert not customers.holds("another key", customers.REF, "A-1001", sig)
    for wrong in (None, "", 42, sig[:-1], "æ" * 64):
        assert not customers.holds(key, customers.REF, "A-1001", wrong)


def test_the_signing_key_is_made_once_and_rotation_replaces_it(conn):
    first = customers.signing_key(conn)
    assert customers.signing_key(conn) == first
    rotated = customers.rotate_signing_key(conn)
    assert rotated != first and customers.signing_key(conn) == rotated


def test_verified_needs_every_identity_sent_to_be_signed(conn, key):
    ref_sig = customers.sign(key, customers.REF, "A-1")
    customer_sig = customers.sign(key, customers.CUSTOMER, "C-7")
    assert customers.check(conn, "A-1", ref_sig, None, None).verified
    assert customers.check(conn, None, None, "C-7", customer_sig).verified
    assert customers.check(conn, "A-1", ref_sig, "C-7", customer_sig).verified
    assert not customers.check(conn, None, None, None, None).verified
    assert not customers.check(conn, "A-1", None, None, None).verified
    assert not customers.check(conn, "A-1", ref_sig, "C-7", "0" * 64).verified  # a wrong customer spoils it
    assert not customers.check(conn, "A-1", "0" * 64, "C-7", customer_sig).verified


def test_nothing_holds_before_a_key_exists(conn):
    assert not customers.check(conn, "A-1", customers.sign("guess", customers.REF, "A-1"), None, None).verified
    assert storage.get_setting(conn, customers.SIGNING_KEY) is None  # checking made no key


def test_the_customer_is_kept_as_a_keyed_hash_not_the_signing_keys(conn, key):
    identity = customers.check(conn, None, None, "C-7", customers.sign(key, customers.CUSTOMER, "C-7"))
    assert identity.customer_hash == customers.hash_customer(conn, "C-7")
    assert "C-7" not in identity.customer_hash
    assert identity.customer_hash != customers.sign(key, customers.CUSTOMER, "C-7")
    assert identity.customer_hash != hashlib.sha256(b"C-7").hexdigest()  # keyed, not a plain hash
    # An unsigned customer has no hash: anyone could name anyone.
    assert customers.check(conn, None, None, "C-7", "nope").customer_hash is None


def test_quiet_days_start_with_an_answer_or_dismissal_and_end(conn, key):
    identity = customers.check(conn, None, None, "C-7", customers.sign(key, customers.CUSTOMER, "C-7"))
    assert not customers.is_quiet(conn, identity, 30)
    customers.note_seen(conn, identity, 30)
    assert customers.is_quiet(conn, identity, 30)
    assert not customers.is_quiet(conn, identity, 0)  # 0 switches it off
    conn.execute("UPDATE customer_quiet SET last_at = '2020-01-01T00:00:00Z'")
    assert not customers.is_quiet(conn, identity, 30)
    assert storage.forget_quiet_customers_before(conn, "2021-01-01T00:00:00Z") == 1


def test_quiet_days_off_store_nothing(conn, key):
    identity = customers.check(conn, None, None, "C-7", customers.sign(key, customers.CUSTOMER, "C-7"))
    customers.note_seen(conn, identity, 0)
    assert conn.execute("SELECT COUNT(*) FROM customer_quiet").fetchone()[0] == 0


def test_signed_attributes_sign_what_is_given_and_leave_placeholders(key):
    attributes = customers.signed_attributes(key, "A-1", None)
    assert attributes["ref_sig"] == customers.sign(key, customers.REF, "A-1")
    assert attributes["customer"] == customers.PLACEHOLDERS["customer"]
    assert customers.signed_attributes(key, None, None) == customers.PLACEHOLDERS
