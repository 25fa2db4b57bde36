"""The user task read model: assignment, schedule, priority and form from Camunda 7 and Zeebe models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import services

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    id="d" targetNamespace="t">
  <bpmn:process id="queue" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:userTask id="c7" name="Check (Camunda 7)" camunda:assignee="anna" camunda:candidateGroups="permits, legal"
        camunda:candidateUsers="ben,carl" camunda:dueDate="P2D" camunda:followUpDate="2025-03-02T10:00:00Z"
        camunda:priority="80" camunda:formKey="permit-form"/>
    <bpmn:userTask id="zb" name="Check (Zeebe)">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="=clerk" candidateGroups="=[dept, &quot;backoffice&quot;]"
            candidateUsers="dora"/>
        <zeebe:taskSchedule dueDate="=now() + duration(&quot;PT4H&quot;)" followUpDate="2025-03-05"/>
        <zeebe:priorityDefinition priority="=if urgent then 90 else 30"/>
        <zeebe:formDefinition formId="permit-review"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="juel" camunda:dueDate="${dateTime().plusDays(1).toDate()}" camunda:priority="${prio}"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="c7"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="zb"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="juel"/>
    <bpmn:sequenceFlow id="f4" sourceRef="c7" targetRef="end"/>
    <bpmn:sequenceFlow id="f5" sourceRef="zb" targetRef="end"/>
    <bpmn:sequenceFlow id="f6" sourceRef="juel" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _candidates(task_id: int, kind: str) -> set[str]:
    return set(services.get_task(task_id).candidates.filter(kind=kind).values_list("name", flat=True))


def test_camunda_7_and_zeebe_task_attributes_fill_the_work_queue(clock: VirtualClock) -> None:
    services.deploy([("queue.bpmn", _MODEL)])
    instance = services.start_instance("queue", variables={"clerk": "erik", "dept": "permits", "urgent": True})
    tasks = {t.element_id: t for t in services.tasks(instance_id=instance.pk)}
    created = clock.now()

    c7 = tasks["c7"]
    assert (c7.assignee, c7.priority, c7.form_key, c7.process_id) == ("anna", 80, "permit-form", "queue")
    assert c7.due == created + timedelta(days=2)
    assert c7.follow_up == datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    assert _candidates(c7.pk, "group") == {"permits", "legal"}
    assert _candidates(c7.pk, "user") == {"ben", "carl"}

    zb = tasks["zb"]
    assert (zb.assignee, zb.priority, zb.form_key) == ("erik", 90, "permit-review")
    assert zb.due == created + timedelta(hours=4)
    assert zb.follow_up == datetime(2025, 3, 5, tzinfo=UTC)
    assert _candidates(zb.pk, "group") == {"permits", "backoffice"}
    assert _candidates(zb.pk, "user") == {"dora"}

    juel = tasks["juel"]  # JUEL cannot run here: the fields stay at their defaults
    assert (juel.due, juel.priority, juel.assignee) == (None, 50, None)


def test_work_queues_filter_and_order_by_the_model_fields(clock: VirtualClock) -> None:
    services.deploy([("queue.bpmn", _MODEL)])
    services.start_instance("queue", variables={"clerk": "erik", "dept": "permits", "urgent": False})
    assert [t.element_id for t in services.tasks(candidate_groups=["permits"])] == ["c7", "zb"]  # 80 before 30
    assert [t.element_id for t in services.tasks(candidate_user="dora")] == ["zb"]
    assert [t.element_id for t in services.tasks(due_before=clock.now() + timedelta(days=1))] == ["zb"]
    assert [t.priority for t in services.tasks(assignee="erik")] == [30]
