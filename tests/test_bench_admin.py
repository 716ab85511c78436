"""The admin benchmark runs end to end on a small database: it fills it,
logs in, times every page it names and exports every row (no timing is
asserted here; the figures are for `make bench`)."""

from __future__ import annotations

import pytest

from bench import admin as bench_admin
from collector import storage
from collector.storage.property_days import COUNT_COLUMNS

pytestmark = pytest.mark.slow


def test_the_admin_benchmark_measures_every_figure(tmp_path):
    db = str(tmp_path / "bench.db")
    table = bench_admin.run(rows=3000, runs=1, db=db)
    figures = {what: (figure, details) for what, figure, details in table}
    assert figures["database"][0] == "3,000 responses"
    assert figures["database file"][0].endswith(" MiB")
    for page in (
        "overview, last 90 days",
        "overview, all time",
        "overview, all time, NPS by agent",
        "overview, 90 days, department=north and segment=business",
        "GET /api/v1/stats, this year",
        "comments, newest first",
        "comments, search",
    ):
        assert figures[page][0].endswith(" ms"), page
    figure, details = figures["export CSV, all rows"]
    assert figure.endswith("rows/s") and details.startswith("3,000 rows")
    assert {figures[f"target: {what}"][0] for what in ("export rows/s", "export peak memory")} <= {"met", "MISSED"}
    conn = storage.connect(db)
    try:
        # Two years of answers, with comments and follow-up on some.
        rows = list(storage.iter_export_rows(conn))
        assert len(rows) == 3000
        assert rows[-1]["created_at"] > rows[0]["created_at"]
        assert any(row["comment"] for row in rows) and any(row["followup_status"] for row in rows)
        # Filled with the counts by property value made at the end: one per answer and property.
        counted = conn.execute(f"SELECT SUM({' + '.join(COUNT_COLUMNS[:11])}) FROM response_property_days")
        assert counted.fetchone()[0] == 3 * 3000
    finally:
        conn.close()
