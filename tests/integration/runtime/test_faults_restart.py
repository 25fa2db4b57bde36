"""PostgreSQL restarts under load: workers and clients reconnect and every started instance completes.

The restart hits the whole local server, so the test works in its own throw-away database (never
the suite's) and always leaves the server running. It is skipped, with the reason, when the
cluster cannot be controlled from here (no pg_ctlcluster, not root or postgres).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.faults import CIVICFLOW, HERE, spawn_worker, wait_for
from support.postgres import PG_HOST, PG_PORT, ensure_postgres

pytestmark = pytest.mark.postgres

VERSIONS = sorted(p.name for p in Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []


def _skip_reason() -> str | None:
    if not os.environ.get("CIVICFLOW_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "restarts the PostgreSQL server (runs in the PostgreSQL pass)"
    if not VERSIONS or shutil.which("pg_ctlcluster") is None:
        return "no local PostgreSQL cluster to control (pg_ctlcluster)"
    if os.geteuid() != 0:
        return "controlling the cluster needs root"
    return ensure_postgres()


def _sql(database: str, statement: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname=database, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def scratch_url() -> Iterator[str]:
    reason = _skip_reason()
    if reason is not None:
        pytest.skip(reason)
    name = f"civicflow_restart_{os.getpid()}"
    _sql("postgres", f"DROP DATABASE IF EXISTS {name}")
    _sql("postgres", f"CREATE DATABASE {name}")
    yield f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"
    ensure_postgres()
    _sql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_every_started_instance_completes_after_a_server_restart(
    scratch_url: str, models: Path, tmp_path: Path
) -> None:
    from django.db import connections

    env = {**os.environ, "CIVICFLOW_DATABASE_URL": scratch_url, "CIVICFLOW_INSTANCE_DIR": str(tmp_path / "instance")}
    subprocess.run([str(CIVICFLOW), "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [str(CIVICFLOW), "deploy", str(models / "service.bpmn")], env=env, check=True, stdout=subprocess.DEVNULL
    )
    log = tmp_path / "workers.log"
    workers = [spawn_worker(scratch_url, log, "--poll-interval", "0.2") for _ in range(2)]
    stop, started = tmp_path / "stop", tmp_path / "started"
    load = subprocess.Popen(
        [sys.executable, str(HERE / "load_generator.py"), "service", str(stop), str(started)], env=env
    )
    name = scratch_url.rsplit("/", 1)[1]
    try:
        wait_for(lambda: started.exists() and len(started.read_text().split()) > 50, 20, "the load to start")
        restart = ["pg_ctlcluster", "--skip-systemctl-redirect", VERSIONS[-1], "main", "restart"]
        subprocess.run(restart, check=True, capture_output=True, timeout=60)
        assert ensure_postgres() is None
        before = len(started.read_text().split())
        wait_for(lambda: len(started.read_text().split()) > before + 50, 30, "starts to resume after the restart")
        stop.touch()
        load.wait(timeout=20)

        def all_done() -> bool:
            try:
                return _sql(name, "SELECT count(*) FROM runtime_processinstance WHERE status = 'active'")[0][0] == 0
            except Exception:
                return False

        wait_for(all_done, 40, "every started instance to complete")
    finally:
        stop.touch()
        if load.poll() is None:
            load.kill()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
        connections.close_all()  # this process's connections died with the server
        ensure_postgres()
    ids = set(started.read_text().split())
    rows = _sql(name, "SELECT id::text, status FROM runtime_processinstance")
    assert {status for _, status in rows} == {"completed"}
    assert ids <= {i for i, _ in rows}  # every start that answered is there, and completed
    completions = _sql(name, "SELECT count(*) FROM runtime_historyevent WHERE type = 'InstanceCompleted'")[0][0]
    assert completions == len(rows)
    assert _sql(name, "SELECT count(*) FROM runtime_job")[0][0] == 0
    assert "database unavailable" in log.read_text()  # the workers did see the outage
