"""Shared by the fault tests: worker subprocesses on the test database, waiting, checking."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

__all__ = ["HERE", "database_url", "spawn_worker", "wait_for"]

HERE = Path(__file__).resolve().parents[1] / "integration" / "runtime"  # fault_handlers.py
CIVICFLOW = Path(sys.executable).with_name("civicflow")


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's throw-away ``test_...``)."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def spawn_worker(url: str, log: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``civicflow worker`` in its own process, with the fault handlers importable."""
    full_env = {
        **os.environ,
        "CIVICFLOW_DATABASE_URL": url,
        "CIVICFLOW_LOG_FORMAT": "json",
        "PYTHONPATH": str(HERE),
        **(env or {}),
    }
    command = [str(CIVICFLOW), "worker", "--handlers", "fault_handlers", *args]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=full_env, stdout=out, stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
