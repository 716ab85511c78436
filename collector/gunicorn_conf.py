"""Gunicorn settings shipped with Anbefal.

Use them with `anbefal serve`, or with plain gunicorn:

    gunicorn -c python:collector.gunicorn_conf 'collector:create_app()'
"""

# Threads let one worker answer the page, the script and the API calls of a
# visitor at once; each thread has its own SQLite connection.
worker_class = "gthread"
threads = 4
workers = 2
bind = "127.0.0.1:8000"
# Never build the app in the master: every worker opens its own database
# connection after the fork.
preload_app = False
timeout = 30
graceful_timeout = 10
keepalive = 5
# One listening socket, opened by the master and shared by every worker. A
# reload (SIGHUP) or a worker's restart then drops no connection: those
# waiting to be accepted stay in the shared queue for the other workers,
# where with one SO_REUSEPORT socket per worker the queue of a stopping
# worker is reset with it. gthread's workers take new connections as they
# have room, so the load stays spread (tests/test_reload.py measures both).
reuse_port = False
# Gunicorn would believe X-Forwarded-Proto from 127.0.0.1; Anbefal believes
# forwarded headers only through ProxyFix, from exactly ANBEFAL_PROXIES proxies.
forwarded_allow_ips = ""
accesslog = "-"
errorlog = "-"
loglevel = "info"


def on_starting(server) -> None:
    """Refuse to start, with one message, on a damaged database or one that is not Anbefal's."""
    import os

    from collector import settings, storage

    path = os.environ.get("ANBEFAL_DB") or settings.DEFAULTS["DB"]
    try:
        storage.check_usable(path)
    except storage.UnusableDatabase as exc:
        raise RuntimeError(str(exc)) from None  # gunicorn prints "Error: ..." and exits with 1


def when_ready(server) -> None:
    # One webhook sender per server, in a process of its own beside the
    # workers and below them in CPU priority (collector.webhooks.process).
    from collector.webhooks import process

    process.start()


def on_reload(server) -> None:
    from collector.webhooks import process

    process.restart()


def on_exit(server) -> None:
    from collector.webhooks import process

    process.stop()
