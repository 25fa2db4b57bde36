"""The workbench's use of the one authorization policy (civicflow.security.policy).

Departments are the user's Django groups; the policy decides per action and object.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from civicflow.runtime.models import TaskState, UserTask
from civicflow.security import policy

__all__ = ["departments", "may_see_instance", "requires", "visible_task", "visible_tasks"]

LOGIN_URL = "workbench:login"


def requires(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous visitors go to the sign-in page; accounts the policy refuses the action get 403."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy.can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked, login_url=LOGIN_URL)

    return decorate


def departments(user: Any) -> list[str]:
    """The candidate groups the user works for: their Django groups."""
    return policy.group_names(user)


def visible_tasks(user: Any, *, state: str = TaskState.CREATED) -> QuerySet[UserTask]:
    """Open tasks of the user's departments, offered to them by name, or assigned to them."""
    return UserTask.objects.filter(state=state).filter(policy.task_visibility(user))


def visible_task(user: Any, task_id: int, action: str = "work_task") -> UserTask:
    """The task if the policy lets the user act on it; 404 otherwise (not 403: existence is not revealed)."""
    # The task page shows the case and its service: fetched with the task, not again by the template.
    granted = policy.scope(user, action)
    if granted is None:
        raise Http404
    found = UserTask.objects.select_related("instance__definition").filter(pk=task_id)
    if granted is policy.Scope.DEPARTMENT:  # policy.can's object rule, in the same query
        found = found.filter(policy.task_visibility(user))
    task = found.first()
    if task is None:
        raise Http404
    return task


def may_see_instance(user: Any, instance_id: UUID) -> bool:
    """A case is visible when the policy says so (its department has or had a task on it; auditors all)."""
    return policy.can(user, "view_case", instance_id)
