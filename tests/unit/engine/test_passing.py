"""Pass-through elements: one ElementPassed each, same completion order, incidents and budget as before."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from civicflow.engine import (
    CompleteTask,
    Context,
    InstanceState,
    StartInstance,
    VirtualClock,
    dumps_state,
    execute,
    replay,
    scenario,
)
from civicflow.engine import events as ev
from civicflow.engine.runtime import InMemoryRuntime

from .conftest import graph_of, runtime


def _script(node_id: str, expression: str, result: str) -> str:
    return (
        f'<bpmn:scriptTask id="{node_id}"><bpmn:extensionElements>'
        f'<zeebe:script expression="{expression}" resultVariable="{result}"/>'
        "</bpmn:extensionElements></bpmn:scriptTask>"
    )


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>"
    )


_FORK = (
    '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    + _script("a", "=1", "x")
    + _script("b", "=x + 1", "y")  # sees a's result: scripts still run in flow order
    + '<bpmn:userTask id="u"/><bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>'
    + _flow("f0", "s", "fork")
    + _flow("fa", "fork", "a")
    + _flow("fb", "fork", "b")
    + _flow("fu", "fork", "u")
    + _flow("ja", "a", "join")
    + _flow("jb", "b", "join")
    + _flow("ju", "u", "join")
    + _flow("fe", "join", "e")
    + "</bpmn:process>"
)


@pytest.mark.parametrize("restore", [False, True])
def test_fork_with_a_wait_keeps_the_completion_order_and_replays(clock: VirtualClock, restore: bool) -> None:
    rt = runtime(_FORK, clock, restore=restore)
    rt.send(StartInstance())
    assert [w.element for w in rt.waits()] == ["u"]
    assert rt.completed() == ["s", "fork", "a", "b"]
    rt.send(CompleteTask(task=next(iter(rt.state.tasks))))
    assert rt.status() == "completed"
    assert rt.completed() == ["s", "fork", "a", "b", "u", "join", "e"]
    assert rt.variables() == {"x": Decimal(1), "y": Decimal(2)}
    assert dumps_state(replay(rt.history)) == dumps_state(rt.state)


def test_each_passed_element_is_one_event_with_its_flow(clock: VirtualClock) -> None:
    graph = graph_of(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        + _script("t", "=7", "x")
        + '<bpmn:exclusiveGateway id="g" default="fd"/><bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>'
        + _flow("f1", "s", "t")
        + _flow("f2", "t", "g")
        + _flow("fc", "g", "big", "=x &gt; 5")
        + _flow("fd", "g", "small")
        + "</bpmn:process>"
    )
    state = InstanceState()
    events = execute(graph, state, StartInstance(), Context(clock=clock))
    passed = [(e.element, e.flow) for e in events if isinstance(e, ev.ElementPassed)]
    assert passed == [("s", None), ("t", "f1"), ("g", "f2"), ("big", "fc")]
    # the script's variable change follows its element
    index = next(i for i, e in enumerate(events) if isinstance(e, ev.ElementPassed) and e.element == "t")
    assert events[index + 1] == ev.VariablesSet(scope=state.root, variables={"x": Decimal(7)})
    assert state.elements == {}
    assert dumps_state(replay(events)) == dumps_state(state)


def test_a_failing_script_is_activated_the_ordinary_way_and_raises_the_incident(clock: VirtualClock) -> None:
    graph = graph_of(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        + _script("t", "=1 + true", "x")
        + '<bpmn:endEvent id="e"/>'
        + _flow("f1", "s", "t")
        + _flow("f2", "t", "e")
        + "</bpmn:process>"
    )
    state = InstanceState()
    events = execute(graph, state, StartInstance(), Context(clock=clock))
    assert [e.element for e in events if isinstance(e, ev.ElementPassed)] == ["s"]
    assert [type(e).__name__ for e in events[-2:]] == ["ElementActivated", "IncidentRaised"]
    assert [i.element for i in state.incidents.values()] == ["t"]
    assert dumps_state(replay(events)) == dumps_state(state)


def test_a_gateway_without_a_flow_to_take_raises_its_incident(clock: VirtualClock) -> None:
    graph = graph_of(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>'
        '<bpmn:endEvent id="e"/>' + _flow("f1", "s", "g") + _flow("f2", "g", "e", "=false") + "</bpmn:process>"
    )
    state = InstanceState()
    execute(graph, state, StartInstance(), Context(clock=clock))
    assert [(i.element, i.kind) for i in state.incidents.values()] == [("g", "no-outgoing-flow")]


_LOOP = (
    '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
    + _script("init", "=0", "n")
    + '<bpmn:exclusiveGateway id="g" default="out"/>'
    + _script("inc", "=n + 1", "n")
    + '<bpmn:endEvent id="e"/>'
    + _flow("f1", "s", "init")
    + _flow("f2", "init", "g")
    + _flow("again", "g", "inc", "=n &lt; limit")
    + _flow("back", "inc", "g")
    + _flow("out", "g", "e")
    + "</bpmn:process>"
)


def test_a_long_loop_of_passing_elements_runs_flat(clock: VirtualClock) -> None:
    graph = graph_of(_LOOP)
    state = InstanceState()
    events = execute(graph, state, StartInstance(variables={"limit": 10_000}), Context(clock=clock))
    assert state.status.value == "completed"
    assert sum(1 for e in events if isinstance(e, ev.ElementPassed) and e.element == "inc") == 10_000
    assert dumps_state(replay(events)) == dumps_state(state)


def test_a_loop_without_a_wait_still_hits_the_step_budget(clock: VirtualClock) -> None:
    graph = graph_of(_LOOP)
    state = InstanceState()
    ctx = Context(clock=clock, step_budget=500)
    events = execute(graph, state, StartInstance(variables={"limit": 10**9}), ctx)
    assert [i.kind for i in state.incidents.values()] == ["step-budget"]
    assert dumps_state(replay(events)) == dumps_state(state)


def test_two_none_starts_keep_the_order_of_the_queue(clock: VirtualClock) -> None:
    rt = runtime(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s1"/><bpmn:startEvent id="s2"/>'
        '<bpmn:task id="a"/><bpmn:task id="b"/><bpmn:endEvent id="e"/>'
        + _flow("f1", "s1", "a")
        + _flow("f2", "s2", "b")
        + _flow("f3", "a", "e")
        + _flow("f4", "b", "e")
        + "</bpmn:process>",
        clock,
    )
    rt.send(StartInstance())
    assert rt.completed() == ["s1", "s2", "a", "b", "e", "e"]
    assert rt.status() == "completed"


def test_a_subprocess_start_keeps_the_order_of_the_queue(clock: VirtualClock) -> None:
    # the fork activates the subprocess, then b: the queue completes the subprocess's start,
    # then b, then what follows the start
    rt = runtime(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:task id="inner"/><bpmn:endEvent id="se"/>'
        + _flow("i1", "ss", "inner")
        + _flow("i2", "inner", "se")
        + '</bpmn:subProcess><bpmn:task id="b"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + _flow("f0", "s", "fork")
        + _flow("fa", "fork", "sub")
        + _flow("fb", "fork", "b")
        + _flow("fa2", "sub", "e1")
        + _flow("fb2", "b", "e2")
        + "</bpmn:process>",
        clock,
    )
    rt.send(StartInstance())
    assert rt.completed() == ["s", "fork", "ss", "b", "inner", "e2", "se", "sub", "e1"]


SCENARIOS = sorted((Path(__file__).parents[2] / "conformance" / "scenarios").glob("*.yaml"))


def _snapshot(rt: InMemoryRuntime) -> tuple[Any, ...]:
    waits = sorted((w.element, w.kind) for w in rt.waits())
    return rt.completed(), waits, rt.status(), rt.variables()


def _trace(path: Path, *, passing: bool) -> list[Any]:
    """Completion order, waits, status and variables after each command of a scenario."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    run = scenario._Run(spec, path.parent, restore=False)  # the scenario runner drives the steps
    if not passing:
        nodes = run.rt.graph.nodes
        for node_id, node in list(nodes.items()):
            nodes[node_id] = replace(node, passes=False)
    run.start()
    trace = [_snapshot(run.rt)]
    for step in spec.get("steps") or []:
        run.step(step)
        trace.append(_snapshot(run.rt))
    return trace


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_passing_changes_only_how_the_history_is_written(path: Path) -> None:
    """With and without pass-through elements, every scenario completes the same elements in the
    same order and has the same waits, status and variables after every command."""
    assert _trace(path, passing=True) == _trace(path, passing=False)
