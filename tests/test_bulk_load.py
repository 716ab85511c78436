"""A bulk load (storage.bulk_load) makes the tables derived from the answers
exactly as their triggers make them one answer at a time, and leaves the
triggers as they were."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta

from collector import storage, timestamps
from collector.storage.property_days import COUNT_COLUMNS
from collector.storage.rollups import ROLLUPS, SET_ROLLUP

COMMENTS = [
    "Leveringen tog for lang tid, og levering var dyr.",
    "Quick delivery and friendly support!",
    "Die Lieferung kam spät.",
    "Kjempefornøyd, rask levering.",
    "",
]


def answers(touchpoint_ids: list[int], count: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        stamp = (now - timedelta(days=rng.randrange(60), seconds=rng.randrange(86400))).strftime(timestamps.FORMAT)
        chosen = {"store": rng.choice("abc"), "segment": rng.choice(["private", "business"])}
        if rng.random() < 0.5:
            chosen["agent"] = rng.choice(["ann", "bo"])
        properties = json.dumps(chosen, sort_keys=True)
        rows.append(
            (
                rng.choice(touchpoint_ids),
                rng.randrange(11),
                rng.choice(COMMENTS) or None if rng.random() < 0.5 else None,
                f"ORDER-{seed}-{i}",
                rng.choice(["widget", "link"]),
                rng.choice([None, "da-DK", "de", "nb"]),
                None,
                properties if rng.random() < 0.8 else "{}",
                stamp,
                *(("resolved", "Called", "owner@example.com", stamp) if rng.random() < 0.3 else (None,) * 4),
            )
        )
    return rows


def ratings(first_id: int, count: int, seed: int) -> list[tuple[int, dict[int, int]]]:
    rng = random.Random(seed)
    return [
        (first_id + i, {slot: rng.randint(1, 5) for slot in (1, 2, 3) if rng.random() < 0.8} if i % 50 else {})
        for i in range(count)
        if rng.random() < 0.4
    ]


def load(conn: sqlite3.Connection, batches: list[tuple[list[tuple], list]]) -> None:
    for rows, rated in batches:
        storage.insert_responses_bulk(conn, rows)
        storage.insert_ratings_bulk(conn, rated)  # some without a rating: no row, as write_ratings


def derived(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """The derived tables, in an order of their own, rows that add up to nothing left out."""
    return {
        "property days": conn.execute(
            f"SELECT * FROM response_property_days WHERE {' + '.join(COUNT_COLUMNS)} > 0 ORDER BY 1, 2, 3, 4, 5"
        ).fetchall(),
        "pair counts": conn.execute(
            f"SELECT * FROM response_property_pair_days WHERE {' + '.join(COUNT_COLUMNS)} > 0"
            " ORDER BY 1, 2, 3, 4, 5, 6, 7"
        ).fetchall(),
        # Sets by their properties: the ids are made in another order.
        "set counts": conn.execute(
            f"""SELECT s.properties, d.day, d.touchpoint_id, d.channel, {", ".join(COUNT_COLUMNS)}
                FROM response_property_set_days d JOIN property_sets s ON s.id = d.set_id
                WHERE {" + ".join(COUNT_COLUMNS)} > 0 ORDER BY 1, 2, 3, 4"""
        ).fetchall(),
        "sets": conn.execute("SELECT properties, n FROM property_sets ORDER BY 1").fetchall(),
        "set values": conn.execute(
            "SELECT s.properties, v.key, v.value FROM property_set_values v JOIN property_sets s ON s.id = v.set_id"
            " ORDER BY 1, 2"
        ).fetchall(),
        "set months": conn.execute(
            f"""SELECT m.month, s.properties, m.touchpoint_id, m.channel, {", ".join(COUNT_COLUMNS)}
                FROM response_property_set_months m JOIN property_sets s ON s.id = m.set_id ORDER BY 1, 2, 3, 4"""
        ).fetchall(),
        **{
            rollup.months: conn.execute(
                f"SELECT * FROM {rollup.months} ORDER BY {', '.join(['month', *rollup.keys])}"
            ).fetchall()
            for rollup in ROLLUPS
            if rollup != SET_ROLLUP
        },
        "open detractors": conn.execute("SELECT * FROM open_detractor_days WHERE n > 0 ORDER BY 1, 2, 3").fetchall(),
        "matrix sums": conn.execute(
            "SELECT * FROM driver_moments WHERE n > 0 ORDER BY touchpoint_id, a, b, day, channel"
        ).fetchall(),
        "comment terms": conn.execute(
            """SELECT ct.response_id, t.term, f.form FROM comment_terms ct
               JOIN terms t ON t.id = ct.term_id JOIN term_forms f ON f.id = ct.form_id ORDER BY 1, 2"""
        ).fetchall(),
        "search": conn.execute(
            "SELECT rowid FROM responses_fts WHERE responses_fts MATCH 'leveringen OR delivery' ORDER BY rowid"
        ).fetchall(),
        "term forms": conn.execute(
            "SELECT t.term, f.form, f.n FROM term_forms f JOIN terms t ON t.id = f.term_id ORDER BY 1, 2"
        ).fetchall(),
    }


def triggers(conn: sqlite3.Connection) -> list[tuple]:
    """Every trigger and index, as the schema has it."""
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') ORDER BY name"
    ).fetchall()


def prepared(path: str) -> tuple[sqlite3.Connection, list[int]]:
    conn = storage.connect(path)
    storage.migrate(conn)
    ids = [storage.insert_touchpoint(conn, name).id for name in ("checkout", "support")]
    for tp in ids:
        for key in ("delivery", "price", "staff"):
            storage.add_driver(conn, tp, key, key.title(), f"How was the {key}?")
    return conn, ids


def test_a_bulk_load_makes_what_the_triggers_make_and_puts_them_back(tmp_path, capsys):
    by_trigger, ids = prepared(str(tmp_path / "triggers.db"))
    in_bulk, same_ids = prepared(str(tmp_path / "bulk.db"))
    assert ids == same_ids
    before = triggers(in_bulk)
    # Some answers are there before the load; the load adds two batches.
    first = [(answers(ids, 120, 1), ratings(1, 120, 1))]
    more = [(answers(ids, 300, 2), ratings(121, 300, 2)), (answers(ids, 200, 3), ratings(421, 200, 3))]
    load(by_trigger, first + more)
    load(in_bulk, first)
    with storage.bulk_load(in_bulk):
        load(in_bulk, more)
        assert {t[0] for t in triggers(in_bulk)} < {t[0] for t in before}
    assert triggers(in_bulk) == before
    unrated = " AND ".join(f"r{slot} IS NULL" for slot in (1, 2, 3, 4, 5))
    for conn in (in_bulk, by_trigger):
        assert conn.execute(f"SELECT COUNT(*) FROM response_ratings WHERE {unrated}").fetchone()[0] == 0
    made = derived(in_bulk)
    assert all(made.values())
    assert made == derived(by_trigger)
    assert "Storing the words of existing comments for themes" in capsys.readouterr().err

    # After it, the triggers count every change again.
    for conn in (by_trigger, in_bulk):
        storage.insert_response(conn, ids[0], 2, comment="Leveringen var for sen", properties={"store": "a"})
        storage.update_response(conn, 3, score=10, comment="Alt var fint")
        storage.update_response(conn, 5, ratings={1: 5})
        storage.forget_ref(conn, "ORDER-2-7")
    assert derived(in_bulk) == derived(by_trigger)
    by_trigger.close()
    in_bulk.close()
