"""The reference services' own job types run in-process; the fire-safety register stays external."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import jobs, services
from civicflow.runtime.models import Job
from civicflow.runtime.reference import deploy_reference_services
from civicflow.runtime.worker import claim
from civicflow.services import service

pytestmark = pytest.mark.django_db


def _run_due(clock: VirtualClock) -> list[str]:
    ran = []
    while batch := claim("test", 50, clock.now(), timedelta(minutes=5)):
        for job in batch:
            jobs.execute_job(job)
            ran.append(job.type)
    return ran


def test_building_permit_passes_issue_document_and_leaves_the_register_external(
    clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)  # no mail server in tests
    assert "fire-safety-register" not in jobs.HANDLERS
    assert {"issue-document", "audit-access"} <= set(jobs.HANDLERS)
    deploy_reference_services()
    permit = service("building_permit")
    start = {"caseNumber": "BP-9", "applicantId": "c-1", "applicantEmail": "a@example.org", "language": "en"}
    start |= {"buildingType": "extension", "floorArea": 40, "heritageZone": False}
    instance = services.start_instance(permit.process_id, business_key="BP-9", variables=start)
    for element, values in (
        ("check_completeness", {"documentsComplete": True}),
        ("zoning_review", {"reviewApproved": True, "reviewNotes": "ok"}),
        ("fire_review", {"reviewApproved": True, "reviewNotes": "ok"}),
    ):
        _run_due(clock)
        task = next(t for t in services.tasks(instance_id=instance.pk) if t.element_id == element)
        services.complete_task(task.pk, values)
    assert "fire-safety-register" not in _run_due(clock)
    register = Job.objects.get(instance_id=instance.pk, type="fire-safety-register")
    assert register.lock_owner is None  # waits for an external worker's fetch-and-lock
    jobs.complete_job(register, {"fireRegisterCompliant": True})
    _run_due(clock)
    services.correlate_message("PaymentReceived", "BP-9", {"amountPaid": 250})
    assert "issue-document" in _run_due(clock)
    values = services.variables(instance.pk)
    assert values["permitDocument"] == "BP-9-permit.html"  # rendered and stored by the portal (docs/portal.md)
    assert values["permitDocumentMeta"]["case"] == "BP-9"
