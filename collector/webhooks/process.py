"""The sender's process: started by the gunicorn master of `anbefal serve`
beside its workers, at a lower CPU priority than theirs, so that sending
webhooks takes the time the answers leave over and never the workers' own
(no thread of theirs holds their interpreter's lock to sign and post).
While answers come faster than the machine can also send, their events
wait in the outbox and go out in batches as soon as it can.

The master starts it again when it exits, and on a reload (SIGHUP) as it
does its workers; it ends itself when the master is gone (killed)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

NICENESS = 10  # added to the master's: the workers come first when the CPUs are busy
RESTART_EVERY = 1.0  # seconds, at least, between starts of a sender that keeps exiting
STOP_TIMEOUT = 10

log = logging.getLogger(__name__)


def main() -> None:
    """Send webhooks until told to stop or until the master that started it is gone."""
    # The master says who it is: by the time this runs (after the imports)
    # it may be gone already, and this process then the init process's.
    master = int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid()
    os.nice(NICENESS)
    # A flag, not an Event: a handler that took a lock could find it held
    # by the very code it interrupted.
    signals: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda signum, _frame: signals.append(signum))

    from .. import create_app
    from . import sender

    running = sender.Sender(create_app().config).start()
    while not signals and os.getppid() == master and running.thread.is_alive():
        time.sleep(0.5)
    running.stop()


class Child:
    """The sender process, started with posix_spawn.

    Not subprocess.Popen: it waits on a pipe for the child's exec, and a
    worker that gunicorn forks in that moment (from the master's main
    thread) keeps the pipe's other end open, so the wait never ends and the
    sender is never started again. posix_spawn needs no pipe."""

    def __init__(self) -> None:
        args = [sys.executable, "-m", __name__, str(os.getpid())]
        self.pid = os.posix_spawn(sys.executable, args, os.environ)
        self.code: int | None = None

    def wait(self, timeout: float | None = None) -> int | None:
        """Return the exit code (0 when gunicorn's master reaped it first), or None if still running."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.code is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:  # reaped by gunicorn's master: it is gone
                self.code = 0
                break
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
            elif deadline is None or time.monotonic() >= deadline:
                break
            else:
                time.sleep(0.05)
        return self.code

    def running(self) -> bool:
        return self.wait(0) is None

    def signal(self, signum: int) -> None:
        if self.running():
            os.kill(self.pid, signum)


class Supervisor:
    """Keeps one sender process running, in the gunicorn master."""

    def __init__(self) -> None:
        self.proc: Child | None = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, name="anbefal-webhooks-supervisor", daemon=True)

    def start(self) -> Supervisor:
        self.thread.start()
        return self

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            with self.lock:
                if self.stopping.is_set():
                    break
                self.proc = Child()
            code = self.proc.wait()
            if not self.stopping.is_set() and code not in (0, -signal.SIGTERM):
                log.warning("the webhook sender exited with %s; starting it again", code)
            self.stopping.wait(max(0.0, RESTART_EVERY - (time.monotonic() - started)))

    def restart(self) -> None:
        """Stop the running sender; a new one starts, with the code installed now."""
        with self.lock:
            if self.proc is not None:
                self.proc.signal(signal.SIGTERM)

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
            proc = self.proc
        if proc is not None and proc.running():
            proc.signal(signal.SIGTERM)
            if proc.wait(STOP_TIMEOUT) is None:
                proc.signal(signal.SIGKILL)
        self.thread.join(STOP_TIMEOUT)


_supervisor: Supervisor | None = None


def start() -> None:
    """Start this master's sender process (once)."""
    global _supervisor
    if _supervisor is None:
        _supervisor = Supervisor().start()


def restart() -> None:
    if _supervisor is not None:
        _supervisor.restart()


def stop() -> None:
    global _supervisor
    if _supervisor is not None:
        _supervisor.stop()
        _supervisor = None


if __name__ == "__main__":
    main()
