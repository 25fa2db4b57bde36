"""Compensation of completed subprocesses (BPMN 2.0.2 §10.6): event sequences, straight and restored."""

from __future__ import annotations

import pytest

from civicflow.engine import StartInstance, VirtualClock
from civicflow.engine import events as ev

from .conftest import runtime

_INNER = (
    '<bpmn:startEvent id="s0"/><bpmn:task id="a"/>'
    '<bpmn:boundaryEvent id="ca" attachedToRef="a"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>'
    '<bpmn:task id="undo_a" isForCompensation="true"/><bpmn:association id="x1" sourceRef="ca" targetRef="undo_a"/>'
    '<bpmn:endEvent id="s1"/>'
    '<bpmn:sequenceFlow id="i1" sourceRef="s0" targetRef="a"/><bpmn:sequenceFlow id="i2" sourceRef="a" targetRef="s1"/>'
)
_OUTER = (
    '<bpmn:startEvent id="start"/><bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition/>'
    '</bpmn:intermediateThrowEvent><bpmn:endEvent id="end"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sp"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="sp" targetRef="undo"/>'
    '<bpmn:sequenceFlow id="f3" sourceRef="undo" targetRef="end"/>'
)
_ESP = (
    '<bpmn:subProcess id="esp" triggeredByEvent="true">'
    '<bpmn:startEvent id="cs"><bpmn:compensateEventDefinition/></bpmn:startEvent>'
    '<bpmn:intermediateThrowEvent id="undo_inner"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>'
    '<bpmn:endEvent id="ce"/>'
    '<bpmn:sequenceFlow id="e1" sourceRef="cs" targetRef="undo_inner"/>'
    '<bpmn:sequenceFlow id="e2" sourceRef="undo_inner" targetRef="ce"/></bpmn:subProcess>'
)


def _compensation_trace(events: list[ev.Event]) -> list[tuple[str, str]]:
    """Compensation events and the activations after the subprocess completed."""
    out: list[tuple[str, str]] = []
    seen_sp = False
    for e in events:
        if isinstance(e, ev.ElementCompleted) and e.element == "sp":
            seen_sp = True
        if isinstance(e, ev.CompensationRegistered):
            out.append(("CompensationRegistered", e.element))
        elif isinstance(e, ev.CompensationStarted):
            out.append(("CompensationStarted", "reopen" if e.scope else "handler"))
        elif seen_sp and isinstance(e, ev.ElementActivated | ev.ElementCompleted):
            out.append((type(e).__name__, e.element))
        elif seen_sp and isinstance(e, ev.ElementPassed):  # activated and completed in one event
            out += [("ElementActivated", e.element), ("ElementCompleted", e.element)]
    return out


@pytest.mark.parametrize("restore", [False, True])
def test_compensation_event_subprocess_runs_in_a_reopened_subprocess(clock: VirtualClock, restore: bool) -> None:
    rt = runtime(
        f'<bpmn:process id="p" isExecutable="true"><bpmn:subProcess id="sp">{_INNER}{_ESP}'
        f"</bpmn:subProcess>{_OUTER}</bpmn:process>",
        clock,
        restore=restore,
    )
    rt.send(StartInstance())
    assert rt.status() == "completed"
    assert _compensation_trace(rt.history) == [
        ("CompensationRegistered", "a"),
        ("CompensationRegistered", "sp"),  # before sp completes: it holds a's record
        ("ElementCompleted", "sp"),
        ("ElementActivated", "undo"),
        ("CompensationStarted", "reopen"),
        ("ElementActivated", "sp"),  # role "compensation", with the snapshot variables
        ("ElementActivated", "esp"),
        ("ElementActivated", "cs"),
        ("ElementCompleted", "cs"),
        ("ElementActivated", "undo_inner"),
        ("CompensationStarted", "handler"),
        ("ElementActivated", "undo_a"),
        ("ElementCompleted", "undo_a"),
        ("ElementCompleted", "undo_inner"),
        ("ElementActivated", "ce"),
        ("ElementCompleted", "ce"),
        ("ElementCompleted", "esp"),
        ("ElementCompleted", "sp"),
        ("ElementCompleted", "undo"),
        ("ElementActivated", "end"),
        ("ElementCompleted", "end"),
        ("ElementCompleted", "p"),
    ]
    assert rt.state.compensations == {}


def test_boundary_handler_of_a_subprocess_drops_the_inner_records(clock: VirtualClock) -> None:
    rt = runtime(
        f'<bpmn:process id="p" isExecutable="true"><bpmn:subProcess id="sp">{_INNER}</bpmn:subProcess>'
        '<bpmn:boundaryEvent id="csp" attachedToRef="sp"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>'
        '<bpmn:task id="undo_sp" isForCompensation="true"/>'
        '<bpmn:association id="x2" sourceRef="csp" targetRef="undo_sp"/>'
        f"{_OUTER}</bpmn:process>",
        clock,
    )
    rt.send(StartInstance())
    trace = _compensation_trace(rt.history)
    assert ("CompensationStarted", "handler") in trace
    assert ("ElementActivated", "undo_sp") in trace
    assert ("ElementActivated", "undo_a") not in trace
    assert rt.state.compensations == {}


def test_default_compensation_of_a_subprocess_reopens_it(clock: VirtualClock) -> None:
    rt = runtime(
        f'<bpmn:process id="p" isExecutable="true"><bpmn:subProcess id="sp">{_INNER}</bpmn:subProcess>'
        f"{_OUTER}</bpmn:process>",
        clock,
    )
    rt.send(StartInstance())
    trace = _compensation_trace(rt.history)
    assert trace[trace.index(("CompensationStarted", "reopen")) :][:5] == [
        ("CompensationStarted", "reopen"),
        ("ElementActivated", "sp"),
        ("CompensationStarted", "handler"),
        ("ElementActivated", "undo_a"),
        ("ElementCompleted", "undo_a"),
    ]
    assert rt.status() == "completed"
