"""Email staff when work arrives in their departments' queues: one digest per burst, not a mail per task.

A member of staff who opted in (``WorkNotification.enabled``) gets a digest of the open tasks
offered to their departments (their groups) with an id above the last digest's. A digest waits
until no new task has arrived for ``settle`` (a burst of hundreds of tasks becomes one mail)
and comes at most once per ``min_interval``. The digest is queued in the mail queue
(:mod:`civicflow.web.mail`) in the transaction that moves ``last_task``, so it is sent (and
retried) by the worker and never lost or doubled.

Task ids grow as rows are inserted, not as their transactions commit: a task committed more than
``settle`` after a later one could be skipped. The inbox stays the truth; the digest is a nudge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from civicflow.runtime.models import TaskCandidate, TaskState, UserTask
from civicflow.web.mail import queue_mail
from civicflow.workbench.models import WorkNotification

__all__ = ["DigestOptions", "opt_in", "opt_out", "send_digests", "subscribers", "workbench_link"]

LISTED = 20  # tasks named in one digest; the count covers the rest


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestOptions:
    settle: timedelta = timedelta(minutes=2)
    min_interval: timedelta = timedelta(minutes=15)


def opt_in(user: Any, language: str) -> None:
    """Start digests from now on: tasks that arrived before are not news."""
    newest = UserTask.objects.aggregate(newest=Max("id"))["newest"] or 0
    WorkNotification.objects.update_or_create(
        user=user, defaults={"enabled": True, "last_task": newest, "language": language}
    )


def opt_out(user: Any) -> None:
    WorkNotification.objects.filter(user=user).update(enabled=False)


def subscribers() -> QuerySet[WorkNotification]:
    """The opted-in choices of active staff with an email address (digests and KPI alerts go to them)."""
    return (
        WorkNotification.objects.filter(enabled=True, user__is_active=True, user__is_staff=True)
        .exclude(user__email="")
        .select_related("user")
    )


def workbench_link(name: str) -> str:
    """The absolute address of a workbench page, for mails (``CIVICFLOW_PUBLIC_URL``)."""
    return str(getattr(settings, "PUBLIC_URL", "http://localhost:8000")).rstrip("/") + reverse(name)


def _new_tasks(user_id: int, after: int) -> list[UserTask]:
    groups = get_user_model().objects.filter(pk=user_id).values_list("groups__name", flat=True)
    offered = TaskCandidate.objects.filter(kind=TaskCandidate.GROUP, name__in=[g for g in groups if g])
    return list(
        UserTask.objects.filter(state=TaskState.CREATED, pk__gt=after, pk__in=offered.values("task_id"))
        .select_related("instance")
        .order_by("id")[:1000]
    )


def _digest_due(pref: WorkNotification, tasks: list[UserTask], now: datetime, options: DigestOptions) -> bool:
    if not tasks:
        return False
    if pref.last_sent is not None and now - pref.last_sent < options.min_interval:
        return False
    newest = max(task.created for task in tasks)
    return now - newest >= options.settle


def send_digests(options: DigestOptions | None = None, *, now: datetime | None = None) -> int:
    """Queue the due digests; the number queued."""
    opts = options or DigestOptions()
    at = now or timezone.now()
    queued = 0
    for pref in subscribers():
        tasks = _new_tasks(pref.user_id, pref.last_task)
        if not _digest_due(pref, tasks, at, opts):
            continue
        upto = tasks[-1].pk
        with translation.override(pref.language):
            subject = ngettext(
                "%(count)d new task for your department", "%(count)d new tasks for your departments", len(tasks)
            ) % {"count": len(tasks)}
            body = render_to_string(
                "workbench/email/digest.txt",
                {
                    "tasks": tasks[:LISTED],
                    "more": max(len(tasks) - LISTED, 0),
                    "link": workbench_link("workbench:index"),
                },
            )
        with transaction.atomic():
            moved = WorkNotification.objects.filter(pk=pref.pk, last_task=pref.last_task).update(
                last_task=upto, last_sent=at
            )
            if moved:
                key = f"workbench:digest:{pref.user_id}:{upto}"
                queue_mail(key=key, to=pref.user.email, subject=subject, body=body, language=pref.language, now=at)
                queued += 1
    return queued
