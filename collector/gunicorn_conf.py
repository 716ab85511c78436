"""Gunicorn settings shipped with Anbefal.

Use them with `anbefal serve`, or with plain gunicorn:

    gunicorn -c python:collector.gunicorn_conf 'collector:create_app()'
"""

import logging

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
# Each worker listens on its own SO_REUSEPORT socket and the kernel spreads
# new connections evenly. On one shared socket the first worker to wake
# takes most of them, and kept-alive connections (from a reverse proxy, or a
# load test) then stay on one worker while the other idles.
reuse_port = True
# Gunicorn would believe X-Forwarded-Proto from 127.0.0.1; Anbefal believes
# forwarded headers only through ProxyFix, from exactly ANBEFAL_PROXIES proxies.
forwarded_allow_ips = ""
accesslog = "-"
errorlog = "-"
loglevel = "info"


class _NameTheAddresses(logging.Filter):
    """With reuse_port each worker opens its own socket, so the master has
    none to name and gunicorn logs an empty "Listening at:" line; this names
    the configured addresses in it instead."""

    def __init__(self, binds: list[str]) -> None:
        super().__init__()
        self.addresses = ",".join(
            address if address.startswith(("unix:", "fd://")) else f"http://{address}" for address in binds
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Listening at: %s (%s)" and isinstance(record.args, tuple) and not record.args[0]:
            record.args = (self.addresses, *record.args[1:])
        return True


def on_starting(server) -> None:
    # Runs in the master before it logs where it listens.
    server.log.error_log.addFilter(_NameTheAddresses(server.cfg.bind))


def post_worker_init(worker) -> None:
    # Every worker runs a webhook sender; the one holding the lease sends.
    from collector.webhooks import sender

    sender.start(worker.wsgi.config)


def worker_exit(server, worker) -> None:
    from collector.webhooks import sender

    sender.stop()
