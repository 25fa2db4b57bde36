"""Complex gateway: early start, waiting for reset, reset rule (BPMN 2.0.2 §13.4.5)."""

from __future__ import annotations

import pytest

from civicflow.engine import CompleteTask, StartInstance, VirtualClock
from civicflow.engine import events as ev

from .conftest import runtime

_MODEL = (
    '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    '<bpmn:userTask id="r1"/><bpmn:userTask id="r2"/><bpmn:userTask id="r3"/>'
    '<bpmn:complexGateway id="vote"><bpmn:activationCondition xsi:type="bpmn:tFormalExpression">'
    "=activationCount &gt;= 2</bpmn:activationCondition></bpmn:complexGateway>"
    '<bpmn:task id="go"/><bpmn:task id="late"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
    '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="r1"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="r2"/>'
    '<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="r3"/>'
    '<bpmn:sequenceFlow id="j1" sourceRef="r1" targetRef="vote"/>'
    '<bpmn:sequenceFlow id="j2" sourceRef="r2" targetRef="vote"/>'
    '<bpmn:sequenceFlow id="j3" sourceRef="r3" targetRef="vote"/>'
    '<bpmn:sequenceFlow id="g1" sourceRef="vote" targetRef="go"><bpmn:conditionExpression>=waitingForStart'
    "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="g2" sourceRef="vote" targetRef="late"><bpmn:conditionExpression>=not(waitingForStart)'
    "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="g3" sourceRef="go" targetRef="e1"/>'
    '<bpmn:sequenceFlow id="g4" sourceRef="late" targetRef="e2"/>'
    "</bpmn:process>"
)


def _trace(events: list[ev.Event]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for e in events:
        if isinstance(e, ev.ElementActivated) and e.element == "vote":
            out.append(("ElementActivated", e.role or "start", *e.joined))
        elif isinstance(e, ev.JoinTokensConsumed):
            out.append(("JoinTokensConsumed", *e.flows))
        elif isinstance(e, ev.ElementCompleted | ev.ElementPassed) and e.element in ("vote", "go", "late"):
            out.append(("ElementCompleted", e.element))
    return out


@pytest.mark.parametrize("restore", [False, True])
def test_late_token_is_consumed_and_the_reset_takes_the_reset_flows(clock: VirtualClock, restore: bool) -> None:
    rt = runtime(_MODEL, clock, restore=restore)
    rt.send(StartInstance())
    tasks = {w.element: w.key for w in rt.waits()}
    rt.send(CompleteTask(task=tasks["r2"]))
    first = rt.send(CompleteTask(task=tasks["r1"]))
    assert _trace(first) == [
        ("ElementActivated", "start", "j1", "j2"),
        ("ElementActivated", "reset", "j3"),  # waits for a token on j3 only
        ("ElementCompleted", "vote"),
        ("ElementCompleted", "go"),
    ]
    last = rt.send(CompleteTask(task=tasks["r3"]))
    assert _trace(last) == [
        ("JoinTokensConsumed", "j3"),
        ("ElementCompleted", "vote"),  # the reset instance
        ("ElementCompleted", "late"),
    ]
    assert rt.status() == "completed"
    assert rt.state.joins == {}


def test_reset_when_no_token_can_arrive_any_more(clock: VirtualClock) -> None:
    body = _MODEL.replace('<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="r3"/>', "")
    # r3 is never reached now, so no token can arrive on j3
    rt = runtime(body, clock)
    rt.send(StartInstance())
    tasks = {w.element: w.key for w in rt.waits()}
    rt.send(CompleteTask(task=tasks["r2"]))
    events = rt.send(CompleteTask(task=tasks["r1"]))
    assert ("ElementActivated", "reset", "j3") in _trace(events)
    assert _trace(events)[-1] == ("ElementCompleted", "late")  # nothing upstream of j3: reset at once
    assert rt.status() == "completed"
