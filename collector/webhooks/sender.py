"""The sender: a thread in the sender process (see process) that sends
while it holds the lease, so that every event goes out once however many
servers share the database. Events wait in the outbox (storage.outbox)
until delivered; the same thread, under the same lease, sends the mail
(collector.mail.outgoing)."""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Mapping
from typing import Any

from .. import storage, timestamps
from ..mail import outgoing
from ..params import whole_number
from . import posting, signing, slack

LEASE = "webhook-sender"
LEASE_SECONDS = 30  # a sender that stops renewing (killed) is replaced after this long
RENEW_EVERY = 10
LOOK_EVERY = 1.0  # seconds between looks at the outbox, while holding the lease
CLAIM_EVERY = 5.0  # seconds between tries for the lease, while another holds it
# After the first try (at once): the Standard Webhooks schedule, in seconds.
RETRY_SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
MAX_RETRY_AFTER = 24 * 3600
JITTER = 0.1  # each delay is lengthened or shortened by up to a tenth
BATCH = 100  # deliveries claimed at once, their outcomes recorded in one commit
SESSION_SECONDS = 60  # connections kept alive and addresses resolved once for this long, at most

log = logging.getLogger(__name__)


def followup_url(public_url: str | None, response_id: int) -> str | None:
    """The admin page where an answer is followed up; None without ANBEFAL_PUBLIC_URL."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/admin/responses/{response_id}"


def render(delivery: storage.Delivery, endpoint: storage.WebhookEndpoint, public_url: str | None) -> bytes:
    """The request body of *delivery* in its endpoint's format."""
    event = json.loads(delivery.body)
    data = event.get("data")
    if isinstance(data, dict) and delivery.response_id is not None:
        data["followup_url"] = followup_url(public_url, delivery.response_id)
    if endpoint.format == "slack":
        event = slack.message(event)
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def next_delay(attempts: int, answer: posting.Answer) -> float | None:
    """Seconds until the next try after *attempts* tries, the last of which
    got *answer*; None when that was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    if answer.status in (429, 503) and answer.retry_after is not None:
        return min(answer.retry_after, MAX_RETRY_AFTER)
    return RETRY_SCHEDULE[attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)


def try_once(
    conn: sqlite3.Connection,
    delivery: storage.Delivery,
    config: Mapping[str, Any],
    *,
    retry: bool = True,
    session: posting.Session | None = None,
    endpoints: dict[int, storage.WebhookEndpoint | None] | None = None,
) -> tuple[posting.Answer, storage.Attempt | None]:
    """Send *delivery* once; return the receiver's answer and what to record
    (None when the endpoint is gone). Without *retry* (a test sent by hand)
    a failure is final. A 410 disables the endpoint at once. A batch shares
    a *session* (connections) and the *endpoints* it has read."""
    endpoints = {} if endpoints is None else endpoints
    if delivery.endpoint_id not in endpoints:
        endpoints[delivery.endpoint_id] = storage.get_webhook_endpoint(conn, delivery.endpoint_id)
    endpoint = endpoints[delivery.endpoint_id]
    if endpoint is None:  # removed meanwhile, with its deliveries
        return posting.Answer(None, "the endpoint was removed"), None
    body = render(delivery, endpoint, config.get("PUBLIC_URL"))
    now = int(time.time())
    headers = signing.headers(endpoint.secret, delivery.message_id, now, body)
    if session is None:
        answer = posting.post(endpoint.url, body, headers, allow_private=config["WEBHOOK_ALLOW_PRIVATE"], now=now)
    else:
        answer = session.post(endpoint.url, body, headers, now=now)
    if answer.delivered:
        return answer, storage.Attempt(delivery.id, True, answer.status, None, None)
    delay = next_delay(delivery.attempts + 1, answer) if retry else None
    if answer.status == 410:
        storage.disable_webhook_endpoint(conn, endpoint.id, "the receiver answered 410 Gone")
        endpoints[endpoint.id] = None  # the rest of the batch waits
        delay = None
    next_try_at = None if delay is None else int(time.time() + delay)
    return answer, storage.Attempt(delivery.id, False, answer.status, answer.error, next_try_at)


def attempt(
    conn: sqlite3.Connection, delivery: storage.Delivery, config: Mapping[str, Any], *, retry: bool = True
) -> posting.Answer:
    """Send *delivery* once, record what came of it, and return the receiver's answer."""
    answer, done = try_once(conn, delivery, config, retry=retry)
    if done is not None:
        storage.record_attempts(conn, [done])
    return answer


def send_test(conn: sqlite3.Connection, endpoint_id: int, config: Mapping[str, Any]) -> posting.Answer:
    """Send a webhook.test event to one endpoint now, and return what its receiver answered."""
    now = int(time.time())
    event = {
        "type": storage.WEBHOOK_TEST,
        "timestamp": timestamps.from_unix(now),
        "data": {"endpoint": endpoint_id},
    }
    delivery = storage.queue_test_event(conn, endpoint_id, json.dumps(event, separators=(",", ":")), now)
    return attempt(conn, delivery, config, retry=False)


def send_due(conn: sqlite3.Connection, config: Mapping[str, Any], keep_going=lambda: True) -> int:
    """Send every delivery whose time has come, oldest first, a batch at a
    time; return how many were tried."""
    tried = 0
    session = posting.Session(allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
    try:
        while keep_going():
            due = storage.due_deliveries(conn, int(time.time()), config["ALERT_DELAY"], BATCH)
            if not due:
                break
            if time.monotonic() - session.started > SESSION_SECONDS:  # resolve the hosts afresh
                session.close()
                session = posting.Session(allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
            done: list[storage.Attempt] = []
            endpoints: dict[int, storage.WebhookEndpoint | None] = {}
            try:
                for delivery in due:
                    if not keep_going():
                        break
                    found = try_once(conn, delivery, config, session=session, endpoints=endpoints)[1]
                    if found is not None:
                        done.append(found)
            finally:
                # A batch's outcomes in one commit; a crash before it sends
                # them again, with the same webhook-id.
                if done:
                    storage.record_attempts(conn, done)
            tried += len(done)
            if len(done) < len(due):
                break
    finally:
        session.close()
    return tried


class Sender:
    """The thread that sends while it holds the lease."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.holding_until = 0.0
        self.stopping = threading.Event()
        self.mail = outgoing.Outgoing(config, self.holder)
        self.thread = threading.Thread(target=self.run, name="anbefal-webhooks", daemon=True)

    def start(self) -> Sender:
        self.thread.start()
        return self

    def holds_lease(self, conn: sqlite3.Connection) -> bool:
        """Renew the lease when it is due, or try to take it; True while this sender holds it."""
        now = time.time()
        if now < self.holding_until - (LEASE_SECONDS - RENEW_EVERY):
            return True
        if storage.claim_lease(conn, LEASE, self.holder, int(now), LEASE_SECONDS, take_from=self.gone_holder(conn)):
            self.holding_until = now + LEASE_SECONDS
            return True
        self.holding_until = 0.0
        return False

    def may_go_on(self, conn: sqlite3.Connection) -> bool:
        """True while this sender is not stopping and still holds the lease."""
        return not self.stopping.is_set() and self.holds_lease(conn)

    def gone_holder(self, conn: sqlite3.Connection) -> str | None:
        """The holder of the lease when it is a process of this machine that
        is no more (a worker killed, a server restarted): no need to wait
        for its lease to expire."""
        holder = storage.lease_holder(conn, LEASE)
        host, _, rest = (holder or "").partition(":")
        pid = whole_number(rest.partition(":")[0], minimum=1)
        if host != socket.gethostname() or pid is None or holder == self.holder:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return holder
        except OSError:  # alive, under another user
            return None
        return None

    def run(self) -> None:
        conn: sqlite3.Connection | None = None
        wait = 0.0
        while not self.stopping.wait(wait):
            try:
                if conn is None:
                    conn = storage.get_connection(self.config["DB"])
                    storage.skip_fsync_of_outcomes(conn)
                if self.holds_lease(conn):
                    keep_going = functools.partial(self.may_go_on, conn)
                    send_due(conn, self.config, keep_going)
                    if keep_going():
                        self.mail.send_due(conn, keep_going)
                    wait = LOOK_EVERY
                else:
                    self.mail.lost_lease()
                    wait = CLAIM_EVERY
            except Exception as exc:  # the database busy or briefly away: look again later
                fault = storage.classify_fault(exc)
                if fault is None:
                    log.exception("sending webhooks and mail failed; trying again shortly")
                else:  # said once in the workers' log already, with what to do: one line here
                    log.warning("sending webhooks and mail waits: %s (%s)", fault.message, fault.code)
                wait = CLAIM_EVERY
        if self.holding_until and conn is not None:
            try:
                storage.release_lease(conn, LEASE, self.holder)
            except sqlite3.Error:
                pass  # it expires by itself
        storage.close_connections()

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        self.thread.join(timeout)
