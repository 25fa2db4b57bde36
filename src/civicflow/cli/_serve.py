"""``civicflow serve``: gunicorn for web + API and one ``civicflow worker``, supervised together.

Both run as child processes; SIGTERM or SIGINT to ``serve`` is passed on to both, and when
either child exits on its own the other is stopped too, so a supervisor (systemd, a container
runtime) sees one service that is either whole or gone.
"""

from __future__ import annotations

import signal
import subprocess  # starts our own gunicorn and worker  # nosec B404
import sys
import time
from types import FrameType

__all__ = ["supervise"]

_GRACE_SECONDS = 20.0


def supervise(gunicorn_argv: list[str], worker_argv: list[str]) -> int:
    """Run both commands until one exits or a signal arrives; returns gunicorn's exit status."""
    children = [
        subprocess.Popen(gunicorn_argv),  # noqa: S603 - fixed argv from our own options  # nosec B603
        subprocess.Popen(worker_argv),  # noqa: S603  # fixed argv from our own options, no shell  # nosec B603
    ]
    stopping: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(stopping[0] if stopping else signal.SIGTERM)
    deadline = time.monotonic() + _GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    web = children[0].returncode
    if not stopping and web == 0 and children[1].returncode not in (0, None):
        return children[1].returncode
    sys.stdout.flush()
    return 0 if stopping else web
