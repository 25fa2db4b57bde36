"""One authorization policy: who may do what, for the workbench, the admin and (later) the API and portal.

Deny by default: an action missing from ``RULES``, or a role missing from an action's row, is refused.
Roles come from the account (``role_of``); object rules (a case, a task) narrow a role's "yes" to the
objects of the user's departments. The table is the policy; docs/security.md "Authorization" shows it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db.models import Q

__all__ = ["ACTIONS", "RULES", "Role", "Scope", "can", "group_names", "role_of", "scope", "task_visibility"]

PROCESS_ADMINS = "process-admins"
AUDITORS = "auditors"
HEAD_SUFFIX = "-head"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"  # signed in, not staff
    STAFF_WITHOUT_ROLE = "staff-without-role"  # staff flag but no department or role group: denied
    CASEWORKER = "caseworker"  # a department group
    DEPARTMENT_HEAD = "department-head"  # a "<department>-head" group
    PROCESS_ADMIN = "process-admin"  # group "process-admins"
    AUDITOR = "auditor"  # group "auditors": reads everything, changes nothing
    SYSTEM_ADMIN = "system-admin"  # superuser


class Scope(StrEnum):
    ALL = "all"  # every object
    DEPARTMENT = "department"  # objects the user's departments have or had a task on


_CW, _HEAD, _PA, _AUD, _SA = (
    Role.CASEWORKER,
    Role.DEPARTMENT_HEAD,
    Role.PROCESS_ADMIN,
    Role.AUDITOR,
    Role.SYSTEM_ADMIN,
)
_A, _D = Scope.ALL, Scope.DEPARTMENT

# action -> {role: scope}. A role not in the row is refused.
RULES: dict[str, dict[Role, Scope]] = {
    "view_inbox": {_CW: _A, _HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    "view_case": {_CW: _D, _HEAD: _D, _PA: _D, _AUD: _A, _SA: _A},
    "comment_case": {_CW: _D, _HEAD: _D, _PA: _D, _SA: _D},
    "work_task": {_CW: _D, _HEAD: _D, _PA: _D, _SA: _D},
    "deploy": {_PA: _A, _SA: _A},
    "view_incidents": {_PA: _A, _AUD: _A, _SA: _A},
    "retry_incident": {_PA: _A, _SA: _A},
    "view_kpis": {_CW: _A, _HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    "view_alerts": {_CW: _D, _HEAD: _D, _PA: _D, _AUD: _A, _SA: _A},
    "assess": {_CW: _A, _HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    "admin": {_SA: _A},
}
ACTIONS = frozenset(RULES)


def role_of(user: Any) -> Role:
    """The one role of an account; the most powerful wins when groups overlap."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.ANONYMOUS
    cached: Role | None = getattr(user, "_civicflow_role", None)
    if cached is None:
        # once per request's user object: a page asks the policy several times
        cached = user._civicflow_role = _role(user)
    return cached


def group_names(user: Any) -> list[str]:
    """The user's Django groups (departments and role groups), sorted; read once per user object."""
    cached: list[str] | None = getattr(user, "_civicflow_groups", None)
    if cached is None:
        cached = user._civicflow_groups = sorted(user.groups.values_list("name", flat=True))
    return cached


def _role(user: Any) -> Role:
    if user.is_superuser:
        return Role.SYSTEM_ADMIN
    if not user.is_staff:
        return Role.CITIZEN
    groups = set(group_names(user))
    if PROCESS_ADMINS in groups:
        return Role.PROCESS_ADMIN
    if AUDITORS in groups:
        return Role.AUDITOR
    if any(name.endswith(HEAD_SUFFIX) for name in groups):
        return Role.DEPARTMENT_HEAD
    if groups:
        return Role.CASEWORKER
    return Role.STAFF_WITHOUT_ROLE


def scope(user: Any, action: str) -> Scope | None:
    """The scope the user's role has for the action; None when refused (unknown actions too)."""
    return RULES.get(action, {}).get(role_of(user))


def _runtime(model: str) -> Any:
    # runtime and security are one layer (pyproject's import contract): the task models are looked up,
    # not imported
    return apps.get_model("runtime", model)


def task_visibility(user: Any) -> Q:
    """UserTask filter: tasks offered to the user's departments or to them by name, or theirs."""
    TaskCandidate = _runtime("TaskCandidate")  # noqa: N806 - a model class
    # The departments go in as a subquery, not a list fetched first: one query fewer per page.
    mine = user.groups.values("name")
    candidates = TaskCandidate.objects.filter(
        Q(kind=TaskCandidate.GROUP, name__in=mine) | Q(kind=TaskCandidate.USER, name=user.get_username())
    )
    username = user.get_username()
    return Q(pk__in=candidates.values("task_id")) | Q(assignee=username) | Q(completed_by=username)


def _case_of_department(user: Any, instance_id: Any) -> bool:
    return bool(_runtime("UserTask").objects.filter(instance_id=instance_id).filter(task_visibility(user)).exists())


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May the user do the action (on the object: a ProcessInstance, its id, or a UserTask)?"""
    granted = scope(user, action)
    if granted is None:
        return False
    if granted is Scope.ALL or obj is None:
        return True
    tasks = _runtime("UserTask")
    if isinstance(obj, tasks):
        return bool(tasks.objects.filter(pk=obj.pk).filter(task_visibility(user)).exists())
    return _case_of_department(user, getattr(obj, "pk", obj))
