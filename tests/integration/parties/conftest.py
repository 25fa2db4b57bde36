"""Fixtures of the parties foundation tests: cases of one person at two departments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from django.utils import timezone

from civicflow import parties
from civicflow.parties.models import Party
from civicflow.runtime import services
from civicflow.runtime.definitions import clear_caches
from civicflow.services import service

# a case only the "finance" department has a task on
FINANCE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d_refund" targetNamespace="https://example.org">
  <bpmn:process id="fee_refund" name="Fee refund" isExecutable="true">
    <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="pay" />
    <bpmn:userTask id="pay" name="Pay the refund">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="finance" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="b" sourceRef="pay" targetRef="e" /><bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True, slots=True)
class TwoCases:
    party: Party
    permit: UUID  # a building permit: its first task is Intake's
    refund: UUID  # a fee refund: only Finance works on it


@pytest.fixture
def two_cases() -> Iterator[TwoCases]:
    """A person with a building permit (Intake works on it) and a fee refund (only Finance does)."""
    clear_caches()  # compiled models cached under ids an earlier, rolled-back test used
    now = timezone.now()
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    services.deploy([("fee_refund.bpmn", FINANCE_BPMN)])
    party = parties.party_for_identity(scheme="national-id", identifier="999990019", now=now)
    first = services.start_instance(permit.process_id, business_key="BP-2026-000101", variables={})
    second = services.start_instance("fee_refund", business_key="FR-1", variables={})
    parties.record_case(party, instance_id=first.pk, service="building_permit", reference="BP-2026-000101", now=now)
    parties.record_case(party, instance_id=second.pk, service="fee_refund", now=now)
    yield TwoCases(party=party, permit=first.pk, refund=second.pk)
    clear_caches()
