"""External tasks: service jobs that workers outside the engine fetch, lock and finish over HTTP.

A service task's job type is its topic. ``civicflow worker`` leaves the topics listed in
``CIVICFLOW_EXTERNAL_TOPICS`` alone; an external worker locks jobs of its topics with
:func:`fetch_and_lock` (the same due/lock columns the in-process worker uses, so a lock that
expires makes the job fetchable again) and reports the outcome through the same runtime
functions the worker calls (:mod:`civicflow.runtime.jobs`). Lock owners are ``ext:<workerId>``
so they never collide with in-process workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q

from civicflow.api.errors import LockExpiredError, LockLostError
from civicflow.errors import CivicFlowError
from civicflow.runtime import jobs
from civicflow.runtime.clock import current_clock
from civicflow.runtime.complete_batch import complete_jobs
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import Job, JobKind, ProcessInstance
from civicflow.runtime.personal import loads

__all__ = [
    "LockedTask",
    "TopicRequest",
    "complete",
    "complete_many",
    "extend_lock",
    "fail",
    "fetch_and_lock",
    "locked_job",
    "throw_error",
]

_POLL_SECONDS = 0.05  # between claim attempts while a long poll waits


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicRequest:
    name: str
    lock_duration: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class LockedTask:
    """A job locked for a worker, with the variables its element sees."""

    job: Job
    variables: dict[str, Any]


def _owner(worker_id: str) -> str:
    return f"ext:{worker_id}"


def _claim(owner: str, topic: TopicRequest, limit: int, now: datetime) -> list[Job]:
    skip = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        candidates = (
            Job.objects.select_for_update(skip_locked=skip)
            .filter(kind=JobKind.SERVICE, type=topic.name, instance__isnull=False, due_at__lte=now)
            .filter(Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lt=now))
            .order_by("due_at", "id")
        )
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Job.objects.filter(pk__in=ids).update(
            lock_owner=owner, lock_expires_at=now + topic.lock_duration, attempts=F("attempts") + 1
        )
        return list(Job.objects.filter(pk__in=ids).order_by("due_at", "id"))


def fetch_and_lock(
    worker_id: str, topics: Sequence[TopicRequest], *, max_tasks: int, timeout: timedelta = timedelta(0)
) -> list[LockedTask]:
    """Lock up to ``max_tasks`` due jobs of ``topics``; wait up to ``timeout`` for the first one.

    Long polling: with nothing due the call retries every few tens of milliseconds until a job
    appears or ``timeout`` passes (then it answers an empty list).
    """
    owner = _owner(worker_id)
    deadline = time.monotonic() + timeout.total_seconds()
    while True:
        now = current_clock().now()
        locked: list[Job] = []
        for topic in topics:
            if len(locked) >= max_tasks:
                break
            locked += _claim(owner, topic, max_tasks - len(locked), now)
        if locked or time.monotonic() >= deadline:
            return _with_variables(locked)
        time.sleep(min(_POLL_SECONDS, max(deadline - time.monotonic(), 0)))


def _with_variables(locked: list[Job]) -> list[LockedTask]:
    """The locked jobs with their variables, every instance's state read in one statement.

    (``jobs.job_variables`` alone reads the instance row once per job: 50 reads for a fetch of 50.)
    """
    ids = {job.instance_id for job in locked if job.instance_id is not None}
    states = dict(ProcessInstance.objects.filter(pk__in=ids).values_list("id", "state"))
    found = []
    for job in locked:
        stored = states.get(job.instance_id) if job.instance_id is not None else None
        if stored is None:  # gone meanwhile: the single read answers its own error
            found.append(LockedTask(job=job, variables=jobs.job_variables(job)))
            continue
        with jobs.state_in_memory(job.instance_id, loads(stored)):  # type: ignore[arg-type]
            found.append(LockedTask(job=job, variables=jobs.job_variables(job)))
    return found


def locked_job(task_id: int, worker_id: str) -> Job:
    """The job ``worker_id`` holds an unexpired lock on, else the reason as an error."""
    job = Job.objects.filter(pk=task_id, kind=JobKind.SERVICE, instance__isnull=False).first()
    return _check_lock(job, task_id, worker_id, current_clock().now())


def _check_lock(job: Job | None, task_id: int, worker_id: str, now: datetime) -> Job:
    if job is None:
        raise NotFoundError(
            f"no external task {task_id} (finished, canceled or never created)", kind="task", key=task_id
        )
    owner = _owner(worker_id)
    if job.lock_owner != owner:
        raise LockLostError(
            f"external task {task_id} is not locked by worker {worker_id!r}", task_id=task_id, worker_id=worker_id
        )
    if job.lock_expires_at is None or job.lock_expires_at < now:
        raise LockExpiredError(
            f"the lock of worker {worker_id!r} on external task {task_id} expired at {job.lock_expires_at}",
            task_id=task_id,
            worker_id=worker_id,
        )
    return job


def extend_lock(task_id: int, worker_id: str, duration: timedelta) -> Job:
    """Lock for ``duration`` more from now; only the holder of an unexpired lock may."""
    job = locked_job(task_id, worker_id)
    job.lock_expires_at = current_clock().now() + duration
    Job.objects.filter(pk=job.pk, lock_owner=_owner(worker_id)).update(lock_expires_at=job.lock_expires_at)
    return job


def complete(task_id: int, worker_id: str, variables: Mapping[str, Any]) -> None:
    jobs.complete_job(locked_job(task_id, worker_id), variables)


def fail(task_id: int, worker_id: str, message: str, *, retries: int, retry_in: timedelta) -> None:
    """Record a failure: due again after ``retry_in`` while ``retries`` > 0, else an incident."""
    jobs.fail_job(locked_job(task_id, worker_id), message, retries=retries, retry_in=retry_in)


def throw_error(task_id: int, worker_id: str, code: str, message: str, variables: Mapping[str, Any]) -> None:
    jobs.throw_bpmn_error(locked_job(task_id, worker_id), code, message, variables)


def complete_many(
    worker_id: str, items: Sequence[tuple[int, Mapping[str, Any]]], *, forbidden: Callable[[str], Exception | None]
) -> list[Exception | None]:
    """Complete several tasks in one transaction; per item (same order) None or the refusal.

    Each item is checked as :func:`complete` checks one: unknown task, ``forbidden(topic)`` (the
    token's scope; answers the error to report or None), lock held and unexpired. Every accepted
    one then completes through :func:`civicflow.runtime.complete_batch.complete_jobs`: one read of
    the instances, one commit. Each task id at most once (the caller checks).
    """
    ids = [task_id for task_id, _ in items]
    found = {job.pk: job for job in Job.objects.filter(pk__in=ids, kind=JobKind.SERVICE, instance__isnull=False)}
    now = current_clock().now()
    answers: list[Exception | None] = []
    accepted: list[tuple[Job, Mapping[str, Any]]] = []
    for task_id, variables in items:
        job = found.get(task_id)
        refused = forbidden(job.type) if job is not None else None
        if refused is not None:
            answers.append(refused)
            continue
        try:
            accepted.append((_check_lock(job, task_id, worker_id, now), variables))
        except CivicFlowError as exc:
            answers.append(exc)
            continue
        answers.append(None)
    done = complete_jobs(accepted) if accepted else {}
    return [
        answer if answer is not None else done.get(task_id) for (task_id, _), answer in zip(items, answers, strict=True)
    ]
