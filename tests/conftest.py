"""Suite-wide set-up: which database the Django-backed tests run on.

The main run uses SQLite. `make test` then runs the tests marked ``postgres`` a second time
with ``CIVICFLOW_TEST_DATABASE=postgresql`` against a throw-away database on the local
PostgreSQL server (127.0.0.1:5432, user postgres), starting the server if it is down and
skipping those tests, with the reason, only when no server can be started.
"""

from __future__ import annotations

import os
import secrets

import pytest

from support.postgres import ensure_postgres

_PG_SKIP_REASON: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _PG_SKIP_REASON  # noqa: PLW0603 - decided once per run, read by the collection hook
    if os.environ.get("CIVICFLOW_TEST_DATABASE", "sqlite") != "postgresql":
        return
    reason = ensure_postgres()
    if reason is not None:
        _PG_SKIP_REASON = reason
        return
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    # pytest-django creates "test_<name>" from this and drops it at the end of the run.
    name = f"civicflow_{os.getpid()}_{secrets.token_hex(3)}"
    settings.DATABASES["default"] = dj_database_url.parse(f"postgres://postgres@127.0.0.1:5432/{name}")
    settings.DATABASES["default"]["TEST"] = {"NAME": f"test_{name}"}
    connections.__dict__.pop("settings", None)  # the handler caches DATABASES on first access


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _PG_SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=f"PostgreSQL unavailable: {_PG_SKIP_REASON}")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(marker)
