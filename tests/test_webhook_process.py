"""The sender's process: one per server, beside the workers and below them
in CPU priority, started again by the master when it dies, and ending
itself when the master is gone."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from conftest import LiveServer, children, is_webhook_sender, worker_pids

from collector.webhooks import process

pytestmark = pytest.mark.slow


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[16])


def senders(master: int) -> list[int]:
    return [pid for pid in children(master) if is_webhook_sender(pid)]


def wait_until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def is_gone(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    except FileNotFoundError:
        return True


def test_one_sender_process_below_the_workers_restarted_and_ending_with_its_master(tmp_path):
    server = LiveServer(str(tmp_path / "process.db"), tmp_path, args=["--workers", "2"]).start()
    try:
        assert server.proc is not None
        master = server.proc.pid
        wait_until(lambda: len(senders(master)) == 1, "sender process")
        first = senders(master)[0]
        # The first worker may answer the health check before the second is forked.
        wait_until(lambda: len(worker_pids(master)) == 2, "both workers")
        lowered = min(19, niceness(master) + process.NICENESS)
        wait_until(lambda: niceness(first) == lowered, "lowered priority")
        assert all(niceness(worker) == niceness(master) for worker in worker_pids(master))

        os.kill(first, signal.SIGKILL)
        wait_until(lambda: senders(master) not in ([], [first]), "sender started again")
        second = senders(master)[0]
        assert len(senders(master)) == 1
        # Lowered once it has imported what it needs: then it watches its master.
        wait_until(lambda: niceness(second) == lowered, "lowered priority of the new sender")

        os.kill(master, signal.SIGSTOP)  # no new worker forked meanwhile
        for worker in worker_pids(master):
            os.kill(worker, signal.SIGKILL)
        os.kill(master, signal.SIGKILL)
        server.proc.wait(timeout=10)
        wait_until(lambda: is_gone(second), "end of the orphaned sender")
    finally:
        server.stop()
