"""Per-day counts by property value: the same as counted from the answers
through every way an answer changes or leaves, and every overview figure
read from them the same as computed from the answers themselves."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admin import filters, stats
from collector import create_app, nps, storage, timestamps
from collector.storage.property_days import COUNT_COLUMNS
from collector.storage.rollups import ROLLUPS

TODAY = datetime.now(UTC).date()
DAYS = 150
STORES = [f"store-{n:02d}" for n in range(25)] + ['Ø"st & co', "a b"]
REGIONS = ["north", "south", "east", "west", "sønderjylland"]
SEGMENTS = ["private", "business", "public"]
AGENTS = [f"agent-{n}" for n in range(30)]
KEYS = {"store": STORES, "region": REGIONS, "segment": SEGMENTS, "agent": AGENTS}


def _stamp(day: date, seconds: int) -> str:
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
    return moment.strftime(timestamps.FORMAT)


def _properties(rng: random.Random) -> str:
    chosen = {key: rng.choice(values) for key, values in KEYS.items() if rng.random() < 0.8}
    return json.dumps(chosen, ensure_ascii=False, sort_keys=True)


def fill(conn: sqlite3.Connection, touchpoint_ids: list[int], count: int, seed: int = 17) -> None:
    """*count* answers over the last DAYS days with many property values."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        day = TODAY - timedelta(days=rng.randrange(DAYS))
        stamp = _stamp(day, rng.randrange(86400))
        rows.append(
            (
                rng.choice(touchpoint_ids),
                rng.randrange(11),
                None,
                f"ORDER-{i}",
                rng.choice(["widget", "link"]),
                None,
                None,
                _properties(rng),
                stamp,
                *(("resolved", "Called", "owner@example.com", stamp) if rng.random() < 0.4 else (None,) * 4),
            )
        )
    storage.insert_responses_bulk(conn, rows)


# --------------------------------------------------------------------------
# The plain computation: every answer read and counted in Python
# --------------------------------------------------------------------------


def rebuilt(conn: sqlite3.Connection) -> dict[tuple, list[int]]:
    """The per-day counts by property value as the answers have them."""
    counts: dict[tuple, list[int]] = {}
    for tp_id, score, channel, created_at, properties, status in conn.execute(
        "SELECT touchpoint_id, score, channel, created_at, properties, followup_status FROM responses"
    ):
        for key, value in json.loads(properties).items():
            row = counts.setdefault((key, value, created_at[:10], tp_id, channel), [0] * 12)
            row[score] += 1
            row[11] += nps.category(score) == nps.DETRACTOR and status is None
    return counts


def rebuilt_pairs(conn: sqlite3.Connection) -> dict[tuple, list[int]]:
    """The per-day counts by two property values as the answers have them."""
    counts: dict[tuple, list[int]] = {}
    for tp_id, score, channel, created_at, properties, status in conn.execute(
        "SELECT touchpoint_id, score, channel, created_at, properties, followup_status FROM responses"
    ):
        for (key1, value1), (key2, value2) in itertools.combinations(sorted(json.loads(properties).items()), 2):
            row = counts.setdefault((key1, value1, key2, value2, created_at[:10], tp_id, channel), [0] * 12)
            row[score] += 1
            row[11] += nps.category(score) == nps.DETRACTOR and status is None
    return counts


def stored_pairs(conn: sqlite3.Connection) -> dict[tuple, list[int]]:
    rows = conn.execute(
        "SELECT key1, value1, key2, value2, day, touchpoint_id, channel,"
        f" {', '.join(COUNT_COLUMNS)} FROM response_property_pair_days"
    )
    return {tuple(row[:7]): list(row[7:]) for row in rows if any(row[7:])}


def rebuilt_sets(conn: sqlite3.Connection) -> dict[tuple, list[int]]:
    """The per-day counts by set of three or more properties as the answers have them."""
    counts: dict[tuple, list[int]] = {}
    for tp_id, score, channel, created_at, properties, status in conn.execute(
        "SELECT touchpoint_id, score, channel, created_at, properties, followup_status FROM responses"
    ):
        props = json.loads(properties)
        if len(props) >= 3:
            row = counts.setdefault((frozenset(props.items()), created_at[:10], tp_id, channel), [0] * 12)
            row[score] += 1
            row[11] += nps.category(score) == nps.DETRACTOR and status is None
    return counts


def stored_sets(conn: sqlite3.Connection) -> dict[tuple, list[int]]:
    """The counts by set, each set as its values, and every set in use (and none other) with its answers."""
    values: dict[int, dict] = {}
    for key, value, set_id in conn.execute("SELECT key, value, set_id FROM property_set_values"):
        values.setdefault(set_id, {})[key] = value
    sets = {set_id: (json.loads(text), n) for set_id, text, n in conn.execute("SELECT * FROM property_sets")}
    assert {set_id: props for set_id, (props, _) in sets.items()} == values
    answers = Counter(row[0] for row in conn.execute("SELECT properties FROM responses"))
    assert {json.dumps(props, ensure_ascii=False, sort_keys=True): n for props, n in sets.values()} == {
        text: n for text, n in answers.items() if len(json.loads(text)) >= 3
    }
    rows = conn.execute(
        f"SELECT set_id, day, touchpoint_id, channel, {', '.join(COUNT_COLUMNS)} FROM response_property_set_days"
    )
    return {(frozenset(values[row[0]].items()), *row[1:4]): list(row[4:]) for row in rows if any(row[4:])}


def stored(conn: sqlite3.Connection) -> dict[tuple, list[int]]:
    """The table's counts, rows counted down to nothing left out."""
    rows = conn.execute(
        f"SELECT key, value, day, touchpoint_id, channel, {', '.join(COUNT_COLUMNS)} FROM response_property_days"
    )
    return {tuple(row[:5]): list(row[5:]) for row in rows if any(row[5:])}


def open_days(conn: sqlite3.Connection) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """The detractors to follow up per day, touchpoint and channel: (as stored, as the answers have them)."""
    stored_rows = conn.execute("SELECT day, touchpoint_id, channel, n FROM open_detractor_days WHERE n != 0")
    counted: Counter = Counter()
    for tp_id, score, channel, created_at, status in conn.execute(
        "SELECT touchpoint_id, score, channel, created_at, followup_status FROM responses"
    ):
        if nps.category(score) == nps.DETRACTOR and status is None:
            counted[created_at[:10], tp_id, channel] += 1
    return {tuple(row[:3]): row[3] for row in stored_rows}, dict(counted)


def assert_counts_exact(conn: sqlite3.Connection) -> None:
    assert stored(conn) == rebuilt(conn)
    assert stored_pairs(conn) == rebuilt_pairs(conn)
    assert stored_sets(conn) == rebuilt_sets(conn)
    kept, counted = open_days(conn)
    assert kept == counted
    assert_months_add_up(conn)


def assert_months_add_up(conn: sqlite3.Connection) -> None:
    """Every per-month table holds its per-day table's sums, for each rolled-up month."""
    for rollup in ROLLUPS:
        keys, sums = ", ".join(rollup.keys), ", ".join(rollup.sums)
        nonzero = " OR ".join(f"{c} != 0" for c in rollup.sums)
        done = "month IN (SELECT month FROM rollup_months)"
        kept = conn.execute(
            f"SELECT month, {keys}, {sums} FROM {rollup.months} WHERE ({nonzero}) AND {done} ORDER BY 1, {keys}"
        )
        added = conn.execute(
            f"SELECT * FROM (SELECT substr(day, 1, 7) || '-01' AS month, {keys},"
            f" {', '.join(f'SUM({c}) AS {c}' for c in rollup.sums)} FROM {rollup.days} GROUP BY 1, {keys})"
            f" WHERE ({nonzero}) AND {done} ORDER BY 1, {keys}"
        )
        assert [tuple(r) for r in kept] == [tuple(r) for r in added], rollup.months
    for table in ("response_property_days", "response_property_pair_days", "response_property_set_days"):
        negative = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE min({', '.join(COUNT_COLUMNS)}) < 0")
        assert negative.fetchone()[0] == 0


def selected(
    conn: sqlite3.Connection, flt: storage.ResponseFilter, *, open_only: bool = False
) -> list[tuple[int, int, str, dict]]:
    """(touchpoint_id, score, day, properties) of the answers *flt* selects
    (*open_only*: the detractors nobody has followed up yet)."""
    found = []
    for tp_id, score, channel, created_at, properties, status in conn.execute(
        "SELECT touchpoint_id, score, channel, created_at, properties, followup_status FROM responses"
    ):
        if open_only and (nps.category(score) != nps.DETRACTOR or status is not None):
            continue
        props = json.loads(properties)
        if flt.touchpoint_id is not None and tp_id != flt.touchpoint_id:
            continue
        if flt.since and created_at < flt.since:
            continue
        if flt.until and created_at[:10] > flt.until:
            continue
        if flt.channel and channel != flt.channel:
            continue
        if any(props.get(key) != value for key, value in (flt.properties or {}).items()):
            continue
        found.append((tp_id, score, created_at[:10], props))
    return found


def summary(answers) -> nps.Summary:
    return nps.summary_from_scores(Counter(score for _, score, _, _ in answers).items())


def plain_by_period(conn, flt, interval, before=None) -> list[tuple]:
    counts: Counter = Counter()
    for tp_id, score, day, _ in selected(conn, flt):
        if before and day < before:
            bucket = None
        elif interval == "day":
            bucket = day
        elif interval == "all":
            bucket = ""
        else:
            bucket = stats.bucket_start(date.fromisoformat(day), interval).isoformat()
        counts[tp_id, bucket, score] += 1
    return sorted(((tp, bucket, score, n) for (tp, bucket, score), n in counts.items()), key=_key)


def plain_breakdown(conn, key, flt) -> dict:
    groups: dict = {}
    for answer in selected(conn, flt):
        groups.setdefault(answer[3].get(key), []).append(answer)
    found = {value: summary(answers) for value, answers in groups.items()}
    return {value: (s.promoters, s.passives, s.detractors) for value, s in found.items()}


def _key(row: tuple) -> tuple:
    return tuple((part is None, "" if part is None else part) for part in row)


def assert_overview_exact(conn, flt: filters.Filters, touchpoints) -> None:
    """Every figure of the overview for *flt* against the answers counted in Python."""
    view = stats.build_overview(conn, flt, touchpoints)
    shown = [tp for tp in touchpoints if flt.touchpoint_id in (None, tp.id)]
    previous = flt.previous()
    for card in view.cards:
        tp_id = card.touchpoint.id if card.touchpoint else None
        rflt = flt.response_filter(touchpoint_id=tp_id)
        answers = [a for a in selected(conn, rflt) if a[0] in {tp.id for tp in shown}]
        expected = summary(answers)
        assert card.summary == expected, (flt, card.name)
        assert card.summary.nps == expected.nps and card.summary.margin == expected.margin
        assert card.distribution == [sum(1 for a in answers if a[1] == score) for score in range(11)]
        if previous is None:
            assert card.previous is None
        else:
            before = [
                a for a in selected(conn, previous.response_filter(touchpoint_id=tp_id)) if a[0] in card_ids(shown)
            ]
            assert card.previous == summary(before), (flt, card.name)
            assert card.change == nps.change(expected, summary(before))
        for point in card.trend:
            inside = [
                a for a in answers if stats.bucket_start(date.fromisoformat(a[2]), flt.trend_interval) == point.start
            ]
            assert point.summary == summary(inside), (flt, card.name, point.start)
        assert sum(point.summary.n for point in card.trend) == expected.n
    open_now = Counter(a[0] for a in selected(conn, flt.response_filter(), open_only=True))
    assert storage.open_detractors_by_touchpoint(conn, flt.response_filter()) == dict(open_now), flt
    if flt.breakdown:
        expected_rows = plain_breakdown(conn, flt.breakdown, flt.response_filter())
        got = {
            row.value: (row.summary.promoters, row.summary.passives, row.summary.detractors)
            for row in view.breakdown.rows
        }
        assert len(got) + view.breakdown.hidden_values == len(expected_rows), flt
        assert got == {value: expected_rows[value] for value in got}, flt
        ranked = sorted(expected_rows.items(), key=lambda item: (item[0] is None, -sum(item[1]), item[0] or ""))
        assert [row.value for row in view.breakdown.rows] == [value for value, _ in ranked][: stats.BREAKDOWN_LIMIT]


def card_ids(touchpoints) -> set[int]:
    return {tp.id for tp in touchpoints}


# Every kind of view: periods (custom ones end or start mid-data), a
# touchpoint, a channel, no/one/two/three property filters (common, rare,
# quoted, absent values) and breakdowns (by another key, by a filter's own
# key).
VIEWS = [
    {},
    {"period": "7d"},
    {"period": "year", "by": "store"},
    {"period": "all", "by": "region"},
    {"period": "all", "p.segment": "business"},
    {"period": "30d", "p.store": 'Ø"st & co', "interval": "week"},
    {"period": "90d", "p.region": "sønderjylland", "by": "agent"},
    {"period": "90d", "p.segment": "public", "by": "segment"},
    {"period": "all", "p.region": "north", "p.segment": "private"},
    {"period": "all", "p.region": "north", "p.segment": "private", "by": "store"},
    {"period": "year", "p.region": "north", "p.segment": "private", "by": "region"},
    {"period": "90d", "p.store": 'Ø"st & co', "by": "segment", "interval": "week"},
    {"period": "all", "p.segment": "business", "by": "agent"},
    {"period": "30d", "p.agent": "agent-3", "p.store": "store-04"},
    {"period": "all", "p.agent": "agent-3", "p.region": "east", "p.segment": "public"},
    {"period": "90d", "p.region": "north", "p.segment": "business", "by": "agent"},
    {"period": "year", "p.agent": "agent-3", "p.region": "east", "p.segment": "public", "by": "store"},
    {"period": "all", "p.store": "store-04", "p.region": "east", "p.segment": "public", "by": "region"},
    {"period": "30d", "p.agent": "agent-3", "p.region": "east", "p.segment": "public", "p.store": "a b"},
    {"period": "all", "p.region": "west", "p.segment": "private", "p.store": "nowhere"},
    {"period": "90d", "p.agent": "nobody"},
    {"period": "90d", "by": "nothing"},
    {"period": "all", "channel": "link", "by": "segment", "interval": "month"},
    {"period": "all", "channel": "widget", "p.agent": "agent-3"},
    {
        "period": "custom",
        "since": (TODAY - timedelta(days=60)).isoformat(),
        "until": (TODAY - timedelta(days=20)).isoformat(),
        "by": "store",
    },
    {"period": "custom", "since": (TODAY - timedelta(days=45)).isoformat(), "p.store": "store-04", "interval": "week"},
]


def check_everything(conn, touchpoints) -> None:
    assert_counts_exact(conn)
    for args, tp in itertools.product(VIEWS, [None, touchpoints[1]]):
        query = {**args, **({"touchpoint": str(tp.id)} if tp else {})}
        flt, errors = filters.parse(query, today=TODAY, touchpoint_ids=card_ids(touchpoints))
        assert errors == []
        assert_overview_exact(conn, flt, touchpoints)


@pytest.fixture
def data(app, conn, make_touchpoint):
    touchpoints = [make_touchpoint(name) for name in ("checkout", "support", "delivery")]
    fill(conn, [tp.id for tp in touchpoints], 1500)
    with storage.transaction(conn):
        assert storage.roll_up_months(conn)  # as the hourly clean-up does: the months that are over
    return touchpoints


def test_the_overview_is_exact_on_many_property_values(conn, data):
    check_everything(conn, data)


def test_counts_follow_every_change_and_removal(conn, data):
    ids = [row[0] for row in conn.execute("SELECT id FROM responses ORDER BY id")]
    # A changed score, then a changed comment only (the score stays).
    for response_id in ids[:40]:
        storage.update_response(conn, response_id, score=(response_id * 7) % 11)
    storage.update_response(conn, ids[50], comment="Better now")
    # A ref answered again: score, channel and properties replaced.
    first = storage.get_response(conn, ids[60])
    storage.insert_response(
        conn, first["touchpoint_id"], 3, ref=first["ref"], channel="email", properties={"store": "store-01", "new": "x"}
    )
    storage.upsert_link_response(conn, first["touchpoint_id"], first["ref"], 9)
    # A visitor's second answer merged into the first: new score, channel and properties.
    visitor_first = storage.store_visitor_response(
        conn, data[0].id, 2, visitor="v1", since="2000-01-01T00:00:00Z", properties={"segment": "private"}
    )
    merged = storage.store_visitor_response(
        conn,
        data[0].id,
        10,
        visitor="v1",
        since="2000-01-01T00:00:00Z",
        channel="link",
        properties={"segment": "business", "region": "east"},
    )
    assert merged == visitor_first
    for response_id in ids[70:120]:
        storage.set_followup(conn, response_id, "contacted", "Called", "owner@example.com")
    for response_id in ids[100:110]:
        storage.set_followup(conn, response_id, None, None, "owner@example.com")  # open again
    storage.set_followup(conn, ids[111], "resolved", "Sorted", "owner@example.com")
    check_everything(conn, data)
    # Forget one customer's answers, then retention removes the oldest days.
    assert storage.forget_ref(conn, "ORDER-5") == 1
    storage.delete_responses_before(conn, _stamp(TODAY - timedelta(days=100), 43200))
    check_everything(conn, data)


def test_a_period_that_starts_within_a_day_reads_that_day_from_the_answers(conn, data):
    for days_ago, seconds, until in [(30, 43200, None), (10, 1, None), (0, 3600, None), (40, 80000, 35), (5, 100, 5)]:
        flt = storage.ResponseFilter(
            since=_stamp(TODAY - timedelta(days=days_ago), seconds),
            until=(TODAY - timedelta(days=until)).isoformat() if until is not None else None,
        )
        for properties in (
            None,
            {"segment": "business"},
            {"region": "east", "segment": "public"},
            {"region": "east", "segment": "public", "store": "store-01"},
        ):
            flt.properties = properties
            for interval in ("day", "week", "month"):
                got = sorted(storage.score_counts_by_period(conn, flt, interval), key=_key)
                assert got == sorted(plain_by_period(conn, flt, interval), key=_key), (flt, interval)
            for key in ("store", "segment", "absent"):
                assert storage.breakdown_counts(conn, key, flt) == plain_breakdown(conn, key, flt), (flt, key)
        expected = {tp: (s.promoters, s.passives, s.detractors) for tp, s in _by_touchpoint(conn, flt).items()}
        assert storage.category_counts_by_touchpoint(conn, flt) == expected


def test_days_before_a_day_add_up_into_one_period_by_day_and_by_month(conn, data):
    for since_days, before_days in [(150, 60), (140, 31), (None, 45), (120, 119)]:
        since = (TODAY - timedelta(days=since_days)).isoformat() if since_days else None
        before = (TODAY - timedelta(days=before_days)).isoformat()
        for properties in (None, {"segment": "business"}, {"region": "east", "segment": "public"}):
            flt = storage.ResponseFilter(since=since, properties=properties)
            for interval in ("week", "month", "all"):
                got = sorted(storage.score_counts_by_period(conn, flt, interval, before=before), key=_key)
                assert got == sorted(plain_by_period(conn, flt, interval, before), key=_key), (flt, interval, before)


def _by_touchpoint(conn, flt) -> dict[int, nps.Summary]:
    groups: dict[int, list] = {}
    for answer in selected(conn, flt):
        groups.setdefault(answer[0], []).append(answer)
    return {tp: summary(answers) for tp, answers in groups.items()}


def test_the_read_api_s_stats_match_the_answers(app, conn, data):
    from collector import api_keys

    with app.app_context():
        _, key = api_keys.create("reader", ("read",))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    for query, flt in [
        ("period=90d", storage.ResponseFilter(since=(TODAY - timedelta(days=89)).isoformat())),
        ("period=all&channel=link", storage.ResponseFilter(channel="link")),
    ]:
        body = client.get(f"/api/v1/stats?{query}", headers=headers).get_json()
        expected = _by_touchpoint(conn, flt)
        for card in body["touchpoints"]:
            found = expected.get(card["id"], nps.Summary())
            assert (card["n"], card["nps"]) == (found.n, found.nps)


def test_an_upgraded_database_counts_its_answers_once(tmp_path, capsys):
    fixture = Path(__file__).parent / "fixtures" / "anbefal-0.1.0.db"
    path = str(tmp_path / "old.db")
    shutil.copyfile(fixture, path)
    create_app({"TESTING": True, "DB": path})
    conn = storage.connect(path)
    try:
        err = capsys.readouterr().err
        assert "Counted 92 answers by property value." in err
        assert "Counted 92 answers by two property values." in err
        assert "Counted 92 answers by set of properties." in err
        assert stored(conn) and stored(conn) == rebuilt(conn)
        assert stored_pairs(conn) and stored_pairs(conn) == rebuilt_pairs(conn)
        assert stored_sets(conn) == rebuilt_sets(conn)
        kept, counted = open_days(conn)
        assert kept and kept == counted
        storage.insert_response(conn, 1, 4, properties={"segment": "business"})
        storage.insert_response(conn, 1, 2, properties={"segment": "business", "store": "Oslo", "agent": "ann"})
        assert stored_sets(conn)
        assert_counts_exact(conn)
    finally:
        conn.close()
        storage.close_connections()


def test_the_build_at_upgrade_counts_in_steps(conn, data, monkeypatch, capsys):
    from collector.storage import property_days

    expected = rebuilt(conn)
    conn.execute("DELETE FROM response_property_days")
    monkeypatch.setattr(property_days, "BUILD_STEP", 100)
    import sqlite_utils

    property_days.build(sqlite_utils.Database(conn))
    assert stored(conn) == expected
    assert "1,500 of 1,500" in capsys.readouterr().err


def test_a_restored_backup_keeps_its_counts(conn, data, tmp_path):
    copy = str(tmp_path / "backup.db")
    storage.backup_database(conn, copy)
    restored = storage.connect(copy)
    try:
        assert stored(restored) == rebuilt(restored) == rebuilt(conn)
        assert stored_pairs(restored) == rebuilt_pairs(restored) == rebuilt_pairs(conn)
        assert stored_sets(restored) == rebuilt_sets(restored) == rebuilt_sets(conn) != {}
    finally:
        restored.close()


def test_two_and_more_property_conditions_read_the_counts_not_the_answers(conn, data):
    tables: set[str] = set()

    def note_reads(action, table, _column, _db, _trigger):
        if action == sqlite3.SQLITE_READ:
            tables.add(table)
        return sqlite3.SQLITE_OK

    since = (TODAY - timedelta(days=89)).isoformat()
    two = storage.ResponseFilter(since=since, properties={"region": "north", "segment": "private"})
    one = storage.ResponseFilter(since=since, properties={"segment": "business"})
    three = storage.ResponseFilter(properties={"region": "north", "segment": "private", "agent": "agent-3"})
    conn.set_authorizer(note_reads)
    try:
        storage.score_counts_by_period(conn, replace(two, since=None), "month")
        storage.score_counts_by_period(conn, two, "week")
        storage.open_detractors_by_touchpoint(conn, two)
        storage.breakdown_counts(conn, "store", one)
        storage.breakdown_counts(conn, "region", two)
        storage.score_counts_by_period(conn, three, "month")
        storage.score_counts_by_period(conn, replace(three, since=since), "week")
        storage.open_detractors_by_touchpoint(conn, three)
        storage.breakdown_counts(conn, "store", two)
        storage.breakdown_counts(conn, "store", replace(three, since=since))
    finally:
        conn.set_authorizer(None)
    assert {
        "response_property_pair_days",
        "response_property_pair_months",
        "response_property_months",
        "response_property_set_days",
        "response_property_set_months",
        "property_set_values",
    } <= tables
    assert "responses" not in tables


answer = st.tuples(
    st.integers(0, 1),  # touchpoint
    st.integers(0, 10),
    st.integers(0, 45),  # days ago: this month and the one before (rolled up)
    st.sampled_from(["widget", "link"]),
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["x", "y", "é z", '"q"']), max_size=4),
)
change = st.one_of(
    st.tuples(st.just("score"), st.integers(0, 30), st.integers(0, 10)),
    st.tuples(st.just("again"), st.integers(0, 30), answer),
    st.tuples(st.just("forget"), st.integers(0, 30)),
    st.tuples(st.just("retention"), st.integers(0, 45)),
    st.tuples(st.just("followup"), st.integers(0, 30), st.sampled_from([None, "contacted", "resolved"])),
)


@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(answer, min_size=1, max_size=25), st.lists(change, max_size=8))
def test_random_answers_and_changes_keep_the_counts_exact(tmp_path_factory, answers, changes):
    path = str(tmp_path_factory.mktemp("random") / "anbefal.db")
    conn = storage.connect(path)
    try:
        storage.migrate(conn)
        tps = [storage.insert_touchpoint(conn, name).id for name in ("a", "b")]

        def store(i: int, item) -> None:
            tp, score, days_ago, channel, properties = item
            stamp = _stamp(TODAY - timedelta(days=days_ago), 3600)
            storage.insert_response(
                conn, tps[tp], score, ref=f"R{i}", channel=channel, properties=properties, created_at=stamp
            )

        for i, item in enumerate(answers):
            store(i, item)
        with storage.transaction(conn):
            storage.roll_up_months(conn)
        for step in changes:
            if step[0] == "score":
                storage.update_response(conn, step[1] + 1, score=step[2])
            elif step[0] == "again":
                store(step[1] % len(answers), step[2])
            elif step[0] == "followup":
                storage.set_followup(conn, step[1] + 1, step[2], None, "owner@example.com")
            elif step[0] == "forget":
                storage.forget_ref(conn, f"R{step[1]}")
            else:
                storage.delete_responses_before(conn, _stamp(TODAY - timedelta(days=step[1]), 0))
            assert_counts_exact(conn)
        for key in ("a", "b", "c"):
            for flt in (
                storage.ResponseFilter(),
                storage.ResponseFilter(properties={"a": "x"}),
                storage.ResponseFilter(properties={"c": "é z"}),
                storage.ResponseFilter(properties={"a": "x", "b": '"q"'}),
                storage.ResponseFilter(properties={"a": "x", "b": "y", "d": "x"}),
            ):
                assert storage.breakdown_counts(conn, key, flt) == plain_breakdown(conn, key, flt)
    finally:
        conn.close()


def test_a_bulk_load_counts_at_the_end_and_the_triggers_count_again(conn, make_touchpoint, capsys):
    touchpoints = [make_touchpoint(name) for name in ("checkout", "support")]
    with storage.bulk_load(conn):
        fill(conn, [tp.id for tp in touchpoints], 300)
        assert stored(conn) == {}
    assert stored(conn) == rebuilt(conn) != {}
    assert "Counted 300 answers by property value." in capsys.readouterr().err
    storage.insert_response(conn, touchpoints[0].id, 9, properties={"segment": "business"})
    storage.update_response(conn, 1, score=0)
    assert_counts_exact(conn)


def test_forgetting_a_customer_leaves_none_of_their_property_values(conn, data):
    stamp = _stamp(TODAY - timedelta(days=40), 3600)  # a month that has ended and is rolled up
    private = {"email": "kari@example.com", "store": "store-01", "segment": "private", "agent": "agent-3"}
    for score in (3, 9):
        storage.insert_response(conn, data[0].id, score, ref=f"SECRET-{score}", properties=private, created_at=stamp)
    storage.insert_response(conn, data[1].id, 5, ref="SECRET-5", properties={"email": "kari@example.com"})

    def holding_it() -> list[str]:
        found = []
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")
        for (table,) in tables.fetchall():
            if any("kari@example.com" in str(tuple(row)) for row in conn.execute(f'SELECT * FROM "{table}"')):
                found.append(table)
        return found

    assert {"responses", "response_property_days", "property_sets", "response_property_pair_months"} <= set(
        holding_it()
    )
    for score in (3, 9, 5):
        assert storage.forget_ref(conn, f"SECRET-{score}") == 1
    assert holding_it() == []
    assert_counts_exact(conn)
    check_everything(conn, data)


def test_forgetting_an_answer_of_a_month_not_rolled_up_yet_leaves_nothing_of_it(conn, data):
    """Stored on a month's last day, forgotten the next morning before the
    hourly clean-up added that month up: its deletion took from the month's
    rows, which then named the value with a -1."""
    last_day = TODAY.replace(day=1) - timedelta(days=1)
    month = last_day.replace(day=1).isoformat()
    with storage.transaction(conn):
        conn.execute("DELETE FROM rollup_months WHERE month = ?", (month,))
        # As on that day: the month had not ended, and its triggers did nothing.
        month_triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_to_month_insert'"
        ).fetchall()
        for name, _ in month_triggers:
            conn.execute(f"DROP TRIGGER {name}")
        private = {"email": "kari@example.com", "segment": "private", "store": "store-01"}
        storage.insert_response(
            conn, data[0].id, 3, ref="SECRET", properties=private, created_at=_stamp(last_day, 86000)
        )
        for _, sql in month_triggers:
            conn.execute(sql)
    assert storage.forget_ref(conn, "SECRET") == 1
    for table in ("response_property_months", "response_property_pair_months", "response_property_set_months"):
        assert (
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE min({', '.join(COUNT_COLUMNS)}) < 0").fetchone()[0] == 0
        )
    assert (
        conn.execute("SELECT COUNT(*) FROM response_property_days WHERE value = 'kari@example.com'").fetchone()[0] == 0
    )
    assert (
        conn.execute("SELECT COUNT(*) FROM response_property_months WHERE value = 'kari@example.com'").fetchone()[0]
        == 0
    )
    assert_counts_exact(conn)
