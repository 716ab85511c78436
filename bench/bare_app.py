"""The baseline for the ingest benchmark: a bare Flask app that parses a
small JSON body and inserts one row into SQLite, and nothing else.

It opens its connections and writes as a plain app on collector.storage
would (WAL, synchronous=FULL, one connection per process and thread,
writers queued on the lock file, one autocommit statement) and runs under
the same gunicorn settings. It commits each row alone, as such an app does:
the collector's group commit, which writes answers that arrive together in
one commit, is part of what it does on top, along with the token check,
origin check, validation, CORS, the upsert by ref and the edit secret.

    BENCH_DB=bare.db gunicorn -c python:collector.gunicorn_conf 'bench.bare_app:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, request

from collector import storage

# The baseline's one table and one statement live here, not in
# collector.storage: they are no part of Anbefal.
SCHEMA = "CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, score INTEGER, ref TEXT, comment TEXT)"
INSERT = "INSERT INTO answers (score, ref, comment) VALUES (?, ?, ?) RETURNING id"


def create_app() -> Flask:
    """Create the bare app; BENCH_DB names its SQLite file."""
    app = Flask(__name__)
    path = os.path.abspath(os.environ.get("BENCH_DB", "bare.db"))
    setup = storage.connect(path)
    setup.execute(SCHEMA)
    setup.close()

    @app.post("/api/v1/responses")
    def ingest():
        body = request.get_json(force=True)
        conn = storage.get_connection(path)
        with storage.writers_turn(conn):
            answer_id = conn.execute(INSERT, (body["score"], body.get("ref"), body.get("comment"))).fetchone()[0]
        return {"id": answer_id}, 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
