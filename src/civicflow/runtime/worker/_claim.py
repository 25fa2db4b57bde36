"""Claiming due jobs, releasing claims, and finding when the next job falls due.

A claim is one short transaction: the due, unlocked jobs (or those whose lock expired: their
worker died) in due order get this worker's ``lock_owner`` and a ``lock_expires_at``. On
PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets any number of workers claim side by side without
waiting on or double-claiming each other's rows; SQLite runs one writer at a time
(``BEGIN IMMEDIATE``), so the same statement without the clause is just as safe there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Min, Q, When

from civicflow.runtime.models import Job
from civicflow.runtime.rows import columns

__all__ = ["claim", "external_topics", "next_due", "release", "release_all"]


def external_topics() -> tuple[str, ...]:
    """Service job types that external workers fetch over the REST API (``CIVICFLOW_EXTERNAL_TOPICS``).

    The worker never claims them: they wait for fetch-and-lock instead of becoming "no handler"
    incidents, while a type that is neither handled in-process nor listed still fails loudly.
    """
    topics: tuple[str, ...] = tuple(getattr(settings, "CIVICFLOW_EXTERNAL_TOPICS", ()))
    return topics


def _not_external() -> tuple[str, list[str]]:
    """SQL condition (and its parameters) leaving out external service jobs."""
    topics = list(external_topics())
    if not topics:
        return "", []
    marks = ", ".join(["%s"] * len(topics))
    return f"AND NOT (kind = 'service' AND type IN ({marks})) ", topics


def claim(owner: str, limit: int, now: datetime, lock_for: timedelta) -> list[Job]:
    """Lock up to ``limit`` due jobs for ``owner``, oldest due first; counts an attempt on each."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    adapt = connection.ops.adapt_datetimefield_value
    table = Job._meta.db_table
    external, topics = _not_external()
    read = columns(Job)  # the rows as Job objects, without the cost of a raw queryset
    sql = (
        f"UPDATE {table} SET lock_owner = %s, lock_expires_at = %s, attempts = attempts + 1 "  # noqa: S608 - names are ours  # nosec B608
        f"WHERE id IN (SELECT id FROM {table} WHERE due_at <= %s "
        f"AND (lock_expires_at IS NULL OR lock_expires_at < %s) {external}"
        f"ORDER BY due_at, id LIMIT %s{skip_locked}) RETURNING {read.sql}"
    )
    params = [owner, adapt(now + lock_for), adapt(now), adapt(now), *topics, limit]
    # its own transaction for a worker; inside a caller's (the demo load's simulated hour) no
    # savepoint: one statement needs none, and that caller does not go on after a failed claim
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, params)
        jobs: list[Job] = read.objects(cursor.fetchall())
    # RETURNING gives no order guarantee; handlers run in due order.
    jobs.sort(key=lambda j: (j.due_at, j.pk))
    for job in jobs:
        job.lock_owner = owner
    return jobs


def release(owner: str, job_ids: list[int]) -> int:
    """Give claimed but unstarted jobs back (graceful shutdown): due at once for another worker."""
    if not job_ids:
        return 0
    return Job.objects.filter(pk__in=job_ids, lock_owner=owner).update(
        lock_owner=None, lock_expires_at=None, attempts=F("attempts") - 1
    )


def release_all(owner: str) -> int:
    """Give back every claim of ``owner`` (its batch died with the database connection)."""
    return Job.objects.filter(lock_owner=owner).update(lock_owner=None, lock_expires_at=None)


def next_due(now: datetime) -> datetime | None:
    """When the earliest job can next be claimed: its due time, or its lock expiry if later."""
    claimable = Case(
        When(Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lt=F("due_at")), then=F("due_at")),
        default=F("lock_expires_at"),
        output_field=DateTimeField(),
    )
    jobs = Job.objects.filter(due_at__isnull=False)
    topics = external_topics()
    if topics:
        jobs = jobs.exclude(kind="service", type__in=topics)
    found: datetime | None = jobs.aggregate(at=Min(claimable))["at"]
    return found
