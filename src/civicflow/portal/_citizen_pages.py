"""The signed-in citizen's pages: "my applications", issued documents, the satisfaction answer.

"My applications" reads every application of the account in a fixed number of queries (their
instances, last milestones, open requests and documents), newest first, at most ``MY_LIMIT``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from civicflow.portal import _accounts, _documents, _satisfaction
from civicflow.portal._guides import GUIDES
from civicflow.portal.models import Application, IssuedDocument
from civicflow.portal.views import _application, _card, _language
from civicflow.runtime.models import HistoryEvent, InstanceStatus, ProcessInstance, TaskState, UserTask
from civicflow.security import policy

__all__ = ["MY_LIMIT", "document", "my_applications", "satisfaction"]

MY_LIMIT = 100


def _last_milestones(applications: list[Application], language: str) -> dict[UUID, str]:
    labels = {
        (guide.service.id, m.element): m.label.get(language)
        for guide in GUIDES.values()
        for m in guide.service.milestones
    }
    service_of = {a.instance_id: a.service for a in applications}
    rows = HistoryEvent.objects.filter(
        instance_id__in=list(service_of),
        type__in=("ElementCompleted", "ElementPassed"),
        element_id__in={element for _service, element in labels},
    ).order_by("instance_id", "seq")
    last: dict[UUID, str] = {}
    for instance_id, element in rows.values_list("instance_id", "element_id"):
        label = labels.get((service_of[instance_id], element or ""))
        if label:
            last[instance_id] = label
    return last


@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's applications across services; sign in first otherwise."""
    account = _accounts.citizen(request)
    if account is None or not policy.can(policy.Visitor(account_id=account.pk), "my_applications"):
        return redirect(reverse("portal:sign-in") + "?" + urlencode({"next": reverse("portal:my")}))
    language = _language()
    applications = list(
        Application.objects.filter(account=account, service__in=list(GUIDES)).order_by("-created", "-id")[:MY_LIMIT]
    )
    ids = [a.instance_id for a in applications]
    statuses = dict(ProcessInstance.objects.filter(pk__in=ids).values_list("pk", "status"))
    milestones = _last_milestones(applications, language)
    me = _accounts.citizen_id(account.pk)
    open_requests: dict[UUID, int] = {}
    for instance_id in UserTask.objects.filter(instance_id__in=ids, assignee=me, state=TaskState.CREATED).values_list(
        "instance_id", flat=True
    ):
        open_requests[instance_id] = open_requests.get(instance_id, 0) + 1
    documents: dict[UUID, list[IssuedDocument]] = {}
    for doc in IssuedDocument.objects.filter(instance_id__in=ids).defer("content"):
        documents.setdefault(doc.instance_id, []).append(doc)
    rows: list[dict[str, Any]] = []
    for a in applications:
        status = statuses.get(a.instance_id)
        if status == InstanceStatus.ACTIVE:
            state = milestones.get(a.instance_id) or gettext("Received")
        elif status is None:
            state = gettext("Closed")
        else:
            state = gettext("Finished")
        rows.append(
            {
                "reference": a.reference,
                "service": GUIDES[a.service].service.title.get(language),
                "submitted": a.created,
                "status": state,
                "finished": status not in (None, InstanceStatus.ACTIVE),
                "requests": open_requests.get(a.instance_id, 0),
                "documents": documents.get(a.instance_id, []),
            }
        )
    context = {"account": account, "applications": rows, "needs_action": sum(1 for r in rows if r["requests"])}
    return render(request, "portal/my_applications.html", context)


@require_safe
def document(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    """An issued document of an application this session may see; 404 otherwise."""
    return _documents.download(request, _application(request, reference), document_id)


@require_POST
def satisfaction(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the answer to the satisfaction question (once per application)."""
    found = _application(request, reference)
    score, comment, errors = _satisfaction.read_answer(request.POST)
    if errors or score is None:
        context = {
            "service": _card(GUIDES[found.service]),
            "reference": reference,
            "satisfaction": _satisfaction.question(found, score, comment, errors),
            "errors": errors,
        }
        return render(request, "portal/satisfaction.html", context)
    _satisfaction.record(found, score, comment, _language())
    return redirect(reverse("portal:application", kwargs={"reference": reference}) + "#satisfaction")
