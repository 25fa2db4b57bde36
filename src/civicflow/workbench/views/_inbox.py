"""The inbox (tasks of the user's departments and their own) and claim / unclaim / delegate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from civicflow.runtime import services
from civicflow.runtime.errors import RuntimeServiceError
from civicflow.runtime.models import ProcessDefinition, UserTask
from civicflow.security import audit
from civicflow.workbench._access import departments, requires, visible_task, visible_tasks
from civicflow.workbench._filters import Priority, Sort, Status, read_filter
from civicflow.workbench._prediction import Forecast, forecast, with_predictions
from civicflow.workbench.views._common import back_to
from civicflow.workbench.views._notifications import notify_me

PAGE_SIZE = 25

_ID = 987654321  # a stand-in id, reversed once and replaced per row
_CASE = UUID(int=_ID)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    """A task in the inbox with its links, built without a URL reversal per link per row."""

    task: UserTask
    name: str
    case: str
    url: str
    case_url: str
    claim_url: str
    unclaim_url: str
    forecast: Forecast | None


def _rows(tasks: list[UserTask]) -> list[_Row]:
    # Reversing costs tens of microseconds each and a page has four links per row: reverse each
    # route once with a stand-in id and fill in the real ids by string replacement.
    task_url, claim_url, unclaim_url = (
        reverse(f"workbench:{route}", args=[_ID]) for route in ("task", "claim", "unclaim")
    )
    case_url = reverse("workbench:case", args=[_CASE])
    stand_in, case_stand_in = str(_ID), str(_CASE)
    return [
        _Row(
            task=task,
            name=task.name or task.element_id,
            case=task.instance.business_key or str(task.instance_id),
            url=task_url.replace(stand_in, str(task.pk)),
            case_url=case_url.replace(case_stand_in, str(task.instance_id)),
            claim_url=claim_url.replace(stand_in, str(task.pk)),
            unclaim_url=unclaim_url.replace(stand_in, str(task.pk)),
            forecast=forecast(
                getattr(task, "predicted_remaining", None),
                getattr(task, "predicted_risk", None),
                getattr(task, "predicted_overdue", None),
            ),
        )
        for task in tasks
    ]


def _services() -> list[tuple[str, str]]:
    names: dict[str, str] = {}
    latest_last = ProcessDefinition.objects.order_by("process_id", "version")
    for process_id, name in latest_last.values_list("process_id", "name"):
        names[process_id] = name or process_id
    return sorted(names.items(), key=lambda item: item[1].lower())


@require_safe
@requires("view_inbox")
def inbox(request: HttpRequest) -> HttpResponse:
    found = read_filter(request.GET)
    username = request.user.get_username()
    tasks = found.apply(with_predictions(visible_tasks(request.user).select_related("instance__definition")), username)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": found,
        "page": page,
        "rows": _rows(list(page.object_list)),
        "here": request.get_full_path(),
        "me": username,
        "query": query.urlencode(),
        "departments": departments(request.user),
        "notify_me": notify_me(request.user),
        "services": _services(),
        "statuses": [
            (Status.ANY, _("Any")),
            (Status.UNCLAIMED, _("Unclaimed")),
            (Status.CLAIMED, _("Claimed")),
            (Status.MINE, _("Claimed by me")),
        ],
        "priorities": [
            (Priority.ANY, _("Any")),
            (Priority.HIGH, _("High")),
            (Priority.NORMAL, _("Normal")),
            (Priority.LOW, _("Low")),
        ],
        "sorts": [(Sort.DUE, _("Due date")), (Sort.PRIORITY, _("Priority")), (Sort.CREATED, _("Created"))],
        "error_summary": [{"href": f"#{field}", "text": text} for field, text in found.errors],
    }
    return render(request, "workbench/inbox.html", context, status=400 if found.errors else 200)


def _task_url(task_id: int) -> str:
    return reverse("workbench:task", args=[task_id])


@require_POST
@requires("work_task")
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    task = visible_task(request.user, task_id)
    try:
        with transaction.atomic():
            services.claim_task(task.pk, request.user.get_username())
            audit.record(actor=f"user:{request.user.pk}", action="TaskClaimed", obj=("task", str(task.pk)))
    except RuntimeServiceError:
        messages.error(request, _("This task is already claimed by someone else."))
    else:
        messages.success(request, _("You claimed the task “%(name)s”.") % {"name": task.name or task.element_id})
    return redirect(back_to(request, _task_url(task.pk)))


@require_POST
@requires("work_task")
def unclaim(request: HttpRequest, task_id: int) -> HttpResponse:
    task = visible_task(request.user, task_id)
    try:
        services.unclaim_task(task.pk, request.user.get_username())
    except RuntimeServiceError:
        messages.error(request, _("Only the person who claimed this task can give it back."))
    else:
        messages.success(request, _("The task is back in the department's queue."))
    return redirect(back_to(request, reverse("workbench:index")))


def colleagues(user: Any, task_groups: list[str]) -> list[str]:
    """Staff who share a department with the user among the task's candidate groups (not the user)."""
    if not task_groups:
        return []
    # One filter() call, so both conditions hold for the same group: a department the task is
    # offered to that the user also works for (a subquery, not a second round trip).
    users = get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name__in=sorted(set(task_groups)), groups__in=user.groups.all()
    )
    return sorted({u.get_username() for u in users} - {user.get_username()})


@require_POST
@requires("work_task")
def delegate(request: HttpRequest, task_id: int) -> HttpResponse:
    task = visible_task(request.user, task_id)
    me = request.user.get_username()
    colleague = request.POST.get("colleague", "")
    groups = list(task.candidates.filter(kind="group").values_list("name", flat=True))
    if colleague not in colleagues(request.user, groups):
        messages.error(request, _("Choose a colleague from your department."))
        return redirect(_task_url(task.pk))
    try:
        with transaction.atomic():
            if task.assignee is not None:
                services.unclaim_task(task.pk, me)
            services.claim_task(task.pk, colleague)
            to = get_user_model().objects.get(username=colleague).pk  # a reference, not the name
            audit.record(
                actor=f"user:{request.user.pk}", action="TaskDelegated", obj=("task", str(task.pk)), details={"to": to}
            )
    except RuntimeServiceError:
        messages.error(request, _("Only the person who claimed this task can give it to a colleague."))
        return redirect(_task_url(task.pk))
    messages.success(request, _("The task is now assigned to %(user)s.") % {"user": colleague})
    return redirect(reverse("workbench:index"))
