"""Run every benchmark and print one table: `python -m bench` (or `make bench`).

- ingest: Anbefal's POST /api/v1/responses against a bare Flask app, both
  under gunicorn with the shipped settings, driven by wrk (bench/ingest.py);
- widget: the size of the widget script as served: its source, minified, gzipped and brotli;
- admin: the figures of bench/admin.py, when it is there: its `run()` returns
  rows of (what, value[, details]) or a dict; without run(), what
  `python -m bench.admin` prints is shown line by line.

The table is also written to bench/results/latest.md (and .json).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import ingest

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = RESULTS.parent.parent
# The targets the ingest benchmark is held to.
MIN_RATIO = 0.60
MAX_P99_MS_AT_16 = 50.0


def machine() -> str:
    """One line naming the machine and the software versions measured."""
    import gunicorn

    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    except (OSError, IndexError):
        wrk = "not installed"
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, gunicorn {gunicorn.__version__}, wrk {wrk}"
    )


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (others' work shares its cores)."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def widget_rows() -> list[list[str]]:
    from collector.embed import widget_asset

    asset = widget_asset()
    return [
        ["widget", "anbefal.js source", f"{len(asset.source)} B", "widget/anbefal.js, readable"],
        ["widget", "anbefal.js plain", f"{len(asset.body)} B", "minified, as sent without compression"],
        ["widget", "anbefal.js gzip", f"{len(asset.gzipped)} B", "as sent to a browser that accepts gzip (zopfli)"],
        ["widget", "anbefal.js brotli", f"{len(asset.brotli)} B", "as sent to a browser that accepts br"],
    ]


def admin_rows(rows: int | None = None) -> list[list[str]]:
    if importlib.util.find_spec("bench.admin") is None:
        return [["admin", "not run", "bench/admin.py is not there", ""]]
    module = importlib.import_module("bench.admin")
    if not hasattr(module, "run"):
        # A script of its own: run it and show what it prints, line by line.
        done = subprocess.run(
            [sys.executable, "-m", "bench.admin"], capture_output=True, text=True, timeout=300, cwd=ROOT
        )
        lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
        if done.returncode != 0:
            lines.append(f"exited with {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
        return [["admin", line, "", ""] for line in lines] or [["admin", "not run", "printed nothing", ""]]
    figures = module.run(rows) if rows else module.run()
    items = figures.items() if isinstance(figures, dict) else figures
    return [["admin", *[str(part) for part in item], *[""] * (3 - len(item))][:4] for item in items]


def ingest_rows(results: list[ingest.Result], checks: list[ingest.Check]) -> tuple[list[list[str]], list[str]]:
    rows = []
    verdicts = []
    by_key = {(r.server, r.connections): r for r in results}
    for r in results:
        rows.append(
            [
                f"ingest {r.server}",
                f"{r.connections} conns",
                f"{r.rps:.0f} req/s",
                f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, {r.errors} errors",
            ]
        )
    for count in sorted({r.connections for r in results}):
        ours, bare = by_key.get(("anbefal", count)), by_key.get(("bare flask", count))
        if ours and bare:
            ratio = ours.rps / bare.rps
            rows.append(["ingest anbefal / bare", f"{count} conns", f"{ratio:.0%} of req/s", ""])
            verdicts.append(f"{'met' if ratio >= MIN_RATIO else 'MISSED'}: >= {MIN_RATIO:.0%} of bare at {count} conns")
        for name in ingest.WEBHOOK_SERVERS.values():
            with_webhook = by_key.get((name, count))
            if ours and with_webhook:
                ratio = with_webhook.rps / ours.rps
                rows.append([f"ingest {name} / anbefal", f"{count} conns", f"{ratio:.0%} of req/s", ""])
    if ("anbefal", 16) in by_key:
        p99 = by_key["anbefal", 16].p99_ms
        verdicts.append(f"{'met' if p99 < MAX_P99_MS_AT_16 else 'MISSED'}: p99 < {MAX_P99_MS_AT_16:.0f} ms at 16 conns")
    errors = sum(r.errors for r in results)
    verdicts.append(f"{'met' if errors == 0 else 'MISSED'}: zero errors ({errors})")
    for check in checks:
        ok = check.stored >= check.acknowledged
        rows.append(
            [
                f"ingest {check.server}",
                "stored",
                f"{check.stored} rows",
                f"{check.acknowledged} acknowledged{'' if ok else ' (ANSWERS LOST)'}",
            ]
        )
        if not ok:
            verdicts.append(f"MISSED: {check.server} stored fewer rows than it acknowledged")
        if check.events:
            rows.append([f"ingest {check.server}", "webhooks", check.events, ""])
    return rows, verdicts


def markdown(rows: list[list[str]]) -> str:
    header = ["benchmark", "case", "figure", "details"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=ingest.DURATION, help="seconds per ingest run")
    parser.add_argument(
        "--webhook",
        nargs="?",
        const="both",
        choices=sorted(ingest.WEBHOOK_MODES),
        help="also measure Anbefal with one webhook endpoint: sending (send), paused (queue), or both (the default)",
    )
    parser.add_argument("--rows", type=int, help="answers in the admin benchmark's database (default 1,000,000)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    load_before = load_average()
    rows: list[list[str]] = []
    verdicts: list[str] = []
    results: list[ingest.Result] = []
    checks: list[ingest.Check] = []
    try:
        results, checks = ingest.run(duration=args.duration, webhook=args.webhook)
        ingest_rows_, verdicts = ingest_rows(results, checks)
        rows += ingest_rows_
    except RuntimeError as exc:  # wrk missing, a server that does not start
        rows.append(["ingest", "not run", str(exc).splitlines()[0], ""])
        verdicts.append("MISSED: the ingest benchmark did not run")
    rows += widget_rows()
    rows += admin_rows(args.rows)

    table = markdown(rows)
    head = f"Anbefal benchmarks, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\nMachine: {machine()}"
    notes = (
        f"Ingest: {ingest.WORKERS} gunicorn workers (shipped settings, gthread x 4 threads) per server, "
        f"median of {ingest.REPEATS} runs of {args.duration} s each, the servers taking turns, "
        f"after a {ingest.WARMUP} s warm-up; wrk on the same cores, "
        "every request with a ref of its own, ANBEFAL_RATELIMIT=off."
        + (
            "".join(
                f" {ingest.WEBHOOK_SERVERS[mode]}: one webhook endpoint wanting every event, "
                + (
                    "posting to a receiver in the benchmark's process on the same cores."
                    if mode == "send"
                    else "paused: every event queued in its answer's commit, none sent."
                )
                for mode in ingest.WEBHOOK_MODES[args.webhook]
            )
            if args.webhook
            else ""
        )
        + f" Load average at the start: {load_before}, at the end: {load_average()}."
    )
    text = f"{head}\n{notes}\n\n{table}\n\nTargets:\n" + "\n".join(f"- {v}" for v in verdicts)
    print(text)
    print(f"\n({time.monotonic() - started:.0f} s)")

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text + "\n")
    raw: dict[str, Any] = {
        "machine": machine(),
        "ingest": [dataclasses.asdict(r) for r in results],
        "checks": [dataclasses.asdict(c) for c in checks],
        "rows": rows,
        "targets": verdicts,
    }
    (RESULTS / "latest.json").write_text(json.dumps(raw, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
