"""History cleanup by retention time, and expired buffered messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from civicflow.runtime.clock import current_clock
from civicflow.runtime.models import (
    BufferedMessage,
    HistoryEvent,
    Incident,
    InstanceStatus,
    Job,
    MessageSubscription,
    Outbox,
    ProcessInstance,
    SignalSubscription,
    TaskCandidate,
    UserTask,
)

__all__ = ["CleanupResult", "history_cleanup"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanupResult:
    instances: int
    history_events: int
    buffered_messages: int
    outbox: int


def history_cleanup(retention: timedelta, *, batch_size: int = 500) -> CleanupResult:
    """Remove instances that ended more than ``retention`` ago, with their history and read models.

    Also drops expired buffered messages and outbox rows published before the cutoff. Works in
    batches of ``batch_size`` instances, one transaction each, so it can run beside live traffic.
    """
    now = current_clock().now()
    cutoff = now - retention
    instances = events = 0
    finished = ProcessInstance.objects.filter(
        status__in=(InstanceStatus.COMPLETED, InstanceStatus.TERMINATED), ended__lt=cutoff
    )
    while True:
        ids = list(finished.order_by("ended").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            events += HistoryEvent.objects.filter(instance_id__in=ids).delete()[0]
            TaskCandidate.objects.filter(task__instance_id__in=ids).delete()
            for model in (UserTask, Incident, Job, MessageSubscription, SignalSubscription):
                model.objects.filter(instance_id__in=ids).delete()
            ProcessInstance.objects.filter(parent_id__in=ids).update(parent=None)
            instances += ProcessInstance.objects.filter(pk__in=ids).delete()[0]
    buffered = BufferedMessage.objects.filter(expires_at__lte=now).delete()[0]
    outbox = Outbox.objects.filter(published_at__lt=cutoff).delete()[0]
    return CleanupResult(instances=instances, history_events=events, buffered_messages=buffered, outbox=outbox)
