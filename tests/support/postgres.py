"""Find, or start, the local PostgreSQL server the integration tests use."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["PG_HOST", "PG_PORT", "ensure_postgres"]

PG_HOST = "127.0.0.1"
PG_PORT = 5432


def _reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def ensure_postgres(wait_seconds: float = 30.0) -> str | None:
    """Return ``None`` when a server answers, else the reason none could be started."""
    if _reachable():
        return None
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []
    if not versions or shutil.which("pg_ctlcluster") is None:
        return f"nothing listens on {PG_HOST}:{PG_PORT} and no local cluster (pg_ctlcluster) is installed"
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if _reachable():
            return None
        time.sleep(0.5)
    detail = (result.stderr or result.stdout).strip().splitlines()
    return f"'{' '.join(command)}' did not bring up a server: {detail[-1] if detail else 'no output'}"
