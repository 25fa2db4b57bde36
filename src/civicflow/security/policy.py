"""One authorization policy: who may do what, for the workbench, the REST API, the portal and the admin.

Deny by default: an action missing from ``RULES``, or a role missing from an action's row, is refused.
A principal has roles: a staff or citizen account one (``role_of``), an API token one per scope it
carries (``Role.API_*``), a portal visitor (:class:`Visitor`) "citizen" when signed in, else
"anonymous". Object rules narrow a role's "yes": to the cases and tasks of the user's departments,
to the citizen's own applications, or to the external tasks of the token's topics. The table is the
policy; docs/security.md "Authorization" shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db.models import Q

__all__ = [
    "ACTIONS",
    "RULES",
    "Role",
    "Scope",
    "Visitor",
    "can",
    "group_names",
    "role_of",
    "roles_of",
    "scope",
    "task_visibility",
]

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
    # an API token holds one role per scope (civicflow.api.tokens)
    API_READ = "api:read"
    API_START = "api:start"
    API_WORK = "api:work"  # work:<topic>, work:*
    API_METRICS = "api:metrics"
    API_ADMIN = "api:admin"


class Scope(StrEnum):
    ALL = "all"  # every object
    DEPARTMENT = "department"  # objects the user's departments have or had a task on
    OWN = "own"  # the citizen's own applications: by account, or by the secret given in this session
    TOPIC = "topic"  # external tasks of the topics the token's work:<topic> scopes name


@dataclass(frozen=True, slots=True, kw_only=True)
class Visitor:
    """A portal visitor: the signed-in citizen account (if any) and the references this session
    proved it may see (it submitted them, or gave their secret)."""

    account_id: int | None = None
    references: frozenset[str] = field(default_factory=frozenset)


_ANON, _CIT = Role.ANONYMOUS, Role.CITIZEN
_CW, _HEAD, _PA, _AUD, _SA = (
    Role.CASEWORKER,
    Role.DEPARTMENT_HEAD,
    Role.PROCESS_ADMIN,
    Role.AUDITOR,
    Role.SYSTEM_ADMIN,
)
_TR, _TS, _TW, _TM, _TA = Role.API_READ, Role.API_START, Role.API_WORK, Role.API_METRICS, Role.API_ADMIN
_A, _D, _O, _T = Scope.ALL, Scope.DEPARTMENT, Scope.OWN, Scope.TOPIC

# action -> {role: scope}. A role not in the row is refused. The workbench asks with the signed-in
# account, the API with the token (or a staff session), the portal with a Visitor, the admin with the
# account.
RULES: dict[str, dict[Role, Scope]] = {
    "view_inbox": {_CW: _A, _HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    "view_case": {_CW: _D, _HEAD: _D, _PA: _D, _AUD: _A, _SA: _A},
    "comment_case": {_CW: _D, _HEAD: _D, _PA: _D, _SA: _D},
    "view_task": {_CW: _D, _HEAD: _D, _PA: _D, _AUD: _A, _SA: _A, _TR: _A, _TA: _A},
    "work_task": {_CW: _D, _HEAD: _D, _PA: _D, _SA: _D, _TS: _A, _TA: _A},
    "deploy": {_PA: _A, _SA: _A, _TA: _A},
    "view_incidents": {_PA: _A, _AUD: _A, _SA: _A, _TR: _A, _TA: _A},
    "retry_incident": {_PA: _A, _SA: _A, _TA: _A},
    "view_kpis": {_CW: _A, _HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    "view_alerts": {_CW: _D, _HEAD: _D, _PA: _D, _AUD: _A, _SA: _A},
    "assess": {_CW: _A, _HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    # what-if simulation (fitting reads every case's history; a scenario changes nothing real)
    "simulate": {_HEAD: _A, _PA: _A, _AUD: _A, _SA: _A},
    # pilots of a candidate process version (issue #14): reading the dashboard and the API's status;
    # starting, adopting and stopping one changes which version new cases of a service run
    "view_pilots": {_HEAD: _A, _PA: _A, _AUD: _A, _SA: _A, _TR: _A, _TA: _A},
    "manage_pilots": {_PA: _A, _SA: _A, _TA: _A},
    "admin": {_SA: _A},
    # the REST API: definitions, instances, history, decisions (a staff session reads only where it
    # sees every case: the API's lists are not filtered by department)
    "api_read": {_AUD: _A, _SA: _A, _TR: _A, _TA: _A},
    "api_start": {_SA: _A, _TS: _A, _TA: _A},  # start instances, correlate messages, broadcast signals
    "api_manage": {_SA: _A, _TA: _A},  # variables, cancel, modify, migrate
    "api_work": {_TW: _T, _TA: _A},  # external tasks: fetch-and-lock, extend, complete, fail
    "api_metrics": {_TM: _A, _TA: _A},
    # a party's record (issue #13): staff see only the cases of their departments in it (purpose
    # limitation, civicflow.parties.open_party_record), and only of a party with such a case
    "view_party": {_CW: _D, _HEAD: _D, _PA: _D, _AUD: _A, _SA: _A, _TR: _A, _TA: _A},
    # the portal
    "view_application": {_ANON: _O, _CIT: _O},
    "my_applications": {_CIT: _A},
    "my_record": {_CIT: _A},  # the signed-in citizen's own party record
}
ACTIONS = frozenset(RULES)

_TOKEN_ROLES = {"read": _TR, "start": _TS, "metrics": _TM, "admin": _TA}
_PREFERENCE = (_A, _D, _O, _T)  # the broadest scope first, when a token's roles overlap


def role_of(user: Any) -> Role:
    """The one role of an account or portal visitor; the most powerful wins when groups overlap."""
    if isinstance(user, Visitor):
        return Role.CITIZEN if user.account_id is not None else Role.ANONYMOUS
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return Role.ANONYMOUS
    cached: Role | None = getattr(user, "_civicflow_role", None)
    if cached is None:
        # once per request's user object: a page asks the policy several times
        cached = user._civicflow_role = _role(user)
    return cached


def _api_scopes(principal: Any) -> tuple[str, ...] | None:
    # an API token's principal (civicflow.api.auth.TokenPrincipal) carries its scopes; security sits
    # below the API in the import contract, so it is recognised by that attribute
    found: Iterable[str] | None = getattr(principal, "api_scopes", None)
    return None if found is None else tuple(found)


def roles_of(principal: Any) -> frozenset[Role]:
    """Every role of the principal: one per scope for an API token, else ``{role_of(principal)}``."""
    held = _api_scopes(principal)
    if held is None:
        return frozenset({role_of(principal)})
    return frozenset(role for role in map(_token_role, held) if role is not None)


def _token_role(api_scope: str) -> Role | None:
    return _TW if api_scope.startswith("work:") else _TOKEN_ROLES.get(api_scope)


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
    """The scope the principal's roles have for the action; None when refused (unknown actions too)."""
    row = RULES.get(action, {})
    granted = {row[role] for role in roles_of(user) if role in row}
    return next((s for s in _PREFERENCE if s in granted), None)


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


def _party_of_department(user: Any, party: Any) -> bool:
    # a civicflow.parties Party: some case of it is one of the user's departments' (parties sits above
    # security in the import contract, so its model is looked up, like the runtime's)
    cases = apps.get_model("parties", "PartyCase").objects.filter(party_id=party.pk).values("instance_id")
    return bool(_runtime("UserTask").objects.filter(instance_id__in=cases).filter(task_visibility(user)).exists())


def _is_party(obj: Any) -> bool:
    meta = getattr(obj, "_meta", None)
    return meta is not None and meta.label == "parties.Party"


def _own_application(visitor: Any, application: Any) -> bool:
    # an application (civicflow.portal.models.Application): its account, or its reference proven
    # by the secret in this session; anything but a Visitor (a staff account, a token) owns none
    if not isinstance(visitor, Visitor):
        return False
    owner = getattr(application, "account_id", None)
    if owner is not None and owner == visitor.account_id:
        return True
    return getattr(application, "reference", None) in visitor.references


def _token_topic(principal: Any, topic: Any) -> bool:
    topics = {s.removeprefix("work:") for s in _api_scopes(principal) or () if s.startswith("work:")}
    return "*" in topics or str(topic) in topics


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May the principal do the action (on the object)?

    Objects: a ProcessInstance or its id, a UserTask or a parties Party (department rule); an
    Application (own application rule); an external task's topic (topic rule). Without an object
    the answer is whether the principal may do the action on some object.
    """
    granted = scope(user, action)
    if granted is None:
        return False
    if granted is Scope.ALL or obj is None:
        return True
    if granted is Scope.OWN:
        return _own_application(user, obj)
    if granted is Scope.TOPIC:
        return _token_topic(user, obj)
    if _is_party(obj):
        return _party_of_department(user, obj)
    tasks = _runtime("UserTask")
    if isinstance(obj, tasks):
        return bool(tasks.objects.filter(pk=obj.pk).filter(task_visibility(user)).exists())
    return _case_of_department(user, getattr(obj, "pk", obj))
