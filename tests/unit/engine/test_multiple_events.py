"""Multiple and parallel multiple events, parallel event-based gateway: event sequences."""

from __future__ import annotations

import pytest

from civicflow.engine import BroadcastSignal, CorrelateMessage, StartInstance, VirtualClock
from civicflow.engine import events as ev

from .conftest import runtime

_MESSAGES = '<bpmn:message id="ma" name="A"/><bpmn:message id="mb" name="B"/>'


def _catch(parallel: bool) -> str:
    flag = ' parallelMultiple="true"' if parallel else ""
    return (
        f'{_MESSAGES}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        f'<bpmn:intermediateCatchEvent id="c"{flag}><bpmn:messageEventDefinition messageRef="ma"/>'
        '<bpmn:messageEventDefinition messageRef="mb"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e"/>'
        "</bpmn:process>"
    )


_OPENED: dict[int, str] = {}  # subscription key -> element, so closes read as elements


def _trace(events: list[ev.Event]) -> list[tuple[str, str]]:
    out = []
    for e in events:
        if isinstance(e, ev.SubscriptionOpened):
            _OPENED[e.key] = e.element
            out.append(("SubscriptionOpened", e.element))
        elif isinstance(e, ev.SubscriptionClosed):
            out.append(("SubscriptionClosed", _OPENED[e.key]))
        elif isinstance(e, ev.MessageCorrelated):
            out.append(("MessageCorrelated", e.name))
        elif isinstance(e, ev.ElementActivated | ev.ElementCompleted):
            out.append((type(e).__name__, e.element))
    return out


@pytest.mark.parametrize("restore", [False, True])
def test_multiple_catch_takes_the_first_and_closes_the_other(clock: VirtualClock, restore: bool) -> None:
    rt = runtime(_catch(parallel=False), clock, restore=restore)
    started = _trace(rt.send(StartInstance()))
    assert [t for t in started if t[0] == "SubscriptionOpened"] == [
        ("SubscriptionOpened", "c#0"),
        ("SubscriptionOpened", "c#1"),
    ]
    events = rt.send(CorrelateMessage(name="B"))
    assert _trace(events)[:3] == [
        ("MessageCorrelated", "B"),
        ("SubscriptionClosed", "c#0"),
        ("SubscriptionClosed", "c#1"),
    ]
    assert ("ElementCompleted", "c") in _trace(events)
    assert rt.status() == "completed"


@pytest.mark.parametrize("restore", [False, True])
def test_parallel_multiple_catch_waits_for_every_definition(clock: VirtualClock, restore: bool) -> None:
    rt = runtime(_catch(parallel=True), clock, restore=restore)
    _trace(rt.send(StartInstance()))
    first = rt.send(CorrelateMessage(name="A"))
    assert _trace(first) == [("MessageCorrelated", "A"), ("SubscriptionClosed", "c#0")]
    assert [w.element for w in rt.waits()] == ["c"]
    second = rt.send(CorrelateMessage(name="B"))
    assert _trace(second)[:3] == [("MessageCorrelated", "B"), ("SubscriptionClosed", "c#1"), ("ElementCompleted", "c")]
    assert rt.status() == "completed"


def test_parallel_event_based_gateway_runs_every_branch(clock: VirtualClock) -> None:
    rt = runtime(
        '<bpmn:signal id="sa" name="SA"/><bpmn:signal id="sb" name="SB"/>'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:eventBasedGateway id="g" eventGatewayType="Parallel"/>'
        '<bpmn:intermediateCatchEvent id="a"><bpmn:signalEventDefinition signalRef="sa"/></bpmn:intermediateCatchEvent>'
        '<bpmn:intermediateCatchEvent id="b"><bpmn:signalEventDefinition signalRef="sb"/></bpmn:intermediateCatchEvent>'
        '<bpmn:endEvent id="ea"/><bpmn:endEvent id="eb"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="ea"/>'
        '<bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="eb"/>'
        "</bpmn:process>",
        clock,
    )
    _trace(rt.send(StartInstance()))
    first = _trace(rt.send(BroadcastSignal(name="SB")))
    assert first[:3] == [("SubscriptionClosed", "b"), ("ElementActivated", "b"), ("ElementCompleted", "b")]
    assert ("ElementCompleted", "g") not in first
    second = _trace(rt.send(BroadcastSignal(name="SA")))
    assert second[:3] == [("SubscriptionClosed", "a"), ("ElementActivated", "a"), ("ElementCompleted", "g")]
    assert rt.status() == "completed"
