"""Overdue detractors: counted from the open ones less the few not due yet
or without a deadline, the same as counted from the answers one by one."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from collector import nps, storage, timestamps


def test_overdue_counts_match_the_answers_for_every_filter(conn, make_touchpoint):
    touchpoints = [make_touchpoint("checkout"), make_touchpoint("support", followup_hours=240)]
    rng = random.Random(5)
    now = datetime.now(UTC)
    for i in range(600):
        created = now - timedelta(days=rng.randrange(40), seconds=rng.randrange(86400))
        storage.insert_response(
            conn,
            rng.choice(touchpoints).id,
            rng.randrange(11),
            ref=f"T{i}",
            channel=rng.choice(["widget", "link"]),
            properties={k: rng.choice("xy") for k in ("store", "region", "segment") if rng.random() < 0.7},
            created_at=created.strftime(timestamps.FORMAT),
        )
    ids = [row[0] for row in conn.execute("SELECT id FROM responses WHERE score <= 6 ORDER BY id")]
    for response_id in ids[::5]:
        storage.set_followup(conn, response_id, "contacted", None, "owner@example.com")
    # As a database upgraded from before deadlines has them.
    conn.execute("UPDATE responses SET followup_due_at = NULL WHERE id % 7 = 0")
    conn.commit()
    at = timestamps.utcnow()

    def plain(flt: storage.ResponseFilter) -> dict[int, int]:
        where, params = flt.where_sql()
        found: Counter = Counter()
        for tp, score, status, due in conn.execute(
            f"SELECT touchpoint_id, score, followup_status, followup_due_at FROM responses r {where}",
            params,
        ):
            if nps.category(score) == nps.DETRACTOR and status is None and due is not None and due < at:
                found[tp] += 1
        return dict(found)

    since = (now - timedelta(days=20)).strftime("%Y-%m-%d")
    filters = [
        storage.ResponseFilter(),
        storage.ResponseFilter(since=since),
        storage.ResponseFilter(since=(now - timedelta(days=5, hours=3)).strftime(timestamps.FORMAT)),
        storage.ResponseFilter(touchpoint_id=touchpoints[1].id, channel="link"),
        storage.ResponseFilter(properties={"store": "x"}),
        storage.ResponseFilter(since=since, properties={"store": "x", "segment": "y"}),
        storage.ResponseFilter(properties={"store": "x", "segment": "y", "region": "x"}),
    ]
    kinds = set()
    for flt in filters:
        expected = plain(flt)
        assert storage.overdue_by_touchpoint(conn, at, flt) == expected, flt
        # With the open detractors the overview has counted already: the same.
        known = storage.open_detractors_by_touchpoint(conn, flt)
        assert storage.overdue_by_touchpoint(conn, at, flt, known) == expected, flt
        kinds.add(bool(expected))
    assert kinds == {True}
    # Some are not due yet (the support desk has ten days) and some have no deadline.
    assert conn.execute("SELECT COUNT(*) FROM responses WHERE score <= 6 AND followup_due_at >= ?", [at]).fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM responses WHERE score <= 6 AND followup_due_at IS NULL").fetchone()[0]
