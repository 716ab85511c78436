"""The admin benchmark runs end to end on a small database: it fills it,
logs in, times every page it names and exports every row (no timing is
asserted here; the figures are for `make bench`)."""

from __future__ import annotations

import pytest

from bench import admin as bench_admin
from collector import storage

pytestmark = pytest.mark.slow


def test_the_admin_benchmark_measures_every_figure(tmp_path):
    db = str(tmp_path / "bench.db")
    table = bench_admin.run(rows=3000, runs=1, db=db)
    figures = {what: (figure, details) for what, figure, details in table}
    assert figures["database"][0] == "3,000 responses"
    for page in ("overview, last 90 days", "overview, all time", "comments, newest first", "comments, search"):
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
    finally:
        conn.close()
