"""Staff and citizen actions append to the audit trail: claim, delegate, complete, case view, portal submission."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance, UserTask
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security.audit import verify
from civicflow.security.models import AuditEntry
from civicflow.services import service
from support.workbench import APPLICATION, signed_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def intake_task(db: Any) -> UserTask:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    case = services.start_instance(permit.process_id, business_key="BP-1", variables=APPLICATION)
    return UserTask.objects.get(instance=case, element_id="check_completeness")


def _entries() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    return list(AuditEntry.objects.values_list("actor", "action", "object_type", "object_ref", "details"))


def test_claim_delegate_complete_and_case_view_are_audited(intake_task: UserTask) -> None:
    ingrid, ivo = staff("ingrid", "intake"), staff("ivo", "intake")
    task = str(intake_task.pk)
    client = signed_in(ingrid)
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    client.post(reverse("workbench:delegate", args=[intake_task.pk]), {"colleague": "ivo"})
    signed_in(ivo).post(reverse("workbench:task", args=[intake_task.pk]), {"documentsComplete": "true"})
    intake_task.refresh_from_db()
    assert intake_task.completed_by == "ivo"
    assert client.get(reverse("workbench:case", args=[intake_task.instance_id])).status_code == 200
    assert _entries() == [
        (f"user:{ingrid.pk}", "TaskClaimed", "task", task, {}),
        (f"user:{ingrid.pk}", "TaskDelegated", "task", task, {"to": ivo.pk}),
        (f"user:{ivo.pk}", "TaskCompleted", "task", task, {"variable_names": ["documentsComplete"]}),
        (f"user:{ingrid.pk}", "CaseViewed", "instance", str(intake_task.instance_id), {}),
    ]
    assert verify().problem is None


def test_a_refused_claim_appends_nothing(intake_task: UserTask) -> None:
    signed_in(staff("ingrid", "intake")).post(reverse("workbench:claim", args=[intake_task.pk]))
    signed_in(staff("ivo", "intake")).post(reverse("workbench:claim", args=[intake_task.pk]))
    assert [entry[1] for entry in _entries()] == ["TaskClaimed"]  # the second claim rolled back with its entry


def test_a_portal_submission_is_audited_without_the_answers(db: Any) -> None:
    deploy_reference_services()
    answers = {
        "patientName": "J. Jansen",
        "patientEmail": "j.jansen@example.org",
        "sourceProvider": "Huisartsenpraktijk De Linde",
        "targetProvider": "Gezondheidscentrum Noord",
        "urgency": "routine",
    }
    client = Client()
    client.post("/portal/record_transfer/apply/", {**answers, "_continue": "1"})
    response = client.post("/portal/record_transfer/check/")
    match = re.fullmatch(r"/portal/applications/([A-Z]{2}-\d{4}-\d{6})/submitted/", response["Location"])
    assert match, response["Location"]
    instance = ProcessInstance.objects.get(business_key=match.group(1))
    assert _entries() == [
        (
            "citizen:anonymous",
            "ApplicationSubmitted",
            "application",
            match.group(1),
            {"service": "record_transfer", "instance": str(instance.pk)},
        )
    ]
    stored = json.dumps(_entries())
    for value in answers.values():
        assert value not in stored
