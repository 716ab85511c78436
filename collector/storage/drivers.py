"""Drivers: what a touchpoint asks after the score, each answer's ratings of
them, and the sums the action matrix is made from (see driver_schema)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace

from ..drivers import MAX_DRIVERS, DriverError
from ..timestamps import utcnow
from . import rollups
from .connection import transaction
from .driver_schema import SLOTS, VARIABLES, value_of
from .filters import ResponseFilter, where_sql


@dataclass
class Driver:
    id: int
    touchpoint_id: int
    slot: int
    key: str
    label: str
    question: str


def list_drivers(conn: sqlite3.Connection, touchpoint_id: int) -> list[Driver]:
    """A touchpoint's drivers, in the order they were added."""
    rows = conn.execute(
        "SELECT id, touchpoint_id, slot, key, label, question FROM touchpoint_drivers"
        " WHERE touchpoint_id = ? ORDER BY created_at, id",
        (touchpoint_id,),
    ).fetchall()
    return [Driver(*row) for row in rows]


def drivers_by_touchpoint(conn: sqlite3.Connection) -> dict[int, list[Driver]]:
    """Every touchpoint's drivers: {touchpoint_id: [Driver, ...]}."""
    found: dict[int, list[Driver]] = {}
    rows = conn.execute(
        "SELECT id, touchpoint_id, slot, key, label, question FROM touchpoint_drivers ORDER BY created_at, id"
    )
    for row in rows:
        found.setdefault(row[1], []).append(Driver(*row))
    return found


def add_driver(conn: sqlite3.Connection, touchpoint_id: int, key: str, label: str, question: str) -> Driver:
    """Give a touchpoint another driver (in the first free slot) and return it; DriverError when it cannot."""
    with transaction(conn):
        existing = list_drivers(conn, touchpoint_id)
        if any(driver.key == key for driver in existing):
            raise DriverError(f"this touchpoint has a driver {key} already")
        free = [slot for slot in SLOTS if slot not in {driver.slot for driver in existing}]
        if len(existing) >= MAX_DRIVERS or not free:
            raise DriverError(f"a touchpoint has {MAX_DRIVERS} drivers at most; remove one first")
        cur = conn.execute(
            "INSERT INTO touchpoint_drivers (touchpoint_id, slot, key, label, question, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (touchpoint_id, free[0], key, label, question, utcnow()),
        )
    return Driver(cur.lastrowid or 0, touchpoint_id, free[0], key, label, question)


def remove_driver(conn: sqlite3.Connection, touchpoint_id: int, key: str) -> bool:
    """Remove a driver and every rating of it (so a later driver in its slot
    starts afresh); False when the touchpoint has no such driver."""
    with transaction(conn):
        row = conn.execute(
            "SELECT slot FROM touchpoint_drivers WHERE touchpoint_id = ? AND key = ?", (touchpoint_id, key)
        ).fetchone()
        if row is None:
            return False
        slot = int(row[0])  # one of SLOTS: safe in the column name
        conn.execute(
            f"UPDATE response_ratings SET r{slot} = NULL WHERE touchpoint_id = ? AND r{slot} IS NOT NULL",
            (touchpoint_id,),
        )
        conn.execute("DELETE FROM touchpoint_drivers WHERE touchpoint_id = ? AND key = ?", (touchpoint_id, key))
    return True


_RATINGS_UPSERT = f"""
    INSERT INTO response_ratings (response_id, touchpoint_id, day, channel, score, {", ".join(f"r{s}" for s in SLOTS)})
    SELECT id, touchpoint_id, substr(created_at, 1, 10), channel, score, ?, ?, ?, ?, ?
    FROM responses WHERE id = ?
    ON CONFLICT (response_id) DO UPDATE SET {", ".join(f"r{s} = COALESCE(excluded.r{s}, r{s})" for s in SLOTS)}
"""


def write_ratings(conn: sqlite3.Connection, response_id: int, ratings: dict[int, int]) -> None:
    """Store an answer's ratings ({slot: 1-5}); a slot not given keeps its earlier rating.
    Runs in the caller's write (see responses), never alone."""
    if ratings:
        conn.execute(_RATINGS_UPSERT, (*(ratings.get(slot) for slot in SLOTS), response_id))


# An answer's ratings as a JSON object {key: rating} (r: responses), null without any.
RATINGS_JSON = f"""(SELECT json_group_object(d.key, {value_of("d.slot", "rr")})
    FROM response_ratings rr JOIN touchpoint_drivers d ON d.touchpoint_id = rr.touchpoint_id
    WHERE rr.response_id = r.id AND {value_of("d.slot", "rr")} IS NOT NULL)"""


def rating_sql(slots_by_touchpoint: dict[int, int]) -> str:
    """SQL for one driver column of an export (r: responses, rr: response_ratings
    left-joined): the rating in the slot the answer's touchpoint gives that key."""
    if not slots_by_touchpoint:
        return "NULL"
    whens = " ".join(f"WHEN {int(tp)} THEN rr.r{int(slot)}" for tp, slot in sorted(slots_by_touchpoint.items()))
    return f"CASE r.touchpoint_id {whens} END"


Moments = dict[tuple[int, int], tuple[int, int, int, int, int, int]]


def driver_moments(conn: sqlite3.Connection, touchpoint_id: int, flt: ResponseFilter | None = None) -> Moments:
    """The sums behind a touchpoint's action matrix for the selected answers:
    {(a, b): (n, Σa, Σb, Σa², Σb², Σab)} for each pair of variables (0 the
    score, 1-5 the slots) over the answers that have both."""
    flt = replace(flt or ResponseFilter(), touchpoint_id=touchpoint_id)
    return driver_moments_by_touchpoint(conn, flt).get(touchpoint_id, {})


# The newest rated answers of a touchpoint's period read when the per-day
# sums cannot serve a view: those among them that the view selects make the
# matrix. A bounded read, whatever the number of answers or how few match.
RATED_READ = 2_500


def moments_read_from_answers(flt: ResponseFilter) -> bool:
    """Whether the matrix of *flt* is made from the newest RATED_READ rated
    answers of each touchpoint rather than from the per-day sums: only the
    answers themselves know their properties, signatures and time of day."""
    return bool(flt.properties or flt.verified or (flt.since and len(flt.since) != 10))


def _rated_in_period(flt: ResponseFilter) -> tuple[list[str], list]:
    """Conditions on response_ratings rr (with its touchpoint as the first parameter) for *flt*'s days."""
    clauses, params = ["rr.touchpoint_id = ?"], []
    for clause, value in (("rr.day >= ?", flt.since[:10] if flt.since else None), ("rr.day <= ?", flt.until)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return clauses, params


def moments_sampled(conn: sqlite3.Connection, flt: ResponseFilter, touchpoint_id: int) -> bool:
    """Whether a touchpoint's sums for *flt* left older rated answers of the
    period unread (more than RATED_READ of them)."""
    if not moments_read_from_answers(flt):
        return False
    clauses, params = _rated_in_period(flt)
    found = conn.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM response_ratings rr {where_sql(clauses)} LIMIT {RATED_READ + 1})",
        [touchpoint_id, *params],
    ).fetchone()[0]
    return found > RATED_READ


def driver_moments_by_touchpoint(conn: sqlite3.Connection, flt: ResponseFilter | None = None) -> dict[int, Moments]:
    """driver_moments of every touchpoint *flt* selects, in one query: {touchpoint_id: Moments}."""
    flt = flt or ResponseFilter()
    if moments_read_from_answers(flt):
        return _moments_of_answers(conn, flt)
    source, params = rollups.read(conn, "driver_moments", [], [], flt, "touchpoint_id, a, b, n, sa, sb, saa, sbb, sab")
    sql = f"""
        SELECT touchpoint_id, a, b, SUM(n), SUM(sa), SUM(sb), SUM(saa), SUM(sbb), SUM(sab)
        FROM {source} GROUP BY touchpoint_id, a, b HAVING SUM(n) > 0
    """
    found: dict[int, Moments] = {}
    for row in conn.execute(sql, params):
        found.setdefault(row[0], {})[(row[1], row[2])] = tuple(row[3:])  # type: ignore[assignment]
    return found


_PAIRS = [(a, b) for a in VARIABLES for b in VARIABLES if a <= b]


def _moments_of_answers(conn: sqlite3.Connection, flt: ResponseFilter) -> dict[int, Moments]:
    """The sums from the answers *flt* selects among the newest RATED_READ
    rated answers of each touchpoint's period: SQLite counts each combination
    of score and ratings (a few thousand at most), Python adds up the pairs."""
    if flt.touchpoint_id is not None:
        touchpoints = [flt.touchpoint_id]
    else:
        touchpoints = [row[0] for row in conn.execute("SELECT DISTINCT touchpoint_id FROM touchpoint_drivers")]
    window, window_params = _rated_in_period(flt)
    where, params = flt.where()
    ratings = ", ".join(f"rr.r{slot}" for slot in SLOTS)
    # The window first, by rr's own index, newest day first; then its answers.
    sql = f"""SELECT rr.touchpoint_id, rr.score, {ratings}, COUNT(*)
        FROM (SELECT * FROM response_ratings rr {where_sql(window)}
              ORDER BY rr.day DESC, rr.response_id DESC LIMIT {RATED_READ}) rr
        CROSS JOIN responses r ON r.id = rr.response_id {where_sql(where)}
        GROUP BY rr.touchpoint_id, rr.score, {ratings}"""
    rows = [row for tp in touchpoints for row in conn.execute(sql, [tp, *window_params, *params])]
    totals: dict[int, dict[tuple[int, int], list[int]]] = {}
    for row in rows:
        values, count = row[1:7], row[7]
        sums = totals.setdefault(row[0], {})
        for a, b in _PAIRS:
            va, vb = values[a], values[b]
            if va is None or vb is None:
                continue
            pair = sums.setdefault((a, b), [0, 0, 0, 0, 0, 0])
            pair[0] += count
            pair[1] += count * va
            pair[2] += count * vb
            pair[3] += count * va * va
            pair[4] += count * vb * vb
            pair[5] += count * va * vb
    return {tp: {pair: tuple(values) for pair, values in sums.items()} for tp, sums in totals.items()}  # type: ignore[misc]


def driver_columns(conn: sqlite3.Connection, touchpoint_id: int | None = None) -> dict[str, dict[int, int]]:
    """The driver columns of an export of one touchpoint (or all): {key: {touchpoint_id: slot}}, by key."""
    sql = "SELECT key, touchpoint_id, slot FROM touchpoint_drivers"
    rows = conn.execute(sql + " WHERE touchpoint_id = ?", (touchpoint_id,)) if touchpoint_id else conn.execute(sql)
    columns: dict[str, dict[int, int]] = {}
    for key, tp, slot in sorted(tuple(row) for row in rows):
        columns.setdefault(key, {})[tp] = slot
    return columns


def insert_ratings_bulk(conn: sqlite3.Connection, rows: list[tuple[int, dict[int, int]]]) -> int:
    """Store many answers' ratings in one transaction (for benchmarks and
    imports): rows of (response_id, {slot: rating}); return how many."""
    with transaction(conn):
        conn.executemany(
            _RATINGS_UPSERT,
            # As write_ratings: an answer without a rating has no row.
            ((*(ratings.get(slot) for slot in SLOTS), response_id) for response_id, ratings in rows if ratings),
        )
    return len(rows)


def add_moments(conn: sqlite3.Connection, after_id: int = 0) -> None:
    """Add the ratings of the answers after *after_id* to the per-day sums in
    one statement, as the triggers would one at a time (storage.bulk)."""
    a, b = value_of("p.a", "rr"), value_of("p.b", "rr")
    conn.execute(
        f"""
        INSERT INTO driver_moments (day, touchpoint_id, channel, a, b, n, sa, sb, saa, sbb, sab)
        SELECT day, touchpoint_id, channel, a, b, COUNT(*), SUM(va), SUM(vb), SUM(va * va), SUM(vb * vb), SUM(va * vb)
        FROM (SELECT rr.day, rr.touchpoint_id, rr.channel, p.a AS a, p.b AS b, {a} AS va, {b} AS vb
              FROM response_ratings rr, driver_pairs p WHERE rr.response_id > ?)
        WHERE va IS NOT NULL AND vb IS NOT NULL
        GROUP BY touchpoint_id, a, b, day, channel
        ON CONFLICT DO UPDATE SET n = n + excluded.n, sa = sa + excluded.sa, sb = sb + excluded.sb,
            saa = saa + excluded.saa, sbb = sbb + excluded.sbb, sab = sab + excluded.sab
        """,
        (after_id,),
    )
