"""/healthz reports a reachable, migrated database (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_healthz_ok_on_a_migrated_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    expected = "postgresql" if os.environ.get("CIVICFLOW_DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    assert body == {"status": "ok", "database": "ok", "migrations": "applied", "vendor": expected}


def test_healthz_refuses_other_methods(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_unapplied_migrations(client: Client) -> None:
    from django.core.management import call_command

    call_command("migrate", "sessions", "zero", verbosity=0)
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["migrations"] == "pending"
    finally:
        call_command("migrate", verbosity=0)
