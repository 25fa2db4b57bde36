"""Instance state: plain, mutable data changed only by :func:`civicflow.engine.apply.apply`.

Size grows with what is alive (element instances, waits, buffered messages), never with history.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "BufferedMessage",
    "CompensationRecord",
    "ElementInstance",
    "Incident",
    "InstanceState",
    "InstanceStatus",
    "Job",
    "Subscription",
    "Timer",
    "UserTask",
]


class InstanceStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class ElementInstance:
    """A token at an element, or a running scope (process, subprocess, multi-instance body)."""

    __slots__ = (
        "children",
        "element",
        "key",
        "loop",
        "origin",
        "owned",
        "role",
        "scope",
        "variables",
    )

    def __init__(self, key: int, element: str, scope: int, role: str = "", origin: int = 0) -> None:
        self.key = key
        self.element = element
        self.scope = scope
        self.role = role
        self.origin = origin
        self.children = 0
        self.variables: dict[str, Any] | None = None
        self.owned: list[int] | None = None  # keys of timers, subscriptions, jobs, tasks it waits on
        self.loop: LoopState | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ElementInstance):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ElementInstance({self.key}, {self.element!r}, scope={self.scope}, role={self.role!r})"


class LoopState:
    """Progress of a multi-instance or loop body."""

    __slots__ = ("completed", "items", "outputs", "started", "total")

    def __init__(self, total: int, items: list[Any] | None) -> None:
        self.total = total  # -1 for a standard loop (unbounded)
        self.items = items
        self.started = 0
        self.completed = 0
        self.outputs: list[Any] | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LoopState):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]


@dataclass(slots=True, kw_only=True)
class Timer:
    key: int
    owner: int
    element: str
    due: datetime
    repetitions: int | None
    interval: str | None


@dataclass(slots=True, kw_only=True)
class Subscription:
    key: int
    owner: int
    element: str
    kind: str
    name: str | None
    correlation: str | None
    satisfied: bool = False


@dataclass(slots=True, kw_only=True)
class Job:
    key: int
    owner: int
    element: str
    type: str
    retries: int
    message: str = ""


@dataclass(slots=True, kw_only=True)
class UserTask:
    key: int
    owner: int
    element: str
    name: str | None
    assignee: str | None
    candidate_groups: tuple[str, ...]
    form_key: str | None


@dataclass(slots=True, kw_only=True)
class Incident:
    key: int
    owner: int
    element: str
    kind: str
    message: str
    job: int | None


@dataclass(slots=True, kw_only=True)
class BufferedMessage:
    key: int
    name: str
    correlation: str | None
    variables: dict[str, Any]
    expires: datetime


@dataclass(slots=True, kw_only=True)
class CompensationRecord:
    key: int
    element: str
    scope: int
    handler: str
    inner: int = 0  # a completed subprocess's ended instance: records scoped there belong to this one
    variables: dict[str, Any] | None = None  # snapshot for its compensation event subprocess


class InstanceState:
    """Everything alive in one process instance (called processes included)."""

    __slots__ = (
        "buffered",
        "compensations",
        "elements",
        "incidents",
        "instance_id",
        "jobs",
        "joins",
        "next_key",
        "process",
        "root",
        "status",
        "subscriptions",
        "tasks",
        "timers",
    )

    def __init__(self) -> None:
        self.instance_id = ""
        self.process = ""
        self.status = InstanceStatus.ACTIVE
        self.root = 0
        self.next_key = 1
        self.elements: dict[int, ElementInstance] = {}
        self.joins: dict[tuple[int, str], dict[str, int]] = {}
        self.timers: dict[int, Timer] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.jobs: dict[int, Job] = {}
        self.tasks: dict[int, UserTask] = {}
        self.incidents: dict[int, Incident] = {}
        self.buffered: dict[int, BufferedMessage] = {}
        self.compensations: dict[int, CompensationRecord] = {}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InstanceState):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def clone(self) -> InstanceState:
        """An independent copy (variable values are shared: they are treated as immutable)."""
        other = InstanceState()
        for name in ("instance_id", "process", "status", "root", "next_key"):
            setattr(other, name, getattr(self, name))
        elements: dict[int, ElementInstance] = {}
        for key, inst in self.elements.items():
            c = copy.copy(inst)
            if inst.variables is not None:
                c.variables = dict(inst.variables)
            if inst.owned is not None:
                c.owned = list(inst.owned)
            if inst.loop is not None:
                c.loop = copy.copy(inst.loop)
                if inst.loop.outputs is not None:
                    c.loop.outputs = list(inst.loop.outputs)
            elements[key] = c
        other.elements = elements
        other.joins = {k: dict(v) for k, v in self.joins.items()}
        other.timers = {k: copy.copy(v) for k, v in self.timers.items()}
        other.subscriptions = {k: copy.copy(v) for k, v in self.subscriptions.items()}
        other.jobs = {k: copy.copy(v) for k, v in self.jobs.items()}
        other.tasks = {k: copy.copy(v) for k, v in self.tasks.items()}
        other.incidents = {k: copy.copy(v) for k, v in self.incidents.items()}
        other.buffered = {k: copy.copy(v) for k, v in self.buffered.items()}
        other.compensations = {k: copy.copy(v) for k, v in self.compensations.items()}
        return other
