"""Suite-wide set-up: which database the Django-backed tests run on.

The main run uses SQLite. `make test` then runs the tests marked ``postgres`` a second time
with ``CIVICFLOW_DATABASE_URL`` pointing at the local PostgreSQL server (127.0.0.1:5432, user
postgres) under a per-run name, so pytest-django's throw-away ``test_<name>`` database never
collides; the server is started if it is down, and those tests are skipped with the reason only
when no server can be started.
"""

from __future__ import annotations

import os

import pytest

from support.postgres import ensure_postgres

_PG_SKIP_REASON: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _PG_SKIP_REASON  # noqa: PLW0603 - decided once per run, read by the collection hook
    if not os.environ.get("CIVICFLOW_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    # pytest-django creates "test_<name>" on first database use and drops it at the end; the
    # server only has to be up by then, so starting it here is early enough.
    _PG_SKIP_REASON = ensure_postgres()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _PG_SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=f"PostgreSQL unavailable: {_PG_SKIP_REASON}")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(marker)
