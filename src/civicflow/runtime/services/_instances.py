"""Starting instances and operating on them (variables, cancel, incidents, token moves)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection

from civicflow.engine import CancelInstance, ModifyInstance, ResolveIncident, SetVariables
from civicflow.runtime import step
from civicflow.runtime.definitions import definition_row
from civicflow.runtime.errors import CommandRefusedError, NotFoundError
from civicflow.runtime.models import Incident, IncidentState, ProcessDefinition, ProcessInstance

__all__ = [
    "VersionRoute",
    "VersionRouter",
    "add_version_router",
    "cancel_instance",
    "definition_for",
    "modify_instance",
    "retry_incident",
    "route_version",
    "set_variables",
    "start_instance",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionRoute:
    """The version a router gives a new instance, and what to record once it has started."""

    version: int
    started: Callable[[UUID], None]  # called with the new instance's id once it has started


# (process id, business key, start variables) -> a route, or None to leave the choice to the caller
VersionRouter = Callable[[str, str | None, Mapping[str, Any]], VersionRoute | None]
_routers: list[VersionRouter] = []


def add_version_router(router: VersionRouter) -> None:
    """Let ``router`` pick the version of instances started without one (a pilot; idempotent).

    Apps above the runtime register here (civicflow.pilots), so the runtime imports none of them.
    """
    if router not in _routers:
        _routers.append(router)


def route_version(process_id: str, business_key: str | None, variables: Mapping[str, Any]) -> VersionRoute | None:
    """The route the registered routers give a new instance; None: the caller's choice (the latest)."""
    for router in _routers:
        found = router(process_id, business_key, variables)
        if found is not None:
            return found
    return None


def definition_for(process_id: str, version: int | None = None) -> ProcessDefinition:
    """The definition of ``process_id`` at ``version``, or its latest version."""
    # Which id is the latest version is asked of the database every time (a deployment by another
    # process must be seen at once), in plain SQL: on every start the ORM query and the model
    # instance cost more CPU than the database does. The row itself is cached (it never changes).
    table = ProcessDefinition._meta.db_table
    with connection.cursor() as cursor:
        if version is None:
            cursor.execute(
                f"SELECT id FROM {table} WHERE process_id = %s ORDER BY version DESC LIMIT 1",  # noqa: S608 - our table  # nosec B608
                [process_id],
            )
        else:
            cursor.execute(
                f"SELECT id FROM {table} WHERE process_id = %s AND version = %s",  # noqa: S608 - our table  # nosec B608
                [process_id, version],
            )
        row = cursor.fetchone()
    definition = definition_row(row[0], process_id) if row is not None else None
    if definition is None:
        what = f"{process_id!r} version {version}" if version is not None else repr(process_id)
        raise NotFoundError(f"no deployed process {what}", kind="process", key=process_id)
    return definition


def start_instance(
    process_id: str,
    *,
    version: int | None = None,
    business_key: str | None = None,
    variables: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    start_event: str | None = None,
) -> ProcessInstance:
    """Start an instance and run it to its first wait state.

    The same ``idempotency_key`` always answers the instance it first started. A
    ``business_key`` is unique per definition: a second start with it is refused.
    """
    if idempotency_key is not None:
        existing = ProcessInstance.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    route = route_version(process_id, business_key, variables or {}) if version is None else None
    definition = definition_for(process_id, route.version if route is not None else version)
    if business_key is not None and _business_key_taken(definition, business_key):
        raise CommandRefusedError(
            f"business key {business_key!r} is already used by an instance of {definition.key}",
            command="StartInstance",
        )
    try:
        result = step.start(
            definition,
            variables=dict(variables or {}),
            business_key=business_key,
            idempotency_key=idempotency_key,
            start_event=start_event,
        )
    except IntegrityError:
        # a concurrent start with the same key won the insert
        if idempotency_key is not None:
            existing = ProcessInstance.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise CommandRefusedError(
            f"business key {business_key!r} is already used by an instance of {definition.key}",
            command="StartInstance",
        ) from None
    if route is not None:
        route.started(result.instance.pk)
    return result.instance


def _business_key_taken(definition: ProcessDefinition, business_key: str) -> bool:
    return ProcessInstance.objects.filter(definition=definition, business_key=business_key).exists()


def set_variables(
    instance_id: UUID | str, variables: Mapping[str, Any], *, scope: int | None = None
) -> ProcessInstance:
    """Set variables (root scope unless ``scope``); conditional events are re-evaluated."""
    return step.run(instance_id, SetVariables(variables=dict(variables), scope=scope)).instance


def cancel_instance(instance_id: UUID | str, *, reason: str = "canceled") -> ProcessInstance:
    """Terminate an instance and everything it waits on."""
    return step.run(instance_id, CancelInstance(reason=reason)).instance


def retry_incident(incident_id: int, *, retries: int = 1) -> ProcessInstance:
    """Resolve an incident: a failed job gets ``retries`` again, a failed element runs again."""
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise NotFoundError(f"no incident {incident_id}", kind="incident", key=incident_id)
    if incident.state != IncidentState.OPEN:
        raise CommandRefusedError(
            f"incident {incident_id} is already resolved",
            instance_id=str(incident.instance_id),
            command="ResolveIncident",
        )
    return step.run(incident.instance_id, ResolveIncident(incident=incident.key, retries=retries)).instance


def modify_instance(
    instance_id: UUID | str,
    *,
    activate: Sequence[str] = (),
    terminate: Sequence[str] = (),
    variables: Mapping[str, Any] | None = None,
) -> ProcessInstance:
    """Move tokens (an administrator's repair): end the ``terminate`` elements, start ``activate``."""
    command = ModifyInstance(activate=tuple(activate), terminate=tuple(terminate), variables=dict(variables or {}))
    return step.run(instance_id, command).instance
