"""``civicflow worker``: claims due jobs and runs them (async continuations, timers, service calls).

    >>> from civicflow.runtime.worker import Worker, WorkerOptions
    >>> Worker(WorkerOptions(batch_size=64)).run()  # until SIGTERM

Any number of workers share the work on PostgreSQL (``FOR UPDATE SKIP LOCKED`` claims, LISTEN/
NOTIFY wake-ups); SQLite runs one.
"""

from civicflow.runtime.worker._batch import BatchResult, run_batch
from civicflow.runtime.worker._claim import claim, next_due, release
from civicflow.runtime.worker._guard import WorkerRefusedError, single_worker_lock
from civicflow.runtime.worker._loop import Worker, WorkerOptions

__all__ = [
    "BatchResult",
    "Worker",
    "WorkerOptions",
    "WorkerRefusedError",
    "claim",
    "next_due",
    "release",
    "run_batch",
    "single_worker_lock",
]
