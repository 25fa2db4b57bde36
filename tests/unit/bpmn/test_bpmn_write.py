"""civicflow.bpmn.write: parse -> write -> parse gives an equal model."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from civicflow.bpmn import load, write
from civicflow.bpmn.model import Dialect, ServiceTask, UserTask

REPO = Path(__file__).resolve().parents[3]
MIWG_REFERENCE = REPO.parent / "shared" / "data" / "bpmn-miwg" / "Reference"
MIWG_FILES = sorted(MIWG_REFERENCE.glob("*.bpmn")) if MIWG_REFERENCE.is_dir() else []


@pytest.mark.skipif(not MIWG_FILES, reason=f"MIWG reference models not found at {MIWG_REFERENCE}")
@pytest.mark.parametrize("path", MIWG_FILES, ids=lambda p: p.stem)
def test_miwg_reference_round_trips_to_an_equal_model(path: Path) -> None:
    model = load(path)
    assert load(write(model)) == model


def test_all_21_miwg_reference_files_are_present() -> None:
    if not MIWG_FILES:
        pytest.skip(f"MIWG reference models not found at {MIWG_REFERENCE}")
    assert len(MIWG_FILES) == 21


MODEL = b"""<bpmn2:definitions xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:x="urn:vendor" id="d" targetNamespace="t">
  <bpmn2:process id="p" isExecutable="true">
    <bpmn2:startEvent id="s" />
    <bpmn2:sequenceFlow id="f" sourceRef="s" targetRef="t1" />
    <bpmn2:serviceTask id="t1" x:color="red">
      <bpmn2:extensionElements>
        <zeebe:taskDefinition type="=jobType" retries="3" />
        <zeebe:taskHeaders><zeebe:header key="k" value="v" /></zeebe:taskHeaders>
        <x:thing a="1"><x:inner>text</x:inner></x:thing>
      </bpmn2:extensionElements>
    </bpmn2:serviceTask>
    <bpmn2:userTask id="t2" camunda:candidateUsers="ann,bob" camunda:priority="50" />
  </bpmn2:process>
  <bpmndi:BPMNDiagram id="dia">
    <bpmndi:BPMNPlane id="plane" bpmnElement="p">
      <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="10" y="20.5" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_di" bpmnElement="f"><di:waypoint x="46" y="38" /><di:waypoint x="100" y="38" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn2:definitions>
"""


def test_written_xml_keeps_extensions_and_diagram() -> None:
    model = load(MODEL)
    xml = write(model)
    root = etree.fromstring(xml)
    ns = {
        "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
        "zeebe": "http://camunda.org/schema/zeebe/1.0",
        "dc": "http://www.omg.org/spec/DD/20100524/DC",
        "x": "urn:vendor",
    }
    task = root.find(".//bpmn:serviceTask", ns)
    assert task is not None
    assert task.get("{urn:vendor}color") == "red"
    definition = task.find("bpmn:extensionElements/zeebe:taskDefinition", ns)
    assert definition is not None
    assert (definition.get("type"), definition.get("retries")) == ("=jobType", "3")
    assert task.findtext("bpmn:extensionElements/x:thing/x:inner", namespaces=ns) == "text"
    bounds = root.find(".//dc:Bounds", ns)
    assert bounds is not None
    assert (bounds.get("x"), bounds.get("y")) == ("10", "20.5")
    user = root.find(".//bpmn:userTask", ns)
    assert user is not None
    assert user.get("{http://camunda.org/schema/1.0/bpmn}candidateUsers") == "ann,bob"
    assert load(xml) == model


def test_round_trip_keeps_typed_extension_values() -> None:
    again = load(write(load(MODEL)))
    service = again.processes[0].flow_elements[2]
    assert isinstance(service, ServiceTask)
    assert service.ext.task_definition is not None
    assert service.ext.task_definition.type is not None
    assert service.ext.task_definition.type.feel == "jobType"
    assert [(h.name, h.value) for h in service.ext.task_headers] == [("k", "v")]
    user = again.processes[0].flow_elements[3]
    assert isinstance(user, UserTask)
    assert user.ext.priority is not None
    assert (user.ext.priority.raw, user.ext.priority_dialect) == ("50", Dialect.CAMUNDA)
