"""LISTEN/NOTIFY on PostgreSQL: wake the worker as soon as a step commits new jobs.

Steps send ``NOTIFY civicflow_jobs`` inside their transaction (see
:func:`civicflow.runtime.projection.notify_jobs`); this thread holds one extra connection that
listens and sets an event. A lost connection (a server restart) is retried with backoff while
the worker falls back to its poll interval.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection

from civicflow.runtime.projection import JOBS_CHANNEL

__all__ = ["Listener"]

log = logging.getLogger("civicflow.worker")


class Listener(threading.Thread):
    """Sets ``wake`` on every notification; does nothing on SQLite."""

    def __init__(self, wake: threading.Event, stop: threading.Event) -> None:
        super().__init__(name="civicflow-listen", daemon=True)
        self.wake = wake
        self.stop = stop
        self.params: dict[str, Any] = connection.get_connection_params() if connection.vendor == "postgresql" else {}

    @property
    def enabled(self) -> bool:
        return bool(self.params)

    def run(self) -> None:
        import psycopg

        delay = 0.5
        while not self.stop.is_set():
            try:
                with psycopg.connect(**self.params, autocommit=True) as conn:
                    conn.execute(f"LISTEN {JOBS_CHANNEL}")
                    delay = 0.5
                    self.wake.set()  # anything committed while we were not listening
                    while not self.stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake.set()
            except psycopg.Error as exc:
                log.warning("listen connection lost; polling until it is back", extra={"error": str(exc)})
                self.stop.wait(delay)
                delay = min(delay * 2, 10.0)
