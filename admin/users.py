"""Admin users: checking emails and passwords, hashing with Werkzeug's scrypt."""

from __future__ import annotations

import re
import sqlite3

from werkzeug.security import check_password_hash, generate_password_hash

from collector import storage

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_EMAIL = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

# Checked against when the email is unknown, so that a wrong email takes as
# long as a wrong password and the timing tells nothing.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class BadUserInput(ValueError):
    """An email or password that cannot be used; the message says why."""


def clean_email(value: str) -> str:
    """Return the email trimmed, or raise BadUserInput."""
    email = value.strip()
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        raise BadUserInput(f"{value!r} is not an email address")
    return email


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadUserInput(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise BadUserInput(f"the password may have at most {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def add_user(conn: sqlite3.Connection, email: str, password: str) -> storage.User:
    """Create a user; raises BadUserInput or storage.DuplicateUser."""
    email = clean_email(email)
    check_new_password(password)
    return storage.insert_user(conn, email, hash_password(password))


def authenticate(conn: sqlite3.Connection, email: str, password: str) -> storage.User | None:
    """Return the user whose email and password these are, else None."""
    user = storage.get_user_by_email(conn, email.strip()) if len(email) <= MAX_EMAIL else None
    if user is None or len(password) > MAX_PASSWORD:
        check_password_hash(_DUMMY_HASH, password[:MAX_PASSWORD])
        return None
    return user if check_password_hash(user.password_hash, password) else None
