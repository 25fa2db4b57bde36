"""The personal-data declaration of a process: ``civicflow:personal``, ``civicflow:subject`` and its forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.bpmn import load, personal_data

SERVICES = Path(__file__).parents[3] / "src" / "civicflow" / "services"

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" {ns} id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:extensionElements><{p}:properties>
      <{p}:property name="civicflow:personal" value="nationalId, birthDate  iban" />
      <{p}:property name="civicflow:subject" value="citizenId" />
      <{p}:property name="other" value="x" />
    </{p}:properties></bpmn:extensionElements>
    <bpmn:startEvent id="s">{start}</bpmn:startEvent>
    <bpmn:subProcess id="sub"><bpmn:userTask id="t">{task}</bpmn:userTask></bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""

ZEEBE = {
    "ns": 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"',
    "p": "zeebe",
    "start": '<bpmn:extensionElements><zeebe:formDefinition formId="apply" /></bpmn:extensionElements>',
    "task": '<bpmn:extensionElements><zeebe:formDefinition formId="review" /></bpmn:extensionElements>',
}
CAMUNDA7 = {
    "ns": 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
    "p": "camunda",
    "start": "",
    "task": "",
}


@pytest.mark.parametrize("dialect", [ZEEBE, CAMUNDA7], ids=["zeebe", "camunda7"])
def test_properties_name_the_personal_variables_and_the_subject(dialect: dict[str, str]) -> None:
    declared = personal_data(load(MODEL.format(**dialect).encode()).process("p"))
    assert declared.variables == {"nationalId", "birthDate", "iban"}
    assert declared.subject_variable == "citizenId"
    assert declared.form_refs == (("apply", "review") if dialect is ZEEBE else ())


def test_a_process_without_properties_declares_nothing() -> None:
    model = MODEL.format(**ZEEBE).replace("civicflow:personal", "x").replace("civicflow:subject", "y")
    declared = personal_data(load(model.encode()).process("p"))
    assert declared.variables == frozenset()
    assert declared.subject_variable is None


@pytest.mark.parametrize(
    ("path", "subject"),
    [
        ("building_permit/building_permit.bpmn", "applicantId"),
        ("tax_refund/tax_refund.bpmn", "claimantId"),
        ("record_transfer/record_transfer.bpmn", "patientId"),
    ],
)
def test_the_reference_services_name_the_applicant_as_subject(path: str, subject: str) -> None:
    declared = personal_data(load((SERVICES / path).read_bytes()).processes[0])
    assert declared.subject_variable == subject
    assert declared.form_refs  # the start form and the task forms, where the personal fields are marked
