"""Citizen notices by email: confirmation, milestones reached, requests for information, the decision.

The confirmation is queued in the transaction that stores the application. Everything later is
found by :func:`scan_applications`, which ``civicflow worker`` runs: it reads each watched
application's new history events, from ``events_seen`` up to the instance's ``event_count``.
The step that wrote the events raised ``event_count`` in the same transaction, so nothing below
it is still uncommitted and no event is missed or read twice. The notices and the new position
are written together; the mail queue (:mod:`civicflow.web.mail`) sends and retries them, and
its per-event key means a notice is never queued twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from civicflow import parties
from civicflow.portal._accounts import applicant_id
from civicflow.portal._guides import GUIDES
from civicflow.portal.models import Application
from civicflow.runtime.models import HistoryEvent, InstanceStatus, ProcessInstance, UserTask
from civicflow.web.mail import queue_mail

__all__ = ["email_variable", "queue_confirmation", "scan_applications", "status_link"]

_COMPLETIONS = ("ElementCompleted", "ElementPassed")
_ENDS = ("InstanceCompleted", "InstanceTerminated")
_TYPES = (*_COMPLETIONS, *_ENDS, "TaskCreated")


def email_variable(applicant_variable: str) -> str:
    """Where a service's start form asks for the address: ``applicantId`` -> ``applicantEmail``."""
    return applicant_variable.removesuffix("Id") + "Email"


def status_link(reference: str) -> str:
    """The status page as an absolute link (``CIVICFLOW_PUBLIC_URL``): mail leaves the request behind."""
    base = str(getattr(settings, "PUBLIC_URL", "http://localhost:8000")).rstrip("/")
    return base + reverse("portal:application", kwargs={"reference": reference})


def _service_title(application: Application) -> str:
    guide = GUIDES.get(application.service)
    return guide.service.title.get(application.language) if guide else application.service


def _queue(application: Application, kind: str, subject: str, template: str, context: dict[str, Any]) -> None:
    body = render_to_string(
        f"portal/email/{template}.txt",
        {
            "reference": application.reference,
            "service": _service_title(application),
            "link": status_link(application.reference),
            **context,
        },
    )
    now = timezone.now()
    queue_mail(
        key=f"portal:{application.reference}:{kind}",
        to=application.email,
        owner=application.subject,
        subject=subject,
        body=body,
        language=application.language,
        now=now,
    )
    # the applicant's party record lists what the agency told them (issue #13)
    parties.record_case_message(application.instance_id, direction="sent", channel="email", subject=subject, now=now)


def queue_confirmation(application: Application) -> None:
    """The "we received your application" mail, in the application's language."""
    if not application.email:
        return
    with translation.override(application.language):
        subject = gettext("We received your application %(reference)s") % {"reference": application.reference}
        _queue(application, "submitted", subject, "submitted", {"signed_in": application.account_id is not None})


def _notices(application: Application, events: list[HistoryEvent]) -> None:
    guide = GUIDES.get(application.service)
    milestones = {m.element: m for m in guide.service.milestones} if guide else {}
    # the runtime fills a task's assignee from the model when it writes the task row: read it there
    created = [e.payload.get("key") for e in events if e.type == "TaskCreated"]
    mine = set(
        UserTask.objects.filter(
            instance_id=application.instance_id, key__in=created, assignee=applicant_id(application)
        ).values_list("key", flat=True)
    )
    with translation.override(application.language):
        for event in events:
            if event.type in _COMPLETIONS and event.element_id in milestones:
                label = milestones[event.element_id].label.get(application.language)
                subject = gettext("%(reference)s: %(step)s") % {"reference": application.reference, "step": label}
                _queue(application, f"milestone:{event.element_id}", subject, "milestone", {"step": label})
            elif event.type == "TaskCreated" and event.payload.get("key") in mine:
                subject = gettext("We need something from you for %(reference)s") % {"reference": application.reference}
                _queue(application, f"request:{event.payload.get('key')}", subject, "request", {})
            elif event.type in _ENDS:
                subject = gettext("Your application %(reference)s is finished") % {"reference": application.reference}
                _queue(application, "finished", subject, "finished", {})


def scan_applications(batch_size: int = 200) -> int:
    """Queue the notices for new events of watched applications; the number of applications read."""
    counts = ProcessInstance.objects.filter(pk=OuterRef("instance_id"))
    due = list(
        Application.objects.filter(watching=True)
        .annotate(event_count=Subquery(counts.values("event_count")), instance_status=Subquery(counts.values("status")))
        .filter(event_count__gt=F("events_seen"))
        .order_by("id")[:batch_size]
    )
    for application in due:
        upto = application.event_count
        events = list(
            HistoryEvent.objects.filter(
                instance_id=application.instance_id, seq__gte=application.events_seen, seq__lt=upto, type__in=_TYPES
            ).order_by("seq")
        )
        finished = application.instance_status != InstanceStatus.ACTIVE
        with transaction.atomic():
            # conditional: two workers reading the same application advance it once
            moved = Application.objects.filter(pk=application.pk, events_seen=application.events_seen).update(
                events_seen=upto, watching=not finished
            )
            if moved:
                _notices(application, events)
    return len(due)
