"""An in-memory runtime for one instance on a virtual clock: what `civicflow bpmn run` and the
scenario runner drive. It keeps the history, fires due timers in order when the clock moves,
and can serialize and restore the state after every command (``restore=True``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civicflow.engine import commands as cmd
from civicflow.engine import events as ev
from civicflow.engine.engine import execute
from civicflow.engine.graph import Graph, NodeKind
from civicflow.engine.ports import VirtualClock
from civicflow.engine.processor import Context
from civicflow.engine.serialize import dumps_state, loads_state
from civicflow.engine.state import InstanceState

__all__ = ["InMemoryRuntime", "Wait"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Wait:
    """Something the instance waits for: a user task, a job, a message, a timer, an incident ..."""

    element: str
    name: str | None
    kind: str  # "task" | "job" | "message" | "signal" | "timer" | "conditional" | "incident"
    key: int
    detail: str | None = None  # job type, message name, signal name, timer due, incident message


class InMemoryRuntime:
    """Drives one instance: commands in, history kept, timers fired as the virtual clock moves."""

    def __init__(self, graph: Graph, ctx: Context, *, restore: bool = False) -> None:
        self.graph = graph
        self.ctx = ctx
        self.state = InstanceState()
        self.history: list[ev.Event] = []
        self.restore = restore
        self.max_state_bytes = 0

    @property
    def clock(self) -> VirtualClock:
        clock = self.ctx.clock
        assert isinstance(clock, VirtualClock)  # invariant narrowed for mypy, not a security check  # nosec B101
        return clock

    def send(self, command: cmd.Command) -> list[ev.Event]:
        events = execute(self.graph, self.state, command, self.ctx)
        self.history.extend(events)
        if self.restore:
            text = dumps_state(self.state)
            self.max_state_bytes = max(self.max_state_bytes, len(text.encode()))
            self.state = loads_state(text)
        return events

    def advance_to(self, target: datetime) -> None:
        """Move the clock to ``target``, firing due timers in order of due time."""
        clock = self.clock
        while True:
            due = [t for t in self.state.timers.values() if t.due <= target]
            if not due or not self.state.elements:
                break
            timer = min(due, key=lambda t: (t.due, t.key))
            if timer.due > clock.now():
                clock.set(timer.due)
            self.send(cmd.FireTimer(timer=timer.key))
        if target > clock.now():
            clock.set(target)

    def waits(self) -> list[Wait]:
        state = self.state
        nodes = self.graph.nodes
        found = [Wait(element=t.element, name=t.name, kind="task", key=t.key) for t in state.tasks.values()]
        found.extend(
            Wait(element=j.element, name=nodes[j.element].name, kind="job", key=j.key, detail=j.type)
            for j in state.jobs.values()
        )
        for sub in state.subscriptions.values():
            owner = state.elements.get(sub.owner)
            if owner is None:
                continue
            element = nodes[sub.element].part_of or sub.element  # a multiple event waits on its parts
            if owner.element == element or nodes[owner.element].kind is NodeKind.EVENT_BASED:
                found.append(
                    Wait(element=element, name=nodes[element].name, kind=sub.kind, key=sub.key, detail=sub.name)
                )
        for timer in state.timers.values():
            owner = state.elements.get(timer.owner)
            if owner is None:
                continue
            element = nodes[timer.element].part_of or timer.element
            if owner.element == element or nodes[owner.element].kind is NodeKind.EVENT_BASED:
                found.append(
                    Wait(
                        element=element,
                        name=nodes[element].name,
                        kind="timer",
                        key=timer.key,
                        detail=timer.due.isoformat(),
                    )
                )
        found.extend(
            Wait(
                element=i.element,
                name=nodes[i.element].name if i.element in nodes else None,
                kind="incident",
                key=i.key,
                detail=i.message,
            )
            for i in state.incidents.values()
        )
        found.sort(key=lambda w: w.key)
        return found

    def completed(self) -> list[str]:
        """Ids of completed elements in order (processes excluded)."""
        processes = set(self.graph.processes)
        return [
            e.element
            for e in self.history
            if isinstance(e, ev.ElementCompleted | ev.ElementPassed) and e.element not in processes
        ]

    def variables(self) -> dict[str, Any]:
        root = self.state.elements.get(self.state.root)
        if root is not None:
            return dict(root.variables or {})
        # finished: rebuild the root scope from the history
        values: dict[str, Any] = {}
        root_key = self.state.root
        for event in self.history:
            if isinstance(event, ev.VariablesSet) and event.scope == root_key:
                values.update(event.variables)
        return values

    def status(self) -> str:
        if self.state.incidents:
            return "incident"
        return self.state.status.value
