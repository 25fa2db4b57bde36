"""Instance state to compact JSON and back; restoring continues exactly where it stopped."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from civicflow.engine.errors import StateFormatError
from civicflow.engine.state import (
    BufferedMessage,
    CompensationRecord,
    ElementInstance,
    Incident,
    InstanceState,
    InstanceStatus,
    Job,
    LoopState,
    Subscription,
    Timer,
    UserTask,
)
from civicflow.engine.values import decode_value, encode_value

__all__ = ["FORMAT", "dump_state", "dumps_state", "load_state", "loads_state"]

FORMAT = 1
# One encoder for every call: json.dumps with non-default options builds a new JSONEncoder each
# time, which costs more than encoding a finished instance's state.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _element(inst: ElementInstance) -> list[Any]:
    row: list[Any] = [inst.key, inst.element, inst.scope, inst.role, inst.origin, inst.children]
    extra: dict[str, Any] = {}
    if inst.variables:
        extra["v"] = encode_value(inst.variables)
    if inst.owned:
        extra["o"] = inst.owned
    loop = inst.loop
    if loop is not None:
        extra["l"] = [
            loop.total,
            encode_value(loop.items) if loop.items is not None else None,
            loop.started,
            loop.completed,
            encode_value(loop.outputs) if loop.outputs is not None else None,
        ]
    if extra:
        row.append(extra)
    return row


def _compensation(c: CompensationRecord) -> list[Any]:
    row: list[Any] = [c.key, c.element, c.scope, c.handler]
    if c.inner:
        row.extend([c.inner, encode_value(c.variables) if c.variables is not None else None])
    return row


def dump_state(state: InstanceState) -> dict[str, Any]:
    """A JSON-ready dict; only what is alive is written."""
    doc: dict[str, Any] = {
        "f": FORMAT,
        "id": state.instance_id,
        "p": state.process,
        "s": state.status.value,
        "r": state.root,
        "n": state.next_key,
        "e": [_element(i) for i in state.elements.values()],
    }
    if state.joins:
        doc["j"] = [[scope, gw, counts] for (scope, gw), counts in state.joins.items()]
    if state.timers:
        doc["t"] = [
            [t.key, t.owner, t.element, t.due.isoformat(), t.repetitions, t.interval] for t in state.timers.values()
        ]
    if state.subscriptions:
        doc["sub"] = [
            [s.key, s.owner, s.element, s.kind, s.name, s.correlation, s.satisfied]
            for s in state.subscriptions.values()
        ]
    if state.jobs:
        doc["jobs"] = [[j.key, j.owner, j.element, j.type, j.retries, j.message] for j in state.jobs.values()]
    if state.tasks:
        doc["tasks"] = [
            [t.key, t.owner, t.element, t.name, t.assignee, list(t.candidate_groups), t.form_key]
            for t in state.tasks.values()
        ]
    if state.incidents:
        doc["inc"] = [[i.key, i.owner, i.element, i.kind, i.message, i.job] for i in state.incidents.values()]
    if state.buffered:
        doc["buf"] = [
            [b.key, b.name, b.correlation, encode_value(b.variables), b.expires.isoformat()]
            for b in state.buffered.values()
        ]
    if state.compensations:
        doc["comp"] = [_compensation(c) for c in state.compensations.values()]
    return doc


def dumps_state(state: InstanceState) -> str:
    """Compact JSON text of ``state``."""
    return _ENCODER.encode(dump_state(state))


def load_state(doc: dict[str, Any]) -> InstanceState:
    """Rebuild a state from :func:`dump_state` output."""
    try:
        if doc.get("f") != FORMAT:
            raise StateFormatError(f"unknown state format {doc.get('f')!r}")
        state = InstanceState()
        state.instance_id = doc["id"]
        state.process = doc["p"]
        state.status = InstanceStatus(doc["s"])
        state.root = doc["r"]
        state.next_key = doc["n"]
        for row in doc["e"]:
            inst = ElementInstance(row[0], row[1], row[2], row[3], row[4])
            inst.children = row[5]
            if len(row) > 6:
                extra = row[6]
                if "v" in extra:
                    inst.variables = decode_value(extra["v"])
                if "o" in extra:
                    inst.owned = list(extra["o"])
                if "l" in extra:
                    total, items, started, completed, outputs = extra["l"]
                    loop = LoopState(total, decode_value(items) if items is not None else None)
                    loop.started = started
                    loop.completed = completed
                    loop.outputs = decode_value(outputs) if outputs is not None else None
                    inst.loop = loop
            state.elements[inst.key] = inst
        for scope, gateway, counts in doc.get("j", ()):
            state.joins[(scope, gateway)] = dict(counts)
        for key, owner, element, due, repetitions, interval in doc.get("t", ()):
            state.timers[key] = Timer(
                key=key,
                owner=owner,
                element=element,
                due=datetime.fromisoformat(due),
                repetitions=repetitions,
                interval=interval,
            )
        for key, owner, element, kind, name, correlation, satisfied in doc.get("sub", ()):
            state.subscriptions[key] = Subscription(
                key=key,
                owner=owner,
                element=element,
                kind=kind,
                name=name,
                correlation=correlation,
                satisfied=satisfied,
            )
        for key, owner, element, type_, retries, message in doc.get("jobs", ()):
            state.jobs[key] = Job(key=key, owner=owner, element=element, type=type_, retries=retries, message=message)
        for key, owner, element, name, assignee, groups, form_key in doc.get("tasks", ()):
            state.tasks[key] = UserTask(
                key=key,
                owner=owner,
                element=element,
                name=name,
                assignee=assignee,
                candidate_groups=tuple(groups),
                form_key=form_key,
            )
        for key, owner, element, kind, message, job in doc.get("inc", ()):
            state.incidents[key] = Incident(key=key, owner=owner, element=element, kind=kind, message=message, job=job)
        for key, name, correlation, variables, expires in doc.get("buf", ()):
            state.buffered[key] = BufferedMessage(
                key=key,
                name=name,
                correlation=correlation,
                variables=decode_value(variables),
                expires=datetime.fromisoformat(expires),
            )
        for row in doc.get("comp", ()):
            key, element, scope, handler = row[:4]
            record = CompensationRecord(key=key, element=element, scope=scope, handler=handler)
            if len(row) > 4:
                record.inner = row[4]
                record.variables = decode_value(row[5]) if row[5] is not None else None
            state.compensations[key] = record
    except StateFormatError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise StateFormatError(f"malformed instance state: {exc}") from exc
    return state


def loads_state(text: str) -> InstanceState:
    """Rebuild a state from :func:`dumps_state` text."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateFormatError(f"instance state is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise StateFormatError("instance state is not a JSON object")
    return load_state(doc)
