"""Messages and signals thrown inside an instance, delivered to other instances by follow-up jobs.

The engine handles a throw inside its own instance (a signal reaches the thrower's own
subscriptions; a message throw is only a ``MessageSent`` event). Reaching other instances is the
runtime's work, and it must not break the transaction rule: a step locks one instance only. So
the throwing step writes a delivery :class:`~civicflow.runtime.models.Job` (no ``instance``) in
its own transaction, and a worker delivers it later in a transaction of its own:

- ``message``: correlate by name and correlation key (the model's ``zeebe:subscription``
  correlation key of the message, evaluated where it was thrown), else start a process with that
  message start event, else buffer it when the thrower gave a time to live (a ``timeToLive``
  property, ISO 8601 duration). The job is deleted in the transaction that delivers it, so a
  message is delivered exactly once; with nobody waiting and no time to live the job fails and
  retries with backoff (the receiver may not have reached its catch event yet), then stays with
  ``due_at`` NULL and the error in ``last_error``.
- ``signal``: fans out in one transaction into one ``signal`` job per waiting instance and per
  signal start event (the thrower itself already had it from the engine), then each of those
  advances one instance in its own transaction: exactly once per receiver, and one slow
  receiver never holds the others up.

Message and signal variables are the throwing element's local variables, that is its input
mappings (``zeebe:ioMapping`` / ``camunda:inputOutput``), as in Zeebe's signal throw events.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from civicflow.bpmn.errors import TimerFormatError
from civicflow.bpmn.timers import parse_duration
from civicflow.engine import (
    Event,
    ExpressionError,
    Graph,
    InstanceState,
    NodeKind,
    Trigger,
    apply,
)
from civicflow.runtime.models import Job, JobKind
from civicflow.runtime.values import encode_value, key_text, visible_variables

__all__ = ["delivery_job", "thrown"]

_THROWS = frozenset({NodeKind.THROW, NodeKind.END})
_TTL_PROPERTY = "timeToLive"


def _locals(state: InstanceState, key: int) -> dict[str, Any]:
    inst = state.elements.get(key)
    return dict(inst.variables or {}) if inst is not None else {}


def _ttl(properties: tuple[tuple[str, str], ...]) -> float | None:
    text = dict(properties).get(_TTL_PROPERTY)
    if not text:
        return None
    try:
        return parse_duration(text).exact.total_seconds()
    except TimerFormatError:
        return None


def delivery_job(kind: JobKind, element: str, source: str, payload: dict[str, Any], due: Any) -> Job:
    return Job(
        key=0,
        element_instance=0,
        element_id=element,
        kind=kind,
        type=payload["name"],
        retries=3,
        due_at=due,
        payload={"source": source, **payload},
    )


def thrown(graph: Graph, before: InstanceState, events: list[Event], instance_id: UUID, now: Any) -> list[Job]:
    """Delivery jobs for the messages and signals ``events`` threw to other instances.

    Replays ``events`` on ``before`` (a state the caller no longer needs) to see the variables
    at the moment of each throw.
    """
    jobs: list[Job] = []
    signal_thrower: tuple[int, str] | None = None
    for event in events:
        e: Any = event  # the engine exports the Event union, not its classes
        kind = type(event).__name__
        if kind in ("ElementActivated", "ElementPassed"):
            node = graph.nodes.get(e.element)
            is_signal = node is not None and node.kind in _THROWS and node.trigger is Trigger.SIGNAL
            signal_thrower = (e.key, e.element) if is_signal else None
        elif kind == "MessageSent":
            inst = before.elements.get(e.owner)
            node = graph.nodes.get(inst.element) if inst is not None else None
            correlation = None
            if node is not None and node.correlation_key is not None:
                try:
                    correlation = key_text(node.correlation_key(visible_variables(before, e.owner)))
                except ExpressionError:
                    correlation = None
            payload = {
                "name": e.name,
                "correlation": correlation,
                "variables": encode_value(_locals(before, e.owner)),
                "ttl": _ttl(node.properties) if node is not None else None,
            }
            element = inst.element if inst is not None else ""
            jobs.append(delivery_job(JobKind.MESSAGE, element, str(instance_id), payload, now))
        elif kind == "SignalBroadcast" and signal_thrower is not None:
            key, element = signal_thrower
            payload = {"name": e.name, "variables": encode_value(_locals(before, key))}
            jobs.append(delivery_job(JobKind.SIGNAL, element, str(instance_id), payload, now))
            signal_thrower = None
        apply(before, event)
    return jobs
