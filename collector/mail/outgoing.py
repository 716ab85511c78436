"""Sending mail from the outbox, and queueing the alerts and digests that are due.

Called from the webhook sender's thread (collector.webhooks.sender) while it
holds the lease, so that one process of all sends. Each mail is claimed
(status sending, committed) before the SMTP conversation starts and recorded
after it: a sender killed in between leaves the claim behind, and the next
sender marks it interrupted instead of sending it again. A mail is sent at
most once, and one the server surely did not take is tried again later.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from .. import storage
from ..tokens import Tokens
from . import compose, digest, smtp

# After the first try (at once): SMTP servers queue and retry themselves, so
# these cover a server that is down or refusing for a while.
RETRY_SCHEDULE = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
JITTER = 0.1
MAIL_OFF = "mail is off: set ANBEFAL_SMTP_URL and ANBEFAL_MAIL_FROM"
# A digest whose moment passed longer ago than this (the server was down) is not sent late.
DIGEST_LATE = 24 * 3600

log = logging.getLogger(__name__)


def mail_is_on(config: Mapping[str, Any]) -> bool:
    return bool(config.get("SMTP_URL") and config.get("MAIL_FROM"))


def queue_due_digests(conn: sqlite3.Connection, config: Mapping[str, Any], now: datetime, known: set[str]) -> int:
    """Queue the digest of the latest period for every user who wants one and
    has not got it; *known* holds the keys queued already by this process, so
    that most looks write nothing. Return how many were queued."""
    queued = 0
    for user in storage.list_mail_preferences(conn):
        if user.digest == "off":
            continue
        period = digest.latest_period(user.digest, now, config["TIMEZONE"])
        key = f"digest:{user.user_id}:{period.key}"
        if key in known or (now - period.sent_at).total_seconds() > DIGEST_LATE:
            continue
        if storage.queue_mail(conn, key, "digest", user.user_id, body=json.dumps(period.as_body())):
            queued += 1
        known.add(key)
    return queued


def next_try(attempts: int) -> int | None:
    """When to try again after *attempts* tries; None after the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return int(time.time() + RETRY_SCHEDULE[attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER))


class Outgoing:
    """The mail half of one sender: its holder name, tokens, and what it queued."""

    def __init__(
        self, config: Mapping[str, Any], holder: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.config = config
        self.clock = clock  # what time it is for the digests' schedule (tests set it)
        self.holder = holder
        self.tokens = Tokens(config["SECRET_KEYS"])
        self.queued_digests: set[str] = set()
        self.settled = False

    def send_due(self, conn: sqlite3.Connection, keep_going: Callable[[], bool] = lambda: True) -> int:
        """Queue due digests and send every mail whose time has come; return how many were tried."""
        if not self.settled:  # once per taking of the lease: earlier claims are a dead sender's
            found = storage.settle_interrupted_mail(conn, self.holder)
            if found:
                log.warning("%d mail(s) were being sent when their sender stopped; they are not sent again", found)
            self.settled = True
        now = int(time.time())
        on = mail_is_on(self.config)
        storage.queue_alerts(conn, datetime.now(UTC), mail_on=on)
        if not on:
            storage.fail_due_mail(conn, now, MAIL_OFF)
            return 0
        queue_due_digests(conn, self.config, self.clock(), self.queued_digests)
        due = storage.due_mail(conn, now, self.config["ALERT_DELAY"])
        if not due:
            return 0
        tried = 0
        with smtp.Connection(self.config["SMTP_URL"]) as link:
            for mail in due:
                if not keep_going():
                    break
                if not self.send_one(conn, link, mail):
                    break
                tried += 1
        return tried

    def lost_lease(self) -> None:
        """The lease went to another process: settle claims again when it comes back."""
        self.settled = False

    def send_one(self, conn: sqlite3.Connection, link: smtp.Connection, mail: storage.Mail) -> bool:
        """Claim, send and record one mail; False when the server cannot be reached (the batch stops)."""
        try:
            link.open()
        except smtp.Unsent as exc:
            log.warning("cannot send mail: %s", exc)
            storage.record_mail(conn, mail.id, "pending", error=str(exc), next_try_at=int(time.time()) + 60)
            return False
        try:
            message = compose.compose(conn, mail, self.config, self.tokens)
        except Exception as exc:  # a mail that cannot be written must not stop the others
            log.exception("writing mail %d failed", mail.id)
            storage.record_mail(conn, mail.id, "failed", error=f"could not be written: {exc}")
            return True
        if message is None:
            storage.record_mail(conn, mail.id, "cancelled", error="nothing to send any more")
            return True
        if not storage.claim_mail(conn, mail.id, self.holder):
            return True  # taken meanwhile (cannot happen under the lease, but never send what is not ours)
        try:
            link.send(message)
        except smtp.Uncertain as exc:
            storage.record_mail(conn, mail.id, "interrupted", error=str(exc))
            return False
        except smtp.Unsent as exc:
            retry = None if exc.permanent else next_try(mail.attempts + 1)
            storage.record_mail(conn, mail.id, "pending" if retry else "failed", error=str(exc), next_try_at=retry)
            return exc.permanent
        storage.record_mail(conn, mail.id, "sent")
        return True
