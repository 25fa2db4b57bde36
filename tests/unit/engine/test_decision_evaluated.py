"""A business rule task records which decision it took and why: ``DecisionEvaluated`` (issue #11)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from civicflow import dmn
from civicflow.engine import Context, SequentialIds, StartInstance, VirtualClock, dumps_state, replay
from civicflow.engine import events as ev
from civicflow.engine.codec import decode_event, encode_event
from civicflow.engine.dmn_port import DmnDecisions
from civicflow.engine.runtime import InMemoryRuntime

from .conftest import graph_of

FEES = Path(__file__).parents[2] / "conformance" / "scenarios" / "fee_rules.dmn"
PROCESS = (
    '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
    '<bpmn:businessRuleTask id="fee"><bpmn:extensionElements>'
    '<zeebe:calledDecision decisionId="Fee" resultVariable="fee"/></bpmn:extensionElements></bpmn:businessRuleTask>'
    '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fee"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="fee" targetRef="e"/></bpmn:process>'
)


def _run(clock: VirtualClock, area: int, *, restore: bool) -> InMemoryRuntime:
    ctx = Context(clock=clock, ids=SequentialIds(), decisions=DmnDecisions([dmn.load(FEES)]))
    rt = InMemoryRuntime(graph_of(PROCESS, clock), ctx, restore=restore)
    rt.send(StartInstance(variables={"area": area}))
    return rt


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "restore"])
@pytest.mark.parametrize(("area", "rule", "fee"), [(40, "r1", 120), (73, "r2", 300)])
def test_business_rule_task_emits_decision_evaluated_before_its_result(
    clock: VirtualClock, restore: bool, area: int, rule: str, fee: int
) -> None:
    rt = _run(clock, area, restore=restore)
    kinds = [(type(e).__name__, getattr(e, "element", "")) for e in rt.history]
    assert kinds[kinds.index(("ElementActivated", "fee")) :][:4] == [
        ("ElementActivated", "fee"),
        ("DecisionEvaluated", "fee"),
        ("VariablesSet", ""),
        ("ElementCompleted", "fee"),
    ]
    decided = next(e for e in rt.history if isinstance(e, ev.DecisionEvaluated))
    activated = next(e for e in rt.history if isinstance(e, ev.ElementActivated) and e.element == "fee")
    assert decided.key == activated.key
    assert decided.decision == "Fee"
    assert decided.version is None  # the in-memory port has no deployed versions
    assert decided.explanation == [
        {
            "decision": "Fee",
            "supplied": False,
            "tables": [{"table": "fee_table", "hit_policy": "FIRST", "inputs": ["area"], "matched": [rule]}],
        }
    ]
    assert {"fee": Decimal(fee)} in [e.variables for e in rt.history if isinstance(e, ev.VariablesSet)]
    # references only: the value that went in appears nowhere in the event
    assert str(area) not in repr(encode_event(decided))
    assert decode_event(encode_event(decided)) == decided
    # history-only: replaying without it rebuilds the same state (histories recorded before it existed)
    without = [e for e in rt.history if not isinstance(e, ev.DecisionEvaluated)]
    assert dumps_state(replay(without)) == dumps_state(replay(rt.history)) == dumps_state(rt.state)


def test_a_failing_decision_raises_an_incident_and_records_no_decision(clock: VirtualClock) -> None:
    rt = _run(clock, area=40, restore=False)
    ctx = Context(clock=clock, ids=SequentialIds())  # no DMN models deployed
    failing = InMemoryRuntime(graph_of(PROCESS, clock), ctx)
    failing.send(StartInstance(variables={"area": 40}))
    assert any(isinstance(e, ev.DecisionEvaluated) for e in rt.history)
    assert not any(isinstance(e, ev.DecisionEvaluated) for e in failing.history)
    assert [e.kind for e in failing.history if isinstance(e, ev.IncidentRaised)] == ["decision"]
