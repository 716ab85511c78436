"""Verified customers: the shop's signing key, the signatures its backend puts
in the snippet, and the keyed hash under which a customer's quiet days are kept.

The shop's backend signs what it writes into the script tag with the signing
key (`anbefal signing-key`): `data-ref-sig` = hex HMAC-SHA256(key, "ref:" + ref)
and `data-customer-sig` = hex HMAC-SHA256(key, "customer:" + customer). The
prefixes keep a ref's signature from passing for a customer's. The customer id
itself is never stored: only an HMAC of it under a second key, one the shop
never sees, so a copy of the database (or of the signing key) cannot list
who answered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from . import storage, timestamps

SIGNING_KEY = "signing_key"
CUSTOMER_HASH_KEY = "customer_hash_key"
REF = "ref:"
CUSTOMER = "customer:"
# What an answer may carry besides the ref to say who it comes from.
FIELDS = ("ref_sig", "customer", "customer_sig")
MAX_SIGNATURE = 128
# What a signed snippet shows where the shop's backend writes its values.
PLACEHOLDERS = {
    "ref": "ORDER-ID",
    "ref_sig": "HMAC-SHA256(key, 'ref:' + ORDER-ID)",
    "customer": "CUSTOMER-ID",
    "customer_sig": "HMAC-SHA256(key, 'customer:' + CUSTOMER-ID)",
}


def new_key() -> str:
    return secrets.token_hex(32)


def signing_key(conn: sqlite3.Connection) -> str:
    """Return the installation's signing key, made once on first use."""
    return storage.get_or_create_setting(conn, SIGNING_KEY, new_key)


def rotate_signing_key(conn: sqlite3.Connection) -> str:
    """Replace the signing key by a new one and return it; signatures made with the old one stop holding."""
    key = new_key()
    storage.set_setting(conn, SIGNING_KEY, key)
    return key


def sign(key: str, prefix: str, value: str) -> str:
    """Return the hex HMAC-SHA256 of prefix + value under *key*, as the shop's backend makes it."""
    return hmac.new(key.encode(), (prefix + value).encode(), hashlib.sha256).hexdigest()


def holds(key: str, prefix: str, value: str, signature: Any) -> bool:
    """Return True when *signature* is the signature of prefix + value; compared in constant time."""
    if not isinstance(signature, str) or not signature.isascii():
        return False
    return hmac.compare_digest(sign(key, prefix, value), signature.strip().lower())


@dataclass(frozen=True)
class Identity:
    """What an answer or a widget says about who it comes from, checked."""

    verified: bool = False
    customer_hash: str | None = None  # only for a customer whose signature holds


def signed_attributes(key: str | None, ref: str | None, customer: str | None) -> dict[str, str]:
    """Return the data-* values of a signed snippet: signed with *key* where a
    value is given, else the placeholders for the shop's backend to fill in."""
    attributes = dict(PLACEHOLDERS)
    if key and ref:
        attributes.update(ref=ref, ref_sig=sign(key, REF, ref))
    if key and customer:
        attributes.update(customer=customer, customer_sig=sign(key, CUSTOMER, customer))
    return attributes


def check(conn: sqlite3.Connection, ref: str | None, ref_sig: Any, customer: str | None, customer_sig: Any) -> Identity:
    """Check the signatures sent with a ref and a customer id.

    Verified: at least one of the two is sent, and every one sent is signed
    correctly. Nothing sent reads no key (and makes none).
    """
    if ref is None and customer is None:
        return Identity()
    key = storage.get_setting(conn, SIGNING_KEY)  # a read; before `anbefal signing-key` nothing can hold
    if key is None:
        return Identity()
    ref_ok = ref is None or holds(key, REF, ref, ref_sig)
    customer_ok = customer is not None and holds(key, CUSTOMER, customer, customer_sig)
    customer_hash = hash_customer(conn, customer) if customer_ok and customer is not None else None
    return Identity(verified=ref_ok and (customer is None or customer_ok), customer_hash=customer_hash)


def hash_customer(conn: sqlite3.Connection, customer: str) -> str:
    """Return the keyed hash under which a customer's quiet days are kept."""
    key = storage.get_setting(conn, CUSTOMER_HASH_KEY) or storage.get_or_create_setting(
        conn, CUSTOMER_HASH_KEY, new_key
    )
    return hmac.new(key.encode(), customer.encode(), hashlib.sha256).hexdigest()


def is_quiet(conn: sqlite3.Connection, identity: Identity, quiet_days: int) -> bool:
    """Return True when this verified customer answered or dismissed a survey within *quiet_days* days."""
    if not identity.customer_hash or quiet_days <= 0:
        return False
    return storage.customer_seen_since(conn, identity.customer_hash, timestamps.utc_seconds_ago(quiet_days * 86400))


def note_seen(conn: sqlite3.Connection, identity: Identity, quiet_days: int) -> None:
    """Start a verified customer's quiet days (when they are on)."""
    if identity.customer_hash and quiet_days > 0:
        storage.mark_customer(conn, identity.customer_hash)
