"""Conditional events re-evaluated by set_variables / complete_task; called processes in history."""

from __future__ import annotations

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import services

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
"""
_CONDITIONS = (
    _HEAD
    + """  <bpmn:process id="watch" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:intermediateCatchEvent id="big_amount">
      <bpmn:conditionalEventDefinition>
        <bpmn:condition>=amount &gt; 100</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="review"/>
    <bpmn:userTask id="work"/>
    <bpmn:boundaryEvent id="escalated" attachedToRef="work" cancelActivity="false">
      <bpmn:conditionalEventDefinition>
        <bpmn:condition>=escalate = true</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="manager"/>
    <bpmn:endEvent id="e1"/>
    <bpmn:endEvent id="e2"/>
    <bpmn:endEvent id="e3"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="big_amount"/>
    <bpmn:sequenceFlow id="f2" sourceRef="big_amount" targetRef="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="e1"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="work"/>
    <bpmn:sequenceFlow id="f5" sourceRef="work" targetRef="e2"/>
    <bpmn:sequenceFlow id="f6" sourceRef="escalated" targetRef="manager"/>
    <bpmn:sequenceFlow id="f7" sourceRef="manager" targetRef="e3"/>
  </bpmn:process>
</bpmn:definitions>
"""
)
_CALLS = (
    _HEAD
    + """  <bpmn:process id="parent" isExecutable="true">
    <bpmn:startEvent id="p_start"/>
    <bpmn:callActivity id="call_check">
      <bpmn:extensionElements><zeebe:calledElement processId="check"/></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:endEvent id="p_end"/>
    <bpmn:sequenceFlow id="p1" sourceRef="p_start" targetRef="call_check"/>
    <bpmn:sequenceFlow id="p2" sourceRef="call_check" targetRef="p_end"/>
  </bpmn:process>
  <bpmn:process id="check" isExecutable="true">
    <bpmn:startEvent id="c_start"/>
    <bpmn:userTask id="c_task"/>
    <bpmn:endEvent id="c_end"/>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="c_task"/>
    <bpmn:sequenceFlow id="c2" sourceRef="c_task" targetRef="c_end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)


def _open(instance_id: object) -> set[str]:
    return {t.element_id for t in services.tasks(instance_id=instance_id)}


def test_set_variables_triggers_a_conditional_catch_and_a_non_interrupting_boundary(clock: VirtualClock) -> None:
    services.deploy([("watch.bpmn", _CONDITIONS)])
    instance = services.start_instance("watch", variables={"amount": 50, "escalate": False})
    assert _open(instance.pk) == {"work"}

    services.set_variables(instance.pk, {"amount": 80})
    assert _open(instance.pk) == {"work"}
    services.set_variables(instance.pk, {"amount": 150})
    assert _open(instance.pk) == {"work", "review"}

    services.set_variables(instance.pk, {"escalate": True})
    assert _open(instance.pk) == {"work", "review", "manager"}  # non-interrupting: work stays
    history = [row.type for row in services.history(instance.pk)]
    assert history.count("ConditionChanged") >= 2


def test_completing_a_task_with_variables_triggers_a_condition_elsewhere(clock: VirtualClock) -> None:
    services.deploy([("watch.bpmn", _CONDITIONS)])
    instance = services.start_instance("watch", variables={"amount": 0, "escalate": False})
    [work] = services.tasks(instance_id=instance.pk)
    services.complete_task(work.pk, {"amount": 500})
    assert _open(instance.pk) == {"review"}
    [review] = services.tasks(instance_id=instance.pk)
    assert services.complete_task(review.pk).status == "completed"


def test_history_and_tasks_name_the_called_process_of_an_element(clock: VirtualClock) -> None:
    services.deploy([("calls.bpmn", _CALLS)])
    instance = services.start_instance("parent")
    [task] = services.tasks(instance_id=instance.pk)
    assert (task.element_id, task.process_id) == ("c_task", "check")
    assert instance.parent is None  # called processes run inside the caller's instance row

    records = {r.element_id: r for r in services.element_instances(instance.pk)}
    call = records["call_check"]
    assert (call.process_id, call.call_activity, call.state) == ("parent", None, "active")
    assert (records["check"].role, records["check"].call_activity) == ("process", call.key)
    assert (records["c_task"].process_id, records["c_task"].call_activity) == ("check", call.key)
    assert records["p_start"].call_activity is None

    services.complete_task(task.pk)
    records = {r.element_id: r for r in services.element_instances(instance.pk)}
    assert {r.state for r in records.values()} == {"completed"}
