"""The benchmark's own parts: wrk's summary is read right, the bare
baseline stores what it is sent, and the table is rendered whole."""

from __future__ import annotations

import json

from bench import __main__ as bench_main
from bench import bare_app, ingest

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40123
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.96ms    3.38ms  33.03ms   83.44%
    Req/Sec   620.11    120.70     1.98k    72.50%
  Latency Distribution
     50%   12.31ms
     75%   14.97ms
     90%   18.57ms
     99%    1.02s
  6203 requests in 5.01s, 2.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1238.19
Transfer/sec:      0.42MB
"""


def test_wrk_summary_is_parsed():
    result = ingest.parse_wrk(WRK_OUTPUT, 16)
    assert result.connections == 16
    assert result.requests == 6203
    assert result.rps == 1238.19
    assert result.p50_ms == 12.31
    assert result.p99_ms == 1020.0
    assert result.non2xx == 4
    assert result.errors == 4 + 2 + 1


def test_median_of_runs():
    runs = [
        ingest.Result("x", 16, 100, rps, p50, p99, errors)
        for rps, p50, p99, errors in [(900, 10, 30, 0), (1200, 8, 20, 1), (1000, 9, 25, 0)]
    ]
    combined = ingest.median_result("x", runs)
    assert (combined.rps, combined.p50_ms, combined.p99_ms) == (1000, 9, 25)
    assert combined.errors == 1 and combined.requests == 300


def test_bare_app_inserts_one_row_per_post(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DB", str(tmp_path / "bare.db"))
    client = bare_app.create_app().test_client()
    for n in range(3):
        response = client.post("/api/v1/responses", data=json.dumps({"score": n, "ref": f"r{n}"}))
        assert response.status_code == 201
        assert response.get_json() == {"id": n + 1}
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_table_shows_ratios_and_verdicts():
    results = [
        ingest.Result("anbefal", 16, 1000, 1200.0, 12.0, 30.0, 0),
        ingest.Result("bare flask", 16, 1000, 1800.0, 8.0, 20.0, 0),
    ]
    checks = [ingest.Check("anbefal", 1000, 1003), ingest.Check("bare flask", 1000, 998)]
    rows, verdicts = bench_main.ingest_rows(results, checks)
    table = bench_main.markdown(rows)
    assert "67% of req/s" in table
    assert "met: >= 60% of bare at 16 conns" in verdicts
    assert "met: p99 < 50 ms at 16 conns" in verdicts
    assert "MISSED: bare flask stored fewer rows than it acknowledged" in verdicts
    assert all(line.startswith("| ") for line in table.splitlines() if not line.startswith("|-"))


def test_the_widget_rows_report_the_bytes_the_server_sends(client):
    rows = {row[1]: row[2] for row in bench_main.widget_rows()}
    plain = client.get("/anbefal.js", headers={"Accept-Encoding": "identity"}).data
    gzipped = client.get("/anbefal.js", headers={"Accept-Encoding": "gzip"}).data
    brotli = client.get("/anbefal.js", headers={"Accept-Encoding": "br"}).data
    assert rows["anbefal.js plain"] == f"{len(plain)} B"
    assert rows["anbefal.js gzip"] == f"{len(gzipped)} B"
    assert rows["anbefal.js brotli"] == f"{len(brotli)} B"


def test_a_run_where_no_request_came_back_has_no_latency():
    out = WRK_OUTPUT.split("  Latency Distribution")[0] + "  0 requests in 3.01s, 0.00B read\nRequests/sec:      0.00\n"
    result = ingest.parse_wrk(out, 16)
    assert (result.requests, result.rps) == (0, 0.0)
    assert result.p50_ms != result.p50_ms and result.p99_ms != result.p99_ms  # NaN


def test_webhook_modes_add_their_servers_each_with_its_database(tmp_path):
    names = [spec[0] for spec in ingest.servers(tmp_path, "both")]
    assert names == ["anbefal", "anbefal + outbox only", "anbefal + webhook", "bare flask"]
    assert len({spec[3] for spec in ingest.servers(tmp_path, "both")}) == 4
    assert [spec[0] for spec in ingest.servers(tmp_path, "send")] == ["anbefal", "anbefal + webhook", "bare flask"]
    assert [spec[0] for spec in ingest.servers(tmp_path)] == ["anbefal", "bare flask"]


def test_the_events_line_says_what_was_sent_during_the_runs_and_after():
    line = ingest._events({"delivered": 90, "pending": 0}, 90, during=60, drained=12.4)
    assert line == (
        "events: 90 queued (90 delivered, 0 pending); the receiver got 90, "
        "60 of them during the runs; the rest within 12 s after"
    )
    assert ingest._events({"pending": 5}, 0) == "events: 5 queued (5 pending); the receiver got 0"
