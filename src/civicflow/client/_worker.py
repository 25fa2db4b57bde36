"""The external-task worker loop: ``@worker.topic("registry-lookup")`` handlers over fetch-and-lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from civicflow.client._client import CivicFlowClient, ExternalTask, ProblemError
from civicflow.errors import CivicFlowError

__all__ = ["BpmnError", "ExternalTaskWorker", "Failure", "TaskHandler"]

TaskHandler = Callable[[ExternalTask], Mapping[str, Any] | None]
"""Does the work of a task; returns variables for the process (or None)."""

_log = logging.getLogger("civicflow.client.worker")


class BpmnError(CivicFlowError):
    """Raise in a handler to throw a BPMN error (caught by error boundary events)."""

    def __init__(self, code: str, message: str = "", *, variables: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.variables = dict(variables or {})
        super().__init__(message or code)


class Failure(CivicFlowError):  # noqa: N818 - the name the worker API documents (raise Failure(...))
    """Raise in a handler to fail the task: retried after ``retry_timeout`` while ``retries`` > 0.

    ``retries`` None means one fewer than the task has; with none left the engine raises an incident.
    """

    def __init__(self, message: str, *, retries: int | None = None, retry_timeout: timedelta = timedelta(0)) -> None:
        self.retries = retries
        self.retry_timeout = retry_timeout
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class _Topic:
    handler: TaskHandler
    lock_duration: timedelta


class ExternalTaskWorker:
    """Fetches tasks of its topics, runs their handlers, reports each outcome.

        worker = ExternalTaskWorker(client, worker_id="registry-1")

        @worker.topic("registry-lookup", lock_duration=timedelta(seconds=30))
        def lookup(task: ExternalTask) -> dict[str, Any]:
            return {"name": registry.find(task.variables["bsn"])}

        worker.run()  # until worker.stop()

    A handler that raises any other exception fails the task with one retry fewer and an
    exponential ``retry_timeout`` (2 s, 4 s ... at most an hour).
    """

    def __init__(
        self,
        client: CivicFlowClient,
        *,
        worker_id: str,
        max_tasks: int = 10,
        wait: timedelta = timedelta(seconds=20),
    ) -> None:
        self.client = client
        self.worker_id = worker_id
        self.max_tasks = max_tasks
        self.wait = wait
        self._topics: dict[str, _Topic] = {}
        self._stop = threading.Event()

    def topic(
        self, name: str, *, lock_duration: timedelta = timedelta(minutes=1)
    ) -> Callable[[TaskHandler], TaskHandler]:
        def add(handler: TaskHandler) -> TaskHandler:
            self._topics[name] = _Topic(handler, lock_duration)
            return handler

        return add

    def stop(self) -> None:
        """Finish the task in hand and return from :meth:`run`."""
        self._stop.set()

    def run_once(self) -> int:
        """Fetch one batch (long polling up to ``wait``), handle it; answers how many tasks ran."""
        if not self._topics:
            raise CivicFlowError("the worker has no topics: register handlers with @worker.topic(...)")
        locks = {name: t.lock_duration for name, t in self._topics.items()}
        tasks = self.client.fetch_and_lock(self.worker_id, locks, max_tasks=self.max_tasks, wait=self.wait)
        # Successes are reported together (one request, one server transaction for the batch)
        # instead of one request each; failures and BPMN errors still go one by one (rare).
        completed: list[tuple[ExternalTask, Mapping[str, Any] | None]] = []
        for task in tasks:
            reported, result = self._handle(task)
            if not reported:
                completed.append((task, result))
        if completed:
            try:
                refused = self.client.complete_external_many(self.worker_id, [(t.id, r) for t, r in completed])
            except ProblemError as exc:
                _log.warning("batch completion refused: %s", exc, extra={"status": exc.status})
                return len(tasks)
            for task_id, problem in refused.items():
                if problem is not None:
                    # the lock expired or another worker took the task: its outcome is no longer ours
                    _log.warning("task %s: %s", task_id, problem, extra={"status": problem.status})
        return len(tasks)

    def run(self, *, max_tasks: int | None = None) -> int:
        """Loop until :meth:`stop` (or ``max_tasks`` handled); answers how many tasks ran."""
        done = 0
        while not self._stop.is_set() and (max_tasks is None or done < max_tasks):
            try:
                done += self.run_once()
            except ProblemError as exc:
                _log.warning("fetch-and-lock refused: %s", exc, extra={"status": exc.status})
                self._stop.wait(1.0)
            except OSError as exc:  # the server is away (restart, network): keep trying
                _log.warning("cannot reach the server: %s", exc)
                self._stop.wait(1.0)
        return done

    def _handle(self, task: ExternalTask) -> tuple[bool, Mapping[str, Any] | None]:
        """Run the handler: (True, None) when the outcome was sent (failure, BPMN error), else
        (False, the variables to complete the task with)."""
        topic = self._topics[task.topic]
        try:
            try:
                result = topic.handler(task)
            except BpmnError as exc:
                self.client.bpmn_error(task.id, self.worker_id, exc.code, str(exc), exc.variables)
                return True, None
            except Failure as exc:
                retries = exc.retries if exc.retries is not None else task.retries - 1
                self.client.fail_external(
                    task.id, self.worker_id, str(exc), retries=max(retries, 0), retry_timeout=exc.retry_timeout
                )
                return True, None
            except Exception as exc:  # noqa: BLE001 - a handler's bug fails its task, never the loop
                _log.exception("handler of %s failed on task %s", task.topic, task.id)
                backoff = timedelta(seconds=min(2**task.attempts, 3600))
                self.client.fail_external(
                    task.id,
                    self.worker_id,
                    f"{type(exc).__name__}: {exc}",
                    retries=max(task.retries - 1, 0),
                    retry_timeout=backoff,
                )
                return True, None
            return False, result
        except ProblemError as exc:
            # the lock expired or another worker took the task: its outcome is no longer ours
            _log.warning("task %s: %s", task.id, exc, extra={"status": exc.status})
            return True, None
