"""``civicflow worker``: check the database, import handler modules, run the worker loop."""

from __future__ import annotations

import importlib
import signal
import threading
from collections.abc import Callable
from datetime import timedelta

from civicflow.cli._audit_step import audit_steps
from civicflow.cli._common import setup_django
from civicflow.cli._retention_step import retention_steps
from civicflow.runtime.errors import RuntimeServiceError

__all__ = ["run_worker"]


class WorkerStartError(RuntimeServiceError):
    """The worker cannot start: database unreachable or not migrated, a handler module missing."""


def run_worker(
    *,
    concurrency: int,
    batch_size: int,
    poll_interval: float,
    lock_seconds: float,
    handlers: list[str],
    max_jobs: int | None = None,
    history_retention_days: int | None = None,
    publish: bool = True,
    publisher_only: bool = False,
    consume: list[str] | None = None,
) -> int:
    setup_django()
    from django.db import DatabaseError, connection

    from civicflow.runtime.models import Job
    from civicflow.runtime.worker import Worker, WorkerOptions

    for module in handlers:
        try:
            importlib.import_module(module)  # registers its handlers with @civicflow.runtime.jobs.register
        except ImportError as exc:
            raise WorkerStartError(f"cannot import handler module {module!r}: {exc}") from exc
    try:
        connection.ensure_connection()
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise WorkerStartError(f"the database is unreachable: {detail}") from exc
    if Job._meta.db_table not in tables:
        raise WorkerStartError("the database is not migrated (run 'civicflow manage migrate')")
    options = WorkerOptions(
        concurrency=concurrency,
        batch_size=batch_size,
        poll_interval=poll_interval,
        lock_seconds=lock_seconds,
        max_jobs=max_jobs,
        history_retention=None if history_retention_days is None else timedelta(days=history_retention_days),
    )
    # the connectors (outbox publisher, webhook deliveries, inbound consumers) live above the
    # runtime: the worker gets their steps, it does not import them
    from civicflow.connectors.service import periodic_steps, run_publisher, start_consumers

    consumers = start_consumers(consume or [])
    try:
        if publisher_only:
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_a: stop.set())
            run_publisher(stop)
            return 0
        steps = [
            *(periodic_steps() if publish else ()),
            *_mail_steps(),
            *_kpi_steps(),
            *audit_steps(),
            *retention_steps(),
            *_prediction_steps(),
        ]
        Worker(options, periodic=steps).run()
    finally:
        for consumer in consumers:
            consumer.stop()
    return 0


def _mail_steps() -> list[Callable[[], object]]:
    """Citizen notices and staff digests: found, queued and sent by the worker, never in a web request.

    Also the hourly sweep of uploads nobody can reach any more (abandoned sessions, expired drafts),
    and the hourly emptying of expired drafts (their answers, address and link).
    """
    from civicflow.portal import expire_drafts, scan_applications, sweep_uploads
    from civicflow.web.mail import every, send_due
    from civicflow.workbench import send_digests

    return [
        every(2.0, scan_applications),
        every(30.0, send_digests),
        every(1.0, send_due),
        every(3600.0, sweep_uploads),
        every(3600.0, expire_drafts),
    ]


def _prediction_steps() -> list[Callable[[], object]]:
    """Retrain the prediction models every ``CIVICFLOW_PREDICT_RETRAIN_HOURS`` and refresh the running
    cases' predictions every ``CIVICFLOW_PREDICT_REFRESH_MINUTES`` (docs/prediction.md)."""
    from civicflow.runtime.prediction import prediction_step, schedule
    from civicflow.web.mail import every

    return [every(schedule().refresh_minutes * 60, prediction_step)]


def _kpi_steps() -> list[Callable[[], object]]:
    """The KPI read models follow history in batches (docs/kpi.md); page views never scan history.

    Then the KPI alerts (due dates, stage SLAs), every ``CIVICFLOW_ALERT_INTERVAL`` seconds, and the
    dashboards' snapshots about the present, so that page views find them fresh.
    """
    from civicflow.runtime.kpi_projection import advance
    from civicflow.web.mail import every
    from civicflow.workbench import alerts_step
    from civicflow.workbench._kpi_refresh import refresh_snapshots

    return [every(1.0, advance), alerts_step(), every(5.0, refresh_snapshots)]
