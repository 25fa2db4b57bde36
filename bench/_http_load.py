"""What the page benchmarks share: percentiles, the server's own time, waiting for and watching ``civicflow serve``.

Used by bench/web_bench.py (portal and inbox under load) and bench/kpi_pages_bench.py (KPI
dashboards and transparency pages). bench/ is on the path when either runs as a script.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "backends",
    "bench_database",
    "children",
    "drain",
    "drop_bench_database",
    "pick",
    "server_ms",
    "wait_until_served",
]

_APP_DUR = re.compile(r"app;dur=([\d.]+)")


def pick(values: list[float], q: float) -> float:
    """The ``q`` quantile of sorted ``values`` (nearest rank below); NaN when there are none."""
    return values[min(int(q * len(values)), len(values) - 1)] if values else float("nan")


def server_ms(response: Any) -> float:
    """The server's own time from ``Server-Timing: app;dur=`` (civicflow.web.middleware); -1 if absent."""
    found = _APP_DUR.search(response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else -1.0


def wait_until_served(base: str, server: subprocess.Popen[bytes], seconds: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"civicflow serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("civicflow serve did not answer /healthz")


def drain(name: str, seconds: float = 600) -> int:
    """Wait until the worker has fired the jobs that fell due while nobody served; the number left."""
    import psycopg

    sql = "SELECT count(*) FROM runtime_job WHERE due_at <= now() AND type <> ALL(%s)"
    deadline = time.monotonic() + seconds
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=name, autocommit=True) as conn:
        while True:
            row = conn.execute(sql, (["fire-safety-register"],)).fetchone()
            left = int(row[0]) if row else 0
            if left == 0 or time.monotonic() > deadline:
                return left
            time.sleep(2)


def backends(name: str) -> list[int]:
    """PostgreSQL backends serving database ``name`` (their process title names it): not the whole cluster."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"postgres: ") and f" {name} ".encode() in title:
                found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def bench_database(prefix: str, label: str, existing: str | None) -> tuple[str, Path, dict[str, str]]:
    """A throw-away database ``<prefix>_<pid>`` (or ``existing``, from an earlier ``--keep`` run).

    Returns its name, its instance folder (the secret key that signs the setup's staff sessions is
    kept there, with the database) and the environment ``civicflow`` runs with against it.
    """
    import psycopg

    name = existing or f"{prefix}_{os.getpid()}"
    folder = Path(tempfile.gettempdir()) / label / name
    if not existing:
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        folder.mkdir(parents=True)
    elif not (folder / "bench-data.json").exists():
        raise SystemExit(f"{folder / 'bench-data.json'} is missing: --database takes a database made with --keep")
    env = {
        **os.environ,
        "CIVICFLOW_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "CIVICFLOW_INSTANCE_DIR": str(folder),
        "CIVICFLOW_DEBUG": "0",
        "CIVICFLOW_LOG_LEVEL": "WARNING",
        # every simulated citizen comes from 127.0.0.1: the per-address public limits would answer 429
        "CIVICFLOW_RATE_LIMITS": "0",
        "DJANGO_SETTINGS_MODULE": "civicflow.site.settings",
    }
    return name, folder, env


def drop_bench_database(name: str, folder: Path, *, keep: bool) -> None:
    if keep:
        print(f"  database {name} kept (drop it with: dropdb -h 127.0.0.1 -U postgres {name})")
        return
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    shutil.rmtree(folder, ignore_errors=True)
