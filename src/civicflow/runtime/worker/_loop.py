"""The worker process: claim due jobs in batches, run them, sleep until the next is due.

Each of ``concurrency`` threads loops: claim a batch, run it (:func:`run_batch`), and when
nothing is due wait for a notification (PostgreSQL LISTEN), the next job's due time or the poll
interval, whichever comes first. SIGTERM/SIGINT stop it gracefully: the job in hand finishes and
commits, claimed jobs not yet started are released for other workers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from django.db import connection, connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError

from civicflow.runtime.clock import current_clock
from civicflow.runtime.models import Job
from civicflow.runtime.services import CleanupResult, history_cleanup
from civicflow.runtime.worker._batch import run_batch
from civicflow.runtime.worker._claim import claim, next_due, release, release_all
from civicflow.runtime.worker._guard import single_worker_lock
from civicflow.runtime.worker._listen import Listener

__all__ = ["Worker", "WorkerOptions"]

log = logging.getLogger("civicflow.worker")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerOptions:
    """How a worker claims and runs jobs (``civicflow worker --help`` documents each)."""

    concurrency: int = 1
    batch_size: int = 32
    poll_interval: float = 1.0
    lock_seconds: float = 300.0  # a claim older than this belongs to a dead worker
    chain_limit: int = 100  # follow-up service jobs one instance may run inside its batch
    max_jobs: int | None = None  # stop after this many (tests, benchmarks)
    history_retention: timedelta | None = None  # remove finished instances older than this
    housekeeping_interval: float = 3600.0  # seconds between two history cleanups
    periodic_interval: float = 0.5  # seconds between two runs of the periodic steps (outbox publisher)


class Worker:
    """One worker process; :meth:`run` blocks until :meth:`stop` or a signal."""

    def __init__(self, options: WorkerOptions | None = None, *, periodic: Sequence[Callable[[], object]] = ()) -> None:
        self.options = options or WorkerOptions()
        # steps of other apps run by the housekeeping thread between batches (the connectors'
        # outbox publisher and webhook deliveries); the runtime does not import them
        self.periodic = tuple(periodic)
        self._next_periodic = 0.0
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.done = 0
        self._count_lock = threading.Lock()
        self._next_housekeeping = time.monotonic()

    def stop(self, *_args: object) -> None:
        self.stopping.set()
        self.wake.set()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping: finishing the current jobs", extra={"signal": signal.Signals(signum).name})
        self.stop()

    def run(self) -> int:
        """Work until stopped; returns the number of jobs completed."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        guard = single_worker_lock()
        concurrency = self.options.concurrency
        if guard is not None and concurrency > 1:
            log.warning("SQLite runs one writer at a time; using concurrency 1", extra={"asked": concurrency})
            concurrency = 1
        listener = Listener(self.wake, self.stopping)
        if listener.enabled:
            listener.start()
        log.info(
            "worker started",
            extra={
                "owner": self.owner,
                "vendor": connection.vendor,
                "concurrency": concurrency,
                "batch_size": self.options.batch_size,
                "notify": listener.enabled,
            },
        )
        threads = [
            threading.Thread(target=self._thread_loop, args=(n,), name=f"civicflow-worker-{n}", daemon=True)
            for n in range(1, concurrency)
        ]
        for thread in threads:
            thread.start()
        try:
            self._loop(f"{self.owner}:0")
        finally:
            self.stop()
            for thread in threads:
                thread.join()
            if guard is not None:
                guard.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("worker stopped", extra={"owner": self.owner, "jobs": self.done})
        return self.done

    def _thread_loop(self, n: int) -> None:
        try:
            self._loop(f"{self.owner}:{n}")
        finally:
            connections.close_all()  # this thread's connection

    def _loop(self, owner: str) -> None:
        """One thread's claim-run-sleep loop; ``owner`` is this thread's lock owner."""
        opts = self.options
        lock_for = timedelta(seconds=opts.lock_seconds)
        backoff = 0.5
        interrupted = False
        while not self.stopping.is_set():
            try:
                if interrupted:
                    # a batch died with the connection: its claims are ours and nobody runs them,
                    # so give them back now rather than at lock expiry
                    release_all(owner)
                    interrupted = False
                self.wake.clear()
                if owner.endswith(":0"):  # one thread per process keeps house
                    self.housekeep()
                    self.run_periodic()
                now = current_clock().now()
                claimed = claim(owner, opts.batch_size, now, lock_for)
                if claimed:
                    self._run(owner, claimed)
                    backoff = 0.5
                    continue
                due = next_due(now)
                backoff = 0.5
            except (OperationalError, InterfaceError, DatabaseError) as exc:
                # the database went away (restart, network): keep trying; claims expire safely
                log.warning("database unavailable; retrying", extra={"error": str(exc).strip(), "retry_in": backoff})
                interrupted = True
                connection.close()
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            timeout = opts.poll_interval
            if due is not None:
                timeout = max(0.0, min(timeout, (due - current_clock().now()).total_seconds()))
            if timeout > 0:
                self.wake.wait(timeout)

    def housekeep(self, *, force: bool = False) -> CleanupResult | None:
        """Run the history cleanup when a retention is configured and the interval has passed.

        Every worker may do it: the cleanup deletes in small transactions, so two at once only
        share the work.
        """
        retention = self.options.history_retention
        if retention is None or (not force and time.monotonic() < self._next_housekeeping):
            return None
        self._next_housekeeping = time.monotonic() + self.options.housekeeping_interval
        result = history_cleanup(retention)
        if result.instances or result.buffered_messages:
            log.info(
                "history cleanup",
                extra={
                    "instances": result.instances,
                    "events": result.history_events,
                    "buffered_messages": result.buffered_messages,
                },
            )
        return result

    def run_periodic(self) -> None:
        """Run the periodic steps, at most every ``periodic_interval``; one failing never stops the worker."""
        if not self.periodic or time.monotonic() < self._next_periodic:
            return
        self._next_periodic = time.monotonic() + self.options.periodic_interval
        for step in self.periodic:
            try:
                step()
            except (OperationalError, InterfaceError):
                raise  # the database is gone: the loop's own retry handles it
            except Exception:  # a publisher's failure must not stop the jobs (logged with its traceback)
                log.exception("periodic step failed", extra={"step": getattr(step, "__name__", repr(step))})

    def _run(self, owner: str, claimed: list[Job]) -> None:
        started = time.monotonic()
        try:
            result = run_batch(claimed, chain_limit=self.options.chain_limit, keep_going=self._keep_going)
        except BaseException:
            # nothing of the batch committed: give the jobs back at once instead of at lock expiry
            with contextlib.suppress(DatabaseError):  # if that fails too, the loop retries it
                release(owner, [j.pk for j in claimed])
            raise
        if result.released:
            release(owner, result.released)
        with self._count_lock:
            self.done += result.completed
            total = self.done
        log.debug(
            "batch done",
            extra={
                "claimed": len(claimed),
                "completed": result.completed,
                "failed": result.failed,
                "released": len(result.released),
                "instances": result.instances,
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        if self.options.max_jobs is not None and total >= self.options.max_jobs:
            self.stop()

    def _keep_going(self) -> bool:
        return not self.stopping.is_set()
