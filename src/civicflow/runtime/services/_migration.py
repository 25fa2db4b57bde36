"""Migrating running instances to another version of their process, with an element-id mapping.

A migration is all or nothing: every instance is checked first, and a single unsafe point
refuses the whole migration with every reason listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.db import transaction

from civicflow.engine import Graph, InstanceState
from civicflow.runtime.clock import current_clock
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.errors import ConcurrencyError, MigrationRefusedError, NotFoundError
from civicflow.runtime.models import (
    HistoryEvent,
    Incident,
    InstanceStatus,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    SignalSubscription,
    UserTask,
)
from civicflow.runtime.personal import dumps, loads

__all__ = ["migrate_instances"]

_MULTI_INSTANCE_ROLES = frozenset({"body", "inner"})


def _definition(ref: ProcessDefinition | str | int) -> ProcessDefinition:
    if isinstance(ref, ProcessDefinition):
        return ref
    found = ProcessDefinition.objects.filter(**({"pk": ref} if isinstance(ref, int) else {"key": ref})).first()
    if found is None:
        raise NotFoundError(f"no process definition {ref!r}", kind="definition", key=ref)
    return found


class _Check:
    """Collects reasons, counting the instances each applies to."""

    def __init__(self) -> None:
        self.reasons: dict[str, int] = defaultdict(int)

    def add(self, reason: str) -> None:
        self.reasons[reason] += 1

    def listed(self) -> list[str]:
        return [f"{r} ({n} instance{'s' if n != 1 else ''})" for r, n in sorted(self.reasons.items())]


def _check_instance(
    state: InstanceState,
    graphs: tuple[Graph, Graph],
    mapping: Mapping[str, str],
    *,
    processes: tuple[str, str],
    target: str,
    found: _Check,
) -> set[str]:
    """Add every reason ``state`` cannot move; returns the reasons seen for this instance."""
    old, new = graphs
    old_process, new_process = processes
    seen: set[str] = set()

    def refuse(reason: str) -> None:
        if reason not in seen:
            seen.add(reason)
            found.add(reason)

    for inst in state.elements.values():
        element = inst.element
        if inst.role == "process" and inst.scope == 0:
            continue
        mapped = mapping.get(element, element)
        if inst.role in _MULTI_INSTANCE_ROLES:
            refuse(f"element {element!r} is active in a multi-instance")
            continue
        if mapped not in new.nodes:
            refuse(f"element {element!r} is active but {mapped!r} is missing in {target}")
            continue
        old_node, new_node = old.nodes[element], new.nodes[mapped]
        if old_node.kind != new_node.kind:
            refuse(f"element {element!r} is a {old_node.kind} but {mapped!r} in {target} is a {new_node.kind}")
            continue
        container = old_node.container or ""
        expected = new_process if container == old_process else mapping.get(container, container)
        if new_node.container != expected:
            refuse(f"element {element!r} would move to another scope ({new_node.container})")
    waits: list[Any] = [
        *state.timers.values(),
        *state.subscriptions.values(),
        *state.jobs.values(),
        *state.tasks.values(),
    ]
    for wait in waits:
        mapped = mapping.get(wait.element, wait.element)
        if mapped not in new.nodes:
            refuse(f"element {wait.element!r} has an open wait but {mapped!r} is missing in {target}")
        elif old.nodes[wait.element].trigger != new.nodes[mapped].trigger:
            refuse(f"element {wait.element!r} waits for a {old.nodes[wait.element].trigger} event, {mapped!r} does not")
    for scope, gateway in state.joins:
        refuse(f"converging gateway {gateway!r} has tokens waiting (scope {scope})")
    return seen


def _rewrite(state: InstanceState, mapping: Mapping[str, str], old_process: str, new_process: str) -> None:
    def m(element: str) -> str:
        if element == old_process:
            return new_process
        return mapping.get(element, element)

    state.process = new_process
    for inst in state.elements.values():
        inst.element = m(inst.element)
    waits: list[Any] = [*state.timers.values(), *state.subscriptions.values(), *state.jobs.values()]
    for wait in (*waits, *state.tasks.values()):
        wait.element = m(wait.element)
    for incident in state.incidents.values():
        incident.element = m(incident.element)
    for record in state.compensations.values():
        record.element = m(record.element)
        record.handler = m(record.handler)


def migrate_instances(
    from_definition: ProcessDefinition | str | int,
    to_definition: ProcessDefinition | str | int,
    mapping: Mapping[str, str] | None = None,
    *,
    instance_ids: Iterable[UUID | str] | None = None,
) -> list[UUID]:
    """Move the active instances of one definition to another; elements keep their id unless mapped.

    Refused (:class:`MigrationRefusedError`, nothing changed) when a mapping names an unknown
    element, or an active element would be missing, of a different kind, in another scope, inside
    a multi-instance, or a converging gateway holds tokens. Returns the migrated instance ids.
    """
    source, target = _definition(from_definition), _definition(to_definition)
    mapping = dict(mapping or {})
    old, new = graph_for(source.pk), graph_for(target.pk)
    found = _Check()
    for element in mapping:
        if element not in old.nodes:
            found.add(f"mapping names {element!r}, which is not in {source.key}")
    rows = ProcessInstance.objects.filter(definition=source, status=InstanceStatus.ACTIVE).only(
        "id", "state", "version", "event_count"
    )
    if instance_ids is not None:
        rows = rows.filter(pk__in=list(instance_ids))
    plans = []
    for row in rows.order_by("started"):
        state = loads(row.state)
        _check_instance(
            state, (old, new), mapping, processes=(source.process_id, target.process_id), target=target.key, found=found
        )
        plans.append((row, state))
    if found.reasons:
        raise MigrationRefusedError(f"cannot migrate {source.key} to {target.key}", reasons=found.listed())
    now = current_clock().now()
    with transaction.atomic():
        for row, state in plans:
            _rewrite(state, mapping, source.process_id, target.process_id)
            changed = ProcessInstance.objects.filter(pk=row.pk, version=row.version).update(
                definition=target, state=dumps(new, state), version=row.version + 1, event_count=row.event_count + 1
            )
            if changed != 1:
                raise ConcurrencyError(f"instance {row.pk} changed during the migration", instance_id=str(row.pk))
            for old_id, new_id in mapping.items():
                for model in (UserTask, Job, Incident, MessageSubscription, SignalSubscription):
                    model.objects.filter(instance_id=row.pk, element_id=old_id).update(element_id=new_id)
            HistoryEvent.objects.create(
                instance_id=row.pk,
                seq=row.event_count,
                type="InstanceMigrated",
                element_id=None,
                payload={"from": source.key, "to": target.key, "mapping": mapping},
                timestamp=now,
            )
    return [row.pk for row, _ in plans]
