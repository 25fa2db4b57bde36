"""The NATS JetStream server on loopback: started when it is down, restarted by tests that need it."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

__all__ = ["NATS_URL", "ensure_nats", "restart_nats", "stop_nats"]

NATS_URL = "nats://127.0.0.1:4222"
SERVER = Path("/usr/sbin/nats-server")
START = [
    "start-stop-daemon", "--start", "--oknodo", "--background", "--exec", str(SERVER), "--",
    "-a", "127.0.0.1", "-p", "4222", "-js", "-sd", "/var/lib/nats-server", "-l", "/var/log/nats-server.log",
]  # fmt: skip


def _up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=0.5):
            return True
    except OSError:
        return False


def _wait(up: bool, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _up() == up:
            return True
        time.sleep(0.1)
    return False


def ensure_nats() -> str | None:
    """None when the server answers (started if needed), else why it cannot."""
    if _up():
        return None
    if not SERVER.exists():
        return f"{SERVER} is not installed"
    try:
        subprocess.run(START, check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot start nats-server: {exc}"
    return None if _wait(up=True) else "nats-server did not come up within 10 s"


def stop_nats() -> None:
    subprocess.run(
        ["start-stop-daemon", "--stop", "--oknodo", "--retry", "10", "--exec", str(SERVER)],
        check=True,
        capture_output=True,
        timeout=20,
    )
    assert _wait(up=False), "nats-server did not stop"


def restart_nats() -> None:
    stop_nats()
    reason = ensure_nats()
    assert reason is None, reason
