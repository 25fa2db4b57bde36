"""A party with a whole record for the party pages' tests (issue #13): Anna, applicant on a building
permit at Intake (department "intake") and on a second case only Fire safety works on, with an
upload, an issued document, messages, a consent, an evidence exchange and a prefilled field on each.

Used by the workbench, portal and API tests and, as a script, by the browser test's seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from civicflow import parties
from civicflow.parties.models import EvidenceExchange, Party, PrefillRecord
from civicflow.portal.models import Application, CitizenAccount, Document, IssuedDocument
from civicflow.runtime import services
from civicflow.runtime.definitions import clear_caches
from civicflow.runtime.models import ProcessInstance
from civicflow.services import service
from civicflow.web.attachments import document_storage
from support.workbench import APPLICATION

__all__ = ["ANNA_EMAIL", "NATIONAL_ID", "PartyWorld", "build_party_world"]

NATIONAL_ID = "123456782"
ANNA_EMAIL = "anna@example.org"
# a case only Fire safety has a task on: Intake must not see it on Anna's record (purpose limitation)
FIRE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_fire" targetNamespace="https://example.org">
  <bpmn:process id="fire_inspection" name="Fire inspection" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="inspect" name="Inspect the premises">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="fire-safety" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="inspect" />
    <bpmn:sequenceFlow id="f2" sourceRef="inspect" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyWorld:
    party: Party
    account: CitizenAccount
    permit: ProcessInstance  # Intake's case
    fire: ProcessInstance  # Fire safety's case
    application: Application  # the permit's portal application
    upload: Document
    issued: IssuedDocument
    consent: Any
    fire_consent: Any


def _upload(application: Application, name: str, content: bytes) -> Document:
    stored = document_storage().save(name, ContentFile(content))
    return Document.objects.create(
        application=application,
        service=application.service,
        field="documents",
        name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=stored,
        created=timezone.now(),
    )


def build_party_world(
    *, reference: str = "BP-2026-000101", email: str = ANNA_EMAIL, national_id: str = NATIONAL_ID
) -> PartyWorld:
    """Deploy both processes, start a case of each and give Anna a record touching both.

    ``reference`` (her permit application's), ``email`` and ``national_id`` let a served platform that other tests
    share (the browser tests) keep her apart from everyone else.
    """
    clear_caches()  # compiled models cached under ids an earlier, rolled-back test used
    now = timezone.now()
    permit_service = service("building_permit")
    services.deploy(permit_service.files(), name="reference:building_permit")
    services.deploy([("fire_inspection.bpmn", FIRE_BPMN)], name="tests:fire")
    permit = services.start_instance(permit_service.process_id, business_key=reference, variables=APPLICATION)
    fire = services.start_instance("fire_inspection", business_key="FI-1")
    account = CitizenAccount.for_address(email, now)
    party = parties.party_for_identity(scheme="national-id", identifier=national_id, account_id=account.pk, now=now)
    party.set_name("Anna de Vries")
    party.set_email(email)
    party.set_phone("+31 20 123 4567")
    party.set_address("Kerkstraat 1, Utrecht")
    party.save()
    application = Application.objects.create(
        reference=reference,
        service="building_permit",
        instance_id=permit.pk,
        secret_hash="0" * 64,
        created=now,
        account=account,
    )
    parties.record_case(party, instance_id=permit.pk, service="building_permit", reference=reference, now=now)
    parties.record_case(party, instance_id=fire.pk, service="fire_inspection", now=now)
    upload = _upload(application, "floor-plan.pdf", b"%PDF-1.4 plan")
    content = b"%PDF-1.4 permit"
    issued = IssuedDocument.objects.create(
        instance_id=permit.pk,
        reference=application.reference,
        kind="permit",
        name="permit.pdf",
        media_type="application/pdf",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        issued=now,
    )
    for instance, subject in ((permit, f"Your application {reference} was received"), (fire, "Inspection date")):
        parties.record_message(
            party, instance_id=instance.pk, direction="sent", channel="email", subject=subject, now=now
        )
    consent = parties.give_consent(
        party,
        purpose="evidence:income-statement",
        service="building_permit",
        provider="tax-office",
        instance_id=permit.pk,
        text_version="2026-1",
        now=now,
    )
    fire_consent = parties.give_consent(
        party,
        purpose="evidence:insurance",
        service="fire_inspection",
        provider="insurer-register",
        instance_id=fire.pk,
        text_version="2026-1",
        now=now,
    )
    for instance, given, kind, provider in (
        (permit, consent, "income-statement", "tax-office"),
        (fire, fire_consent, "insurance", "insurer-register"),
    ):
        EvidenceExchange.objects.create(
            party=party,
            consent=given,
            instance_id=instance.pk,
            evidence_type=kind,
            requester="civicflow",
            provider=provider,
            state="provided",
            request_event_id=f"req-{kind}",
            response_event_id=f"res-{kind}",
            requested_at=now,
            answered_at=now,
        )
    for instance, name, field, detail in (
        (permit, "building_permit", "applicantName", "Population register"),
        (fire, "fire_inspection", "premisesAddress", f"application {reference}"),
    ):
        PrefillRecord.objects.create(
            party=party,
            instance_id=instance.pk,
            service=name,
            field=field,
            source="registry",
            source_detail=detail,
            changed=False,
            at=now,
        )
    return PartyWorld(
        party=party,
        account=account,
        permit=permit,
        fire=fire,
        application=application,
        upload=upload,
        issued=issued,
        consent=consent,
        fire_consent=fire_consent,
    )
