"""``/healthz``: is the database reachable and is its schema up to date?"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

__all__ = ["healthz"]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001 - any driver error means "not healthy", reported, never raised
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "detail": type(exc).__name__},
            status=503,
        )
    if pending:
        return JsonResponse(
            {"status": "unavailable", "database": "ok", "migrations": "pending", "pending": len(pending)},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied", "vendor": connection.vendor})
