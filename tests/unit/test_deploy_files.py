"""The container and compose files (Docker is not run here: their structure is checked instead)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def test_compose_runs_postgres_migrate_web_and_two_workers() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "web", "worker"}
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["command"][:2] == ["civicflow", "worker"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["migrate"]["command"][:3] == ["civicflow", "manage", "migrate"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_gives_web_and_worker_the_same_postgres_configuration() -> None:
    services = _compose()["services"]
    for name in ("migrate", "web", "worker"):
        env = services[name]["environment"]
        assert env["CIVICFLOW_DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["CIVICFLOW_DATABASE_URL"]
        assert "CIVICFLOW_SECRET_KEY" in env


def test_health_checks_probe_healthz_and_postgres() -> None:
    services = _compose()["services"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", containerfile, re.MULTILINE)
    assert "requirements/base.lock" in containerfile
    assert re.search(r"^USER civicflow$", containerfile, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", containerfile, re.MULTILINE)


def test_every_configuration_variable_is_documented() -> None:
    used = set()
    for path in (ROOT / "src" / "civicflow").rglob("*.py"):
        used |= set(re.findall(r"\bCIVICFLOW_[A-Z_]+\b", path.read_text()))
    documented = set(re.findall(r"`(CIVICFLOW_[A-Z_]+)`", (ROOT / "docs" / "deployment.md").read_text()))
    assert used, "no CIVICFLOW_ variables found: the scan is broken"
    assert used <= documented, f"undocumented: {sorted(used - documented)}"
