"""The case page: timeline, current waits, comments and the diagram showing where the case is."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from civicflow.parties.evidence import case_evidence
from civicflow.runtime.models import ProcessInstance, TaskState, UserTask
from civicflow.security import audit, policy
from civicflow.workbench._access import requires
from civicflow.workbench._prediction import case_forecast
from civicflow.workbench._timeline import active_elements, timeline
from civicflow.workbench.models import Comment
from civicflow.workbench.views._parties import case_parties

MAX_COMMENT = 5000


def _instance(user: Any, instance_id: UUID, action: str = "view_case") -> ProcessInstance:
    found = ProcessInstance.objects.select_related("definition__resource").filter(pk=instance_id).first()
    if found is None or not policy.can(user, action, instance_id):
        raise Http404
    return found


def _page(
    request: HttpRequest, instance: ProcessInstance, *, comment: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    active = active_elements(instance)
    context = {
        "instance": instance,
        "timeline": timeline(instance),
        "active": active,
        "open_tasks": UserTask.objects.filter(instance_id=instance.pk, state=TaskState.CREATED).order_by("created"),
        "comments": Comment.objects.filter(instance_id=instance.pk),
        "comment": comment,
        "comment_error": error,
        "error_summary": [{"href": "#comment", "text": error}] if error else [],
        "prediction": case_forecast(instance),
        "parties": case_parties(request.user, instance.pk),
        "evidence": case_evidence(instance.pk),
        "diagram": {"xml": instance.definition.resource.content, "active": [a.element_id for a in active]},
    }
    return render(request, "workbench/case.html", context, status=status)


@require_safe
@requires("view_case")
def case(request: HttpRequest, instance_id: UUID) -> HttpResponse:
    instance = _instance(request.user, instance_id)
    # the page shows the case's data: a read of personal data, so it is audited
    audit.record(actor=f"user:{request.user.pk}", action="CaseViewed", obj=("instance", str(instance.pk)))
    return _page(request, instance)


@require_POST
@requires("comment_case")
def add_comment(request: HttpRequest, instance_id: UUID) -> HttpResponse:
    instance = _instance(request.user, instance_id, "comment_case")
    text = (request.POST.get("comment") or "").strip()
    if not text:
        return _page(request, instance, error=_("Enter a comment"), status=400)
    if len(text) > MAX_COMMENT:
        error = _("The comment must be %(count)d characters or fewer") % {"count": MAX_COMMENT}
        return _page(request, instance, comment=text, error=error, status=400)
    Comment.objects.create(
        instance_id=instance.pk,
        author=request.user,
        author_name=request.user.get_full_name() or request.user.get_username(),
        text=text,
        created=timezone.now(),
    )
    messages.success(request, _("Comment added."))
    return redirect(reverse("workbench:case", args=[instance.pk]) + "#comments")
