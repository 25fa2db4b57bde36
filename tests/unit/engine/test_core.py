"""Core engine behaviour asserted on the emitted event sequence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.bpmn import load
from civicflow.engine import (
    CompleteTask,
    Context,
    FeelEvaluator,
    InstanceState,
    InstanceStatus,
    StartInstance,
    VirtualClock,
    compile_graph,
    decide,
    dumps_state,
    execute,
    loads_state,
    replay,
)
from civicflow.engine import events as ev
from civicflow.engine.serialize import dump_state

from .conftest import graph_of, runtime

BENCH = Path(__file__).parents[4] / "shared" / "bench" / "engine" / "model_feel.bpmn"


def _kinds(events: list[ev.Event]) -> list[tuple[str, str]]:
    out = []
    for e in events:
        element = getattr(e, "element", None) or getattr(e, "flow", None) or ""
        out.append((type(e).__name__, element))
    return out


def test_sequence_of_events_for_a_straight_process(clock: VirtualClock) -> None:
    graph = graph_of(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:task id="t"/>'
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/></bpmn:process>'
    )
    state = InstanceState()
    events = execute(graph, state, StartInstance(), Context(clock=clock))
    assert _kinds(events) == [
        ("InstanceStarted", ""),
        ("ElementActivated", "p"),
        ("ElementPassed", "s"),  # nothing to wait for: activated and completed in one event
        ("ElementPassed", "t"),
        ("ElementPassed", "e"),
        ("ElementCompleted", "p"),
        ("InstanceCompleted", ""),
    ]
    # a flow into anything but a converging gateway is recorded by its target's activation
    assert [e.flow for e in events if isinstance(e, ev.ElementActivated | ev.ElementPassed)] == [
        None,
        None,
        "f1",
        "f2",
    ]
    assert state.status is InstanceStatus.COMPLETED
    assert state.elements == {}


@pytest.mark.skipif(not BENCH.exists(), reason="../shared/bench is not available")
def test_benchmark_model_result_and_replay(clock: VirtualClock) -> None:
    graph = compile_graph(load(BENCH), FeelEvaluator(clock))
    state = InstanceState()
    events = execute(graph, state, StartInstance(), Context(clock=clock))
    variables = next(e.variables for e in events if isinstance(e, ev.VariablesSet) and "z3" in e.variables)
    assert variables == {"z3": Decimal(10)}
    assert dumps_state(replay(events)) == dumps_state(state)
    joins = [e for e in events if isinstance(e, ev.ElementActivated | ev.ElementPassed) and e.element == "par_join"]
    assert len(joins) == 1
    assert joins[0].joined == ("fj1", "fj2", "fj3")


USER_TASKS = (
    '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    '<bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="a"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="b"/>'
    '<bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="join"/>'
    '<bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="join"/>'
    '<bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="e"/></bpmn:process>'
)


def test_decide_leaves_the_state_untouched(clock: VirtualClock) -> None:
    graph = graph_of(USER_TASKS)
    ctx = Context(clock=clock)
    state = InstanceState()
    execute(graph, state, StartInstance(), ctx)
    before = dumps_state(state)
    task = min(state.tasks)
    events = decide(graph, state, CompleteTask(task=task), ctx)
    assert dumps_state(state) == before
    assert any(isinstance(e, ev.TaskCompleted) for e in events)
    replay(events, state)
    assert state.tasks.keys() == {max(state.tasks)} or len(state.tasks) == 1


def test_serialize_restore_continue_identically(clock: VirtualClock) -> None:
    graph = graph_of(USER_TASKS)
    ctx = Context(clock=clock)
    straight = InstanceState()
    execute(graph, straight, StartInstance(variables={"n": 1.5}), ctx)
    restored = loads_state(dumps_state(straight))
    assert restored == straight
    assert len(dumps_state(straight)) < 2048
    for task in sorted(straight.tasks):
        a = execute(graph, straight, CompleteTask(task=task, variables={"k": task}), ctx)
        b = execute(graph, restored, CompleteTask(task=task, variables={"k": task}), ctx)
        assert a == b
    assert straight == restored
    assert straight.status is InstanceStatus.COMPLETED


def test_a_ten_thousand_iteration_loop_runs_in_linear_time(clock: VirtualClock) -> None:
    rt = runtime(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:scriptTask id="inc"><bpmn:extensionElements><zeebe:script expression="=i + 1" resultVariable="i"/>'
        '</bpmn:extensionElements></bpmn:scriptTask><bpmn:exclusiveGateway id="gw" default="back"/>'
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="inc"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="inc" targetRef="gw"/>'
        '<bpmn:sequenceFlow id="out" sourceRef="gw" targetRef="e"><bpmn:conditionExpression>=i &gt;= 10000'
        '</bpmn:conditionExpression></bpmn:sequenceFlow><bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="inc"/>'
        "</bpmn:process>",
        clock,
    )
    rt.send(StartInstance(variables={"i": 0}))
    assert rt.status() == "completed"
    assert rt.variables()["i"] == 10000


def test_an_endless_loop_raises_an_incident_instead_of_hanging(clock: VirtualClock) -> None:
    graph = graph_of(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:task id="t"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t"/>'
        "</bpmn:process>"
    )
    state = InstanceState()
    events = execute(graph, state, StartInstance(), Context(clock=clock, step_budget=1000))
    incidents = [e for e in events if isinstance(e, ev.IncidentRaised)]
    assert [i.kind for i in incidents] == ["step-budget"]
    assert state.status is InstanceStatus.ACTIVE


def _fan(width: int, conditions: list[bool]) -> str:
    flows = "".join(
        f'<bpmn:sequenceFlow id="o{i}" sourceRef="split" targetRef="t{i}"><bpmn:conditionExpression>'
        f"={'true' if c else 'false'}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        f'<bpmn:sequenceFlow id="i{i}" sourceRef="t{i}" targetRef="join"/>'
        for i, c in enumerate(conditions)
    )
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(width))
    return (
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:inclusiveGateway id="split" default="d"/>'
        f'{tasks}<bpmn:task id="td"/><bpmn:inclusiveGateway id="join"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="split"/>'
        '<bpmn:sequenceFlow id="d" sourceRef="split" targetRef="td"/>'
        '<bpmn:sequenceFlow id="id" sourceRef="td" targetRef="join"/>'
        f'{flows}<bpmn:sequenceFlow id="fe" sourceRef="join" targetRef="e"/></bpmn:process>'
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=6))
def test_token_conservation_through_inclusive_gateways(conditions: list[bool]) -> None:
    from datetime import UTC, datetime

    clock = VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    graph = graph_of(_fan(len(conditions), conditions))
    state = InstanceState()
    events = execute(graph, state, StartInstance(), Context(clock=clock))
    taken_out = [e for e in events if isinstance(e, ev.SequenceFlowTaken) and e.target == "join"]
    expected = sum(conditions) or 1  # the default flow when no condition holds
    assert len(taken_out) == expected
    joins = [e for e in events if isinstance(e, ev.ElementActivated) and e.element == "join"]
    assert len(joins) == 1
    assert len(joins[0].joined) == expected
    assert state.status is InstanceStatus.COMPLETED
    assert dump_state(state)["e"] == []
