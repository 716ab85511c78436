"""Keeping no more than needed: retention, forgetting a customer, and the
hourly clean-up that one worker runs for all.

The clean-up runs after a response has been sent (never delaying it), at
most once an hour across every worker: each worker looks at most once a
minute, and the settings table's `maintenance_at` decides whose turn it is.
It deletes answers older than ANBEFAL_RETENTION_DAYS (when set), visitor
salts older than two days, and the visitor hashes of answers older than two
days, which no longer serve to recognise a repeat, and webhook deliveries
done (delivered or failed) more than DELIVERY_DAYS ago, and the keyed hashes
of verified customers whose quiet days (ANBEFAL_CUSTOMER_QUIET_DAYS) are over,
and adds up the days of a month that has ended for the overview (storage.rollups).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, current_app

from . import storage, timestamps, visitors

MAINTENANCE_EVERY = 3600  # seconds between runs, across all workers
LOOK_EVERY = 60  # seconds between a worker's looks at whose turn it is
VISITOR_DAYS = 2
DELIVERY_DAYS = 30

_next_look = 0.0


def cutoff(days: int) -> str:
    """The ISO time before which answers are older than *days* days."""
    return timestamps.utc_seconds_ago(days * 86400)


@dataclass
class Cleaned:
    responses: int = 0
    visitor_salts: int = 0
    visitor_hashes: int = 0


def clean_up(conn, days: int | None, *, thorough: bool = False, quiet_days: int = 0) -> Cleaned:
    """Apply retention (when *days* is set) and forget old visitors, and
    verified customers whose quiet days are over."""
    done = Cleaned()
    if days:
        done.responses = storage.delete_responses_before(conn, cutoff(days), thorough=thorough)
    done.visitor_salts = storage.delete_visitor_salts_before(conn, visitors.oldest_kept_day(visitors.today()))
    done.visitor_hashes = storage.clear_visitors_before(conn, timestamps.utc_seconds_ago(VISITOR_DAYS * 86400))
    storage.delete_deliveries_before(conn, cutoff(DELIVERY_DAYS))
    storage.delete_mail_before(conn, cutoff(DELIVERY_DAYS))
    storage.forget_quiet_customers_before(conn, cutoff(quiet_days))
    with storage.transaction(conn):
        storage.roll_up_months(conn)  # a month that ended since
    return done


def install(app: Flask) -> None:
    """Run the hourly clean-up after responses."""
    app.after_request(_schedule_clean_up)


def _schedule_clean_up(response):
    global _next_look
    if time.monotonic() < _next_look:
        return response
    _next_look = time.monotonic() + LOOK_EVERY
    path = current_app.config["DB"]
    days = current_app.config["RETENTION_DAYS"]  # 0 keeps answers
    quiet_days = current_app.config["CUSTOMER_QUIET_DAYS"]
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            conn = storage.get_connection(path)
            if storage.claim_maintenance(conn, int(time.time()), MAINTENANCE_EVERY):
                done = clean_up(conn, days, quiet_days=quiet_days)
                if done.responses:
                    app.logger.info("retention: deleted %d answer(s) older than %d days", done.responses, days)
        except Exception:  # the answer has been sent; the next run tries again
            app.logger.exception("the hourly clean-up failed")

    response.call_on_close(run)
    return response
