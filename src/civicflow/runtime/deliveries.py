"""Delivering the messages and signals an instance threw (jobs written by :mod:`civicflow.runtime.throws`).

Each delivery runs in its own transaction, after the throwing step committed: the job row is
locked first and deleted with the delivery, so a message or a signal reaches each receiver
exactly once even when a worker dies half-way or two workers pick up the same job.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.db import transaction

from civicflow.engine import BroadcastSignal, CommandRejectedError
from civicflow.runtime import step
from civicflow.runtime.errors import CommandRefusedError, NotFoundError
from civicflow.runtime.models import Job, JobKind, ProcessDefinition, SignalSubscription
from civicflow.runtime.personal import open_payload
from civicflow.runtime.throws import delivery_job
from civicflow.runtime.values import decode_value

__all__ = ["deliver"]


def deliver(job: Job) -> bool:
    """Deliver one message or signal job; False when it was gone (delivered by someone else).

    Raises :class:`~civicflow.runtime.errors.MessageNotCorrelatedError` when a message finds
    nobody and may not be buffered (the caller fails the job, which retries with backoff).
    """
    with transaction.atomic():
        current = Job.objects.select_for_update().filter(pk=job.pk, instance__isnull=True).first()
        if current is None:
            return False
        payload = dict(current.payload or {})
        # the thrown variables were sealed under the sender's subject: opened only to hand them on
        if current.kind == JobKind.MESSAGE:
            _deliver_message(open_payload(payload, for_display=False))
        elif "target" in payload or "start" in payload:
            _deliver_signal_to(open_payload(payload, for_display=False))
        else:
            _fan_out(current, payload)
        current.delete()
    return True


def _deliver_message(payload: Mapping[str, Any]) -> None:
    from civicflow.runtime.services import correlate_message

    ttl = payload.get("ttl")
    correlate_message(
        payload["name"],
        payload.get("correlation"),
        decode_value(payload.get("variables") or {}),
        ttl=timedelta(seconds=ttl) if ttl else None,
    )


def _fan_out(job: Job, payload: dict[str, Any]) -> None:
    """One job per receiver, written in this transaction: each receiver then advances on its own."""
    name, source = payload["name"], payload.get("source")
    waiting = SignalSubscription.objects.filter(name=name, instance__isnull=False).exclude(instance_id=source)
    targets = list(dict.fromkeys(str(i) for i in waiting.order_by("id").values_list("instance_id", flat=True)))
    starts = SignalSubscription.objects.filter(name=name, definition__isnull=False).order_by("id")
    receivers = [{"target": t} for t in targets] + [
        {"start": s.definition_id, "element": s.element_id} for s in starts if s.definition_id is not None
    ]
    Job.objects.bulk_create(
        delivery_job(JobKind.SIGNAL, job.element_id, str(source), {**payload, **receiver}, job.due_at)
        for receiver in receivers
    )


def _deliver_signal_to(payload: Mapping[str, Any]) -> None:
    variables = decode_value(payload.get("variables") or {})
    if "start" in payload:
        definition = ProcessDefinition.objects.filter(pk=payload["start"]).first()
        if definition is not None:
            step.start(definition, variables=variables, start_event=payload.get("element"))
        return
    # the instance may have moved on or ended since the signal was thrown: nothing to deliver then
    with suppress(CommandRefusedError, CommandRejectedError, NotFoundError):
        step.run(payload["target"], BroadcastSignal(name=payload["name"], variables=variables))
