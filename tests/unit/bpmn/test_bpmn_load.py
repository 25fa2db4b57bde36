"""civicflow.bpmn.load: elements, extensions, references, line numbers and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.bpmn import BpmnParseError, LoadOptions, load
from civicflow.bpmn.model import (
    BoundaryEvent,
    CallActivity,
    Dialect,
    EventTrigger,
    ExclusiveGateway,
    MultiInstanceLoopCharacteristics,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    TimerEventDefinition,
    UserTask,
    iter_flow_elements,
)

ZEEBE_MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<b:definitions xmlns:b="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:z="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://x">
  <b:message id="Msg_1" name="FireReport">
    <b:extensionElements><z:subscription correlationKey="=caseId" /></b:extensionElements>
  </b:message>
  <b:process id="permit" name="Permit" isExecutable="true">
    <b:startEvent id="start"><b:outgoing>f1</b:outgoing></b:startEvent>
    <b:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <b:exclusiveGateway id="gw" default="f3" />
    <b:sequenceFlow id="f2" sourceRef="gw" targetRef="review">
      <b:conditionExpression>= area &gt; 50</b:conditionExpression>
    </b:sequenceFlow>
    <b:sequenceFlow id="f3" sourceRef="gw" targetRef="lookup" />
    <b:userTask id="review" name="Review zoning">
      <b:extensionElements>
        <z:assignmentDefinition candidateGroups="zoning" />
        <z:formDefinition formId="zoning-form" />
        <z:ioMapping><z:input source="=area" target="size" /></z:ioMapping>
        <z:vendorThing foo="bar" />
      </b:extensionElements>
      <b:multiInstanceLoopCharacteristics isSequential="true">
        <b:extensionElements>
          <z:loopCharacteristics inputCollection="=items" inputElement="item" />
        </b:extensionElements>
        <b:completionCondition>=done</b:completionCondition>
      </b:multiInstanceLoopCharacteristics>
    </b:userTask>
    <b:serviceTask id="lookup">
      <b:extensionElements><z:taskDefinition type="registry-lookup" retries="5" /></b:extensionElements>
    </b:serviceTask>
    <b:boundaryEvent id="late" attachedToRef="review" cancelActivity="false">
      <b:timerEventDefinition><b:timeCycle>R/P1D</b:timeCycle></b:timerEventDefinition>
    </b:boundaryEvent>
    <b:subProcess id="sub" triggeredByEvent="true">
      <b:startEvent id="sub_start" isInterrupting="false" />
    </b:subProcess>
  </b:process>
</b:definitions>
"""


def _by_id(defs, element_id):
    for element in iter_flow_elements(defs.processes[0]):
        if element.id == element_id:
            return element
    raise KeyError(element_id)


def test_load_reads_elements_by_namespace_not_prefix() -> None:
    defs = load(ZEEBE_MODEL)
    process = defs.process()
    assert process.id == "permit"
    assert process.is_executable is True
    assert [e.id for e in iter_flow_elements(process)] == [
        "start", "f1", "gw", "f2", "f3", "review", "lookup", "late", "sub", "sub_start",
    ]  # fmt: skip
    gateway = _by_id(defs, "gw")
    assert isinstance(gateway, ExclusiveGateway)
    assert gateway.default == "f3"
    flow = _by_id(defs, "f2")
    assert isinstance(flow, SequenceFlow)
    assert flow.condition_expression is not None
    assert flow.condition_expression.feel == "area > 50"


def test_zeebe_extensions_are_typed() -> None:
    defs = load(ZEEBE_MODEL)
    assert defs.messages[0].ext.correlation_key is not None
    assert defs.messages[0].ext.correlation_key.feel == "caseId"
    review = _by_id(defs, "review")
    assert isinstance(review, UserTask)
    assert review.ext.assignment is not None
    assert review.ext.assignment.candidate_groups is not None
    assert review.ext.assignment.candidate_groups.raw == "zoning"
    assert review.ext.form is not None
    assert review.ext.form.form_id == "zoning-form"
    assert review.ext.io_mapping is not None
    assert review.ext.io_mapping.inputs[0].target == "size"
    assert [n.local_name for n in review.extension_elements] == ["vendorThing"]
    loop = review.loop_characteristics
    assert isinstance(loop, MultiInstanceLoopCharacteristics)
    assert loop.is_sequential is True
    assert loop.ext.loop is not None
    assert loop.ext.loop.input_element == "item"
    lookup = _by_id(defs, "lookup")
    assert isinstance(lookup, ServiceTask)
    assert lookup.ext.task_definition is not None
    assert lookup.ext.task_definition.dialect is Dialect.ZEEBE
    assert lookup.ext.task_definition.job_type == "registry-lookup"


def test_events_and_line_numbers() -> None:
    defs = load(ZEEBE_MODEL)
    boundary = _by_id(defs, "late")
    assert isinstance(boundary, BoundaryEvent)
    assert boundary.attached_to_ref == "review"
    assert boundary.cancel_activity is False
    assert boundary.trigger is EventTrigger.TIMER
    timer = boundary.event_definitions[0]
    assert isinstance(timer, TimerEventDefinition)
    assert timer.time_cycle is not None
    assert timer.time_cycle.raw == "R/P1D"
    assert boundary.line == 32  # line 1 is the XML declaration
    sub = _by_id(defs, "sub")
    assert isinstance(sub, SubProcess)
    assert sub.triggered_by_event is True
    start = sub.flow_elements[0]
    assert isinstance(start, StartEvent)
    assert start.is_interrupting is False
    assert start.trigger is EventTrigger.NONE


CAMUNDA_MODEL = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="p" isExecutable="true" camunda:historyTimeToLive="P30D">
    <userTask id="approve" camunda:assignee="${approver}" camunda:candidateGroups="finance"
        camunda:dueDate="P3D" camunda:formKey="embedded:app:forms/a.html" camunda:asyncBefore="true">
      <extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="amount">${invoice.amount}</camunda:inputParameter>
          <camunda:outputParameter name="ok">
            <camunda:list><camunda:value>a</camunda:value></camunda:list>
          </camunda:outputParameter>
        </camunda:inputOutput>
        <camunda:properties><camunda:property name="sla" value="P2D" /></camunda:properties>
      </extensionElements>
    </userTask>
    <callActivity id="call" calledElement="tns:child" camunda:calledElementBinding="latest">
      <extensionElements><camunda:in variables="all" /><camunda:out source="a" target="b" /></extensionElements>
    </callActivity>
  </process>
</definitions>
"""


def test_camunda_extensions_are_typed() -> None:
    defs = load(CAMUNDA_MODEL)
    process = defs.processes[0]
    approve = process.flow_elements[0]
    assert isinstance(approve, UserTask)
    ext = approve.ext
    assert ext.assignment is not None
    assert ext.assignment.dialect is Dialect.CAMUNDA
    assert ext.assignment.assignee is not None
    assert ext.assignment.assignee.is_juel is True
    assert ext.assignment.assignee.feel is None
    assert ext.schedule is not None
    assert ext.schedule.due_date is not None
    assert ext.schedule.due_date.raw == "P3D"
    assert ext.form is not None
    assert ext.form.form_key == "embedded:app:forms/a.html"
    assert ext.async_before is True
    assert ext.io_mapping is not None
    assert ext.io_mapping.inputs[0].source is not None
    assert ext.io_mapping.inputs[0].source.raw == "${invoice.amount}"
    assert ext.io_mapping.outputs[0].value is not None
    assert ext.io_mapping.outputs[0].value.local_name == "list"
    assert [(p.name, p.value) for p in ext.properties] == [("sla", "P2D")]
    # Attributes we do not type stay on the element.
    assert process.attributes == (("{http://camunda.org/schema/1.0/bpmn}historyTimeToLive", "P30D"),)
    call = process.flow_elements[1]
    assert isinstance(call, CallActivity)
    assert call.called_element == "tns:child"  # tns is not bound here, so it is not a prefix
    assert call.ext.called_element is not None
    assert call.ext.called_element.binding == "latest"
    assert call.ext.called_element.inputs[0].all_variables is True
    assert call.ext.called_element.outputs[0].target == "b"


def test_line_numbers_do_not_affect_equality() -> None:
    assert load(ZEEBE_MODEL) == load(b"\n\n" + ZEEBE_MODEL.split(b"\n", 1)[1])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<not xml", "not well-formed XML"),
        (b"<x/>", "not BPMN 2.0 definitions"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<d>&e;</d>',
            "DTDs and entity declarations are refused",
        ),
        (
            b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">]><lolz>&lol1;</lolz>',
            "DTDs and entity declarations are refused",
        ),
    ],
)
def test_refusals_are_bpmn_parse_errors(data: bytes, message: str) -> None:
    with pytest.raises(BpmnParseError, match=message):
        load(data)


def test_refusal_carries_line_and_element() -> None:
    data = (
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
        b'<process id="p">\n<exclusiveGateway id="g" gatewayDirection="Sideways"/>\n</process>\n</definitions>'
    )
    with pytest.raises(BpmnParseError) as info:
        load(data)
    assert info.value.line == 3
    assert info.value.element_id == "g"


def test_size_limit_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BpmnParseError, match="over the limit of 10"):
        load(ZEEBE_MODEL, options=LoadOptions(max_bytes=10))
    missing = tmp_path / "missing.bpmn"
    with pytest.raises(BpmnParseError, match="cannot read file") as info:
        load(missing)
    assert info.value.file == str(missing)
