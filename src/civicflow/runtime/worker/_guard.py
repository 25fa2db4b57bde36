"""SQLite runs one worker: a second one on the same database file is refused, not left to race.

Claims would still be safe (SQLite serializes writers), but two workers only contend for the
single write lock and time out under load; PostgreSQL is the store for scaling out.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from django.db import connection

from civicflow.runtime.errors import RuntimeServiceError

__all__ = ["WorkerRefusedError", "single_worker_lock"]


class WorkerRefusedError(RuntimeServiceError):
    """The worker cannot start (a second worker on SQLite, an unreachable database ...)."""


def single_worker_lock() -> IO[str] | None:
    """On SQLite, hold an exclusive lock file next to the database for the worker's lifetime."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None  # an in-memory test database: nobody else can open it
    path = Path(f"{name}.worker-lock")
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise WorkerRefusedError(
            f"another civicflow worker ({holder}) already runs on the SQLite database {name}; "
            "SQLite supports one worker (use PostgreSQL to run several)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle
