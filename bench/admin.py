"""Admin benchmark: the overview, the comments page and a full CSV export
against a database of 1,000,000 responses.

Fills a fresh database with answers across 5 touchpoints over two years
(comments on about a third, properties on all, follow-up on some
detractors, driver ratings on a third: three drivers per touchpoint, so the
overview draws an action matrix for each), then measures through the real app with a logged-in test
client: the server time of the overview and of the comments page (median of
several runs), and the time and peak memory of a full CSV export (in a
subprocess of its own, so its peak resident memory is the export's, from
Linux's VmHWM, counted from just before the download).

    python -m bench.admin [--rows 1000000] [--runs 7] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROWS = 1_000_000
DAYS = 730
RUNS = 7
BATCH = 100_000

TOUCHPOINTS = [("checkout", 40), ("invoice", 30), ("delivery", 45), ("support", 50), ("returns", 20)]
DEPARTMENTS = ["north", "south", "east", "west", "online", "sønderjylland"]
SEGMENTS = ["private", "business"]
COMMENTS = [
    "Pakken kom for sent, og ingen sagde noget.",
    "Quick delivery and friendly support!",
    "Fakturaen var svær at forstå.",
    "Helt ok, men fragten er dyr.",
    "Kjempefornøyd, rask levering.",
    "Checkout kept asking for my address again.",
    '=HYPERLINK("http://example.com")',
]

# The targets this benchmark is held to.
OVERVIEW_MS = 300.0
COMMENTS_MS = 100.0
EXPORT_ROWS_PER_S = 100_000
EXPORT_PEAK_MB = 150.0

# Each touchpoint's drivers, and how much each moves the score (the rest is noise).
DRIVERS = [("delivery", 0.9), ("price", 0.2), ("staff", 0.5)]

EMAIL = "bench@example.com"
PASSWORD = "bench-password-1234"


def progress(text: str) -> None:
    """Rewrite one status line on standard error."""
    sys.stderr.write("\r" + text.ljust(70))
    sys.stderr.flush()


def generate(touchpoint_ids: list[int], rows: int, seed: int = 20261125) -> Iterator[tuple]:
    """Yield response rows in time order, as storage.insert_responses_bulk takes them."""
    rng = random.Random(seed)
    end = int(datetime.now(UTC).timestamp())
    span = DAYS * 86400
    start = end - span
    step = span / rows
    # Written once each: the few property sets and days there are (10,000,000 rows in minutes, not an hour).
    properties = {
        (agent, department, segment): json.dumps(
            {"agent": f"agent-{agent:02d}", "department": department, "segment": segment}, ensure_ascii=False
        )
        for agent in range(40)
        for department in DEPARTMENTS
        for segment in SEGMENTS
    }
    days: dict[int, str] = {}
    for i in range(rows):
        moment = start + int(i * step + rng.random() * step)
        age = (end - moment) / span
        score = max(0, min(10, round(rng.gauss(7.0 + (1 - age) * 1.5, 2.3))))
        tp = touchpoint_ids[i % len(touchpoint_ids)]
        comment = rng.choice(COMMENTS) if rng.random() < 0.3 else None
        chosen = properties[rng.randrange(40), rng.choice(DEPARTMENTS), rng.choice(SEGMENTS)]
        day, seconds = divmod(moment, 86400)
        if day not in days:
            days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")
        hours, seconds = divmod(seconds, 3600)
        stamp = f"{days[day]}T{hours:02d}:{seconds // 60:02d}:{seconds % 60:02d}Z"  # timestamps.FORMAT
        followup: tuple[str | None, ...] = (None, None, None, None)
        if score <= 6 and age > 0.05 and rng.random() < 0.8:
            followup = ("resolved", "Called, sorted out.", "support@example.com", stamp)
        yield (
            tp,
            score,
            comment,
            f"ORDER-{i}",
            "link" if i % 4 == 0 else "widget",
            "da-DK",
            "https://shop.example/checkout",
            chosen,
            stamp,
            *followup,
        )


def ratings(batch: list[tuple], first_id: int, rng: random.Random) -> Iterator[tuple[int, dict[int, int]]]:
    """Driver ratings for every third answer of *batch* (whose ids start at
    *first_id*): each rating follows the score as much as its weight says."""
    for offset, row in enumerate(batch):
        response_id = first_id + offset
        if response_id % 3:
            continue
        score = row[1]
        yield (
            response_id,
            {
                slot: max(1, min(5, round(1 + weight * score * 0.4 + (1 - weight) * rng.uniform(0, 4))))
                for slot, (_key, weight) in enumerate(DRIVERS, start=1)
            },
        )


def fill(db: str, rows: int = ROWS) -> None:
    """Create the touchpoints, a login and *rows* responses in *db*."""
    from collector import create_app, storage

    app = create_app({"DB": db, "SECRET_KEY": "bench"})
    conn = storage.connect(app.config["DB"])
    try:
        ids = [storage.insert_touchpoint(conn, name, target_nps=target).id for name, target in TOUCHPOINTS]
        for tp in ids:
            for key, _weight in DRIVERS:
                storage.add_driver(conn, tp, key, key.title(), f"How was the {key}?")
        _add_user(conn)
        source = generate(ids, rows)
        rng = random.Random(14)
        done = 0
        started = time.monotonic()
        # The tables derived from the answers are made at the end, as an upgrade makes them.
        with storage.bulk_load(conn):
            while done < rows:
                batch = [row for _, row in zip(range(min(BATCH, rows - done)), source, strict=False)]
                first = done + 1  # a fresh database numbers the answers from 1, in order
                done += storage.insert_responses_bulk(conn, batch)
                storage.insert_ratings_bulk(conn, list(ratings(batch, first, rng)))
                rate = done / max(time.monotonic() - started, 1e-9)
                progress(f"filling {db}: {done:,} of {rows:,} responses ({rate:,.0f}/s)")
            sys.stderr.write("\n")
        progress(f"filled {rows:,} responses in {time.monotonic() - started:.0f} s; analysing")
        storage.analyse(conn)
        sys.stderr.write("\n")
    finally:
        conn.close()
        storage.close_connections()


def _read_api_key(app) -> dict[str, str]:
    """Headers with a new API key that may read (for GET /api/v1/stats)."""
    from collector import api_keys

    with app.app_context():
        # A name of its own per run: a kept database (--db) has the earlier runs' keys.
        _, key = api_keys.create(f"bench-{time.time_ns()}", ("read",))
    return {"Authorization": f"Bearer {key}"}


def _add_user(conn) -> None:
    """Create the benchmark's login."""
    from admin import users

    users.add_user(conn, EMAIL, PASSWORD)


def logged_in_client(app):
    """A test client with a session, logged in through the real login form."""
    import re

    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    data = {"email": EMAIL, "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1) or token.group(2)
    response = client.post("/admin/login", data=data)
    if response.status_code not in (302, 303):
        raise RuntimeError(f"login failed with {response.status_code}")
    return client


def time_page(client, url: str, runs: int, headers: dict[str, str] | None = None) -> tuple[float, int, float]:
    """Median server time of GET *url* in ms (after one warm-up), its size, and
    the median CPU time in ms: the app and SQLite run in this process, so that
    one moves little with other work on the machine."""
    size = 0
    times = []
    cpu = []
    for i in range(runs + 1):
        started = time.perf_counter()
        cpu_started = time.process_time()
        response = client.get(url, headers=headers)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        size = len(body)
        if i:
            times.append(elapsed)
            cpu.append(cpu_ms)
    return statistics.median(times), size, statistics.median(cpu)


def _peak_rss_mb() -> float:
    """This process's peak resident memory in MB (VmHWM: unlike ru_maxrss it
    does not start from the parent's size at the fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> None:
    """Start the peak over (Linux: writing 5 to clear_refs), so that the
    login's password hashing (scrypt takes 32 MB) is not counted."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def export_child(db: str, url: str) -> None:
    """Run in a subprocess: stream the export, print rows, seconds and peak RSS."""
    from collector import create_app

    app = create_app({"DB": db, "SECRET_KEY": "bench"})
    client = logged_in_client(app)
    _reset_peak_rss()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    lines = 0
    size = 0
    for chunk in response.response:
        lines += chunk.count(b"\n")
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    result = {"lines": lines, "bytes": size, "seconds": elapsed, "cpu_seconds": cpu, "peak_mb": _peak_rss_mb()}
    print(json.dumps(result))


def matrix_figures(db: str, runs: int) -> list[tuple[str, str, str]]:
    """What the action matrices of every touchpoint cost the overview on their own (median ms)."""
    from datetime import date, timedelta

    from collector import matrix, storage

    conn = storage.connect(db)
    try:
        ids = [tp.id for tp in storage.list_touchpoints(conn)]
        figures = []
        for what, since in (("90 days", (date.today() - timedelta(days=89)).isoformat()), ("all time", None)):
            flt = storage.ResponseFilter(since=since)
            times = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                found = matrix.for_touchpoints(conn, ids, flt, 30)
                times.append((time.perf_counter() - started) * 1000)
            answers = sum(m.n for m in found.values())
            figures.append(
                (
                    f"action matrices alone, {what}",
                    f"{statistics.median(times[1:]):.1f} ms",
                    f"median of {runs}: {len(found)} touchpoints, {answers:,} answers with ratings, from per-day sums",
                )
            )
        return figures
    finally:
        conn.close()


def measure(db: str, runs: int = RUNS, export: bool = True) -> list[tuple[str, str, str]]:
    from collector import create_app

    app = create_app({"DB": db, "SECRET_KEY": "bench"})
    # A database kept from an earlier run: add up the months that have ended
    # since, as a running server's hourly clean-up would.
    from collector import storage

    conn = storage.connect(db)
    with storage.transaction(conn):
        storage.roll_up_months(conn)
    conn.close()
    client = logged_in_client(app)
    api_key = _read_api_key(app)
    rows: list[tuple[str, str, str]] = []
    verdicts: list[tuple[str, str, str]] = []

    def page(what: str, url: str, target: float | None, headers: dict[str, str] | None = None) -> None:
        progress(f"timing {url}")
        ms, size, cpu = time_page(client, url, runs, headers)
        rows.append((what, f"{ms:.0f} ms", f"median of {runs}, CPU {cpu:.0f} ms, {size // 1024} KiB, GET {url}"))
        if target is not None:
            verdicts.append((what, "met" if ms < target else "MISSED", f"< {target:.0f} ms"))

    page("overview, last 90 days", "/admin/", OVERVIEW_MS)
    page("overview, this year", "/admin/?period=year", OVERVIEW_MS)
    page("overview, all time", "/admin/?period=all", OVERVIEW_MS)
    page("overview, 90 days, by department", "/admin/?period=90d&by=department", OVERVIEW_MS)
    page("overview, 90 days, segment=business", "/admin/?period=90d&p.segment=business", OVERVIEW_MS)
    page("overview, all time, NPS by agent", "/admin/?period=all&by=agent", OVERVIEW_MS)
    page("overview, all time, segment=business", "/admin/?period=all&p.segment=business", OVERVIEW_MS)
    page("overview, all time, agent=agent-07 (one in forty)", "/admin/?period=all&p.agent=agent-07", OVERVIEW_MS)
    # Two property conditions: the counts by two property values.
    page(
        "overview, 90 days, segment=business, by department",
        "/admin/?period=90d&p.segment=business&by=department",
        OVERVIEW_MS,
    )
    page(
        "overview, 90 days, department=north and segment=business",
        "/admin/?period=90d&p.department=north&p.segment=business",
        OVERVIEW_MS,
    )
    page(
        "overview, all time, segment=business, by agent", "/admin/?period=all&p.segment=business&by=agent", OVERVIEW_MS
    )
    # Three or more: the counts by set of properties.
    page(
        "overview, 90 days, three property filters",
        "/admin/?period=90d&p.agent=agent-07&p.department=north&p.segment=business",
        OVERVIEW_MS,
    )
    page(
        "overview, all time, three property filters",
        "/admin/?period=all&p.agent=agent-07&p.department=north&p.segment=business",
        OVERVIEW_MS,
    )
    page(
        "overview, all time, department=north and segment=business, by agent",
        "/admin/?period=all&p.department=north&p.segment=business&by=agent",
        OVERVIEW_MS,
    )
    page("GET /api/v1/stats, this year", "/api/v1/stats?period=year", OVERVIEW_MS, api_key)
    rows += matrix_figures(db, runs)
    page("comments, newest first", "/admin/comments", COMMENTS_MS)
    page("comments, search", "/admin/comments?q=levering", COMMENTS_MS)
    page("comments, detractors this year", "/admin/comments?period=year&category=detractor", COMMENTS_MS)

    if not export:
        return rows + [(f"target: {what}", verdict, target) for what, verdict, target in verdicts]
    progress("exporting every row as CSV")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from bench.admin import export_child; export_child({db!r}, {'/admin/export?period=all'!r})",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    sys.stderr.write("\n")
    if done.returncode != 0:
        raise RuntimeError(f"export failed: {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    exported = result["lines"] - 1  # the header
    rate = exported / result["seconds"]
    rows.append(
        (
            "export CSV, all rows",
            f"{rate:,.0f} rows/s",
            f"{exported:,} rows, {result['bytes'] / 2**20:.0f} MiB in {result['seconds']:.1f} s "
            f"({exported / result['cpu_seconds']:,.0f} rows per CPU second), peak RSS {result['peak_mb']:.0f} MB",
        )
    )
    verdicts.append(("export rows/s", "met" if rate >= EXPORT_ROWS_PER_S else "MISSED", f">= {EXPORT_ROWS_PER_S:,}"))
    verdicts.append(
        ("export peak memory", "met" if result["peak_mb"] < EXPORT_PEAK_MB else "MISSED", f"< {EXPORT_PEAK_MB:.0f} MB")
    )
    return rows + [(f"target: {what}", verdict, target) for what, verdict, target in verdicts]


def run(rows: int = ROWS, runs: int = RUNS, db: str | None = None, export: bool = True) -> list[tuple[str, str, str]]:
    """Fill a database (unless *db* exists already) and measure; rows of (what, figure, details)."""
    with tempfile.TemporaryDirectory(prefix="anbefal-bench-") as tmp:
        path = db or os.path.join(tmp, "admin.db")
        if not os.path.exists(path):
            started = time.monotonic()
            fill(path, rows)
            filled = time.monotonic() - started
        else:
            filled = None
        figures = measure(path, runs, export)
        from collector import storage

        conn = storage.connect(path)
        count = storage.count_responses(conn)
        conn.close()
        size = os.path.getsize(path) / 2**20
        filled_in = f", filled in {filled:.0f} s" if filled else ""
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        head = [
            ("database", f"{count:,} responses", f"5 touchpoints over {DAYS} days{filled_in}"),
            ("database file", f"{size:,.0f} MiB", path),
            ("machine load", load, "load average (1, 5, 15 min) after measuring; other work slows every figure"),
        ]
        return head + figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.admin", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="responses to fill in (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per page (median reported)")
    parser.add_argument("--db", help="use (or fill, if missing) this database file and keep it")
    parser.add_argument(
        "--no-export", action="store_true", help="leave out the CSV export (minutes at 10,000,000 rows)"
    )
    args = parser.parse_args(argv)
    table = run(args.rows, args.runs, args.db, not args.no_export)
    width = max(len(row[0]) for row in table)
    for what, figure, details in table:
        print(f"{what:<{width}}  {figure:>16}  {details}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
