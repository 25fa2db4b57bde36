"""Who may see what: staff only, and a caseworker sees the tasks of their departments.

Departments are the user's Django groups. Object-level rules beyond that (roles per service,
four-eyes, data minimisation per department) come with the security issue (docs/workbench.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from civicflow.runtime.models import TaskCandidate, TaskState, UserTask

__all__ = ["departments", "may_see_instance", "staff_required", "visible_task", "visible_tasks"]

LOGIN_URL = "workbench:login"


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the sign-in page; signed-in accounts without ``is_staff`` get 403."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(checked, login_url=LOGIN_URL)


def departments(user: Any) -> list[str]:
    """The candidate groups the user works for: their Django groups."""
    return sorted(user.groups.values_list("name", flat=True))


def _visible(user: Any) -> Q:
    # The departments go in as a subquery, not a list fetched first: one query fewer per page,
    # and a page that also shows the departments does not read them twice.
    mine = user.groups.values("name")
    candidates = TaskCandidate.objects.filter(
        Q(kind=TaskCandidate.GROUP, name__in=mine) | Q(kind=TaskCandidate.USER, name=user.get_username())
    )
    return Q(pk__in=candidates.values("task_id")) | Q(assignee=user.get_username())


def visible_tasks(user: Any, *, state: str = TaskState.CREATED) -> QuerySet[UserTask]:
    """Open tasks of the user's departments, offered to them by name, or assigned to them."""
    return UserTask.objects.filter(state=state).filter(_visible(user))


def visible_task(user: Any, task_id: int) -> UserTask:
    """The task if the user may see it; 404 otherwise (not 403: existence is not revealed)."""
    visible = _visible(user) | Q(completed_by=user.get_username())
    # The task page shows the case and its service: fetched with the task, not again by the template.
    task = UserTask.objects.select_related("instance__definition").filter(pk=task_id).filter(visible).first()
    if task is None:
        raise Http404
    return task


def may_see_instance(user: Any, instance_id: UUID) -> bool:
    """A case is visible when one of its tasks (open or done) is or was the user's department's."""
    if user.is_superuser:
        return True
    return (
        UserTask.objects.filter(instance_id=instance_id)
        .filter(_visible(user) | Q(completed_by=user.get_username()))
        .exists()
    )
