"""Staff and citizen actions append to the audit trail: claim, delegate, complete, case view, portal submission."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicflow.parties.models import Party
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


# ---- reads of personal data and decisions (issue #11: "every read of personal data ... every decision") ----

DISTINCTIVE = "Quirinus Zebedeus-Vlaskamp"  # a personal value that must never reach the trail


@pytest.fixture
def personal_case(db: Any) -> UserTask:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    variables = {**APPLICATION, "applicantName": DISTINCTIVE}
    case = services.start_instance(permit.process_id, business_key="BP-7", variables=variables)
    return UserTask.objects.get(instance=case, element_id="check_completeness")


def _new_entries(after: int) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    return list(
        AuditEntry.objects.filter(seq__gt=after)
        .order_by("seq")
        .values_list("actor", "action", "object_type", "object_ref", "details")
    )


def _last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _no_personal_values() -> None:
    stored = json.dumps(list(AuditEntry.objects.values_list("actor", "action", "object_ref", "details")))
    assert DISTINCTIVE not in stored
    assert verify().problem is None


def test_staff_task_page_and_document_download_are_audited(
    personal_case: UserTask, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from civicflow.portal.models import Application, Document
    from civicflow.web.attachments import document_storage

    settings.MEDIA_ROOT = str(tmp_path)
    ingrid = staff("ingrid", "intake")
    client = signed_in(ingrid)
    before = _last_seq()
    page = client.get(reverse("workbench:task", args=[personal_case.pk]))
    assert page.status_code == 200
    assert DISTINCTIVE in page.content.decode()  # the page did show the personal value
    application = Application.objects.create(
        reference="BP-A7",
        service="building_permit",
        instance_id=personal_case.instance_id,
        secret_hash="0" * 64,
        created=timezone.now(),
    )
    document = Document.objects.create(
        service="building_permit",
        field="plans",
        name=f"plans of {DISTINCTIVE}.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        storage_name=document_storage().save("audit-doc", ContentFile(b"%PDF")),
        application=application,
        created=timezone.now(),
    )
    download = client.get(reverse("workbench:document", args=[personal_case.instance_id, document.pk]))
    assert download.status_code == 200
    # read to the end, not download.close(): the test client's own wrapper closes the file without
    # running close_old_connections, which inside the test's transaction closes a PostgreSQL
    # connection (SQLite's in-memory one never closes, so only the PostgreSQL pass showed it)
    assert b"".join(download.streaming_content) == b"%PDF"
    instance = str(personal_case.instance_id)
    assert _new_entries(before) == [
        (f"user:{ingrid.pk}", "TaskViewed", "task", str(personal_case.pk), {"instance": instance}),
        (f"user:{ingrid.pk}", "DocumentDownloaded", "document", str(document.pk), {"instance": instance}),
    ]
    _no_personal_values()


def test_a_refused_task_page_is_not_audited_as_a_read(personal_case: UserTask) -> None:
    before = _last_seq()
    response = signed_in(staff("frank", "fire-safety")).get(reverse("workbench:task", args=[personal_case.pk]))
    assert response.status_code == 404
    assert _new_entries(before) == []


def _api(scopes: tuple[str, ...] = ("admin",)) -> tuple[Client, str]:
    from civicflow.api.tokens import create_token

    created = create_token("auditor-tool", scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.plaintext}"), f"token:{created.token.prefix}"


def test_api_reads_of_variables_and_history_are_audited(personal_case: UserTask) -> None:
    client, actor = _api()
    instance = str(personal_case.instance_id)
    before = _last_seq()
    variables = client.get(f"/api/v1/process-instances/{instance}/variables")
    assert variables.status_code == 200
    assert variables.json()["variables"]["applicantName"] == DISTINCTIVE
    assert client.get(f"/api/v1/process-instances/{instance}/history").status_code == 200
    xes = client.get(f"/api/v1/process-instances/{instance}/history/xes")
    assert xes.status_code == 200
    definition = personal_case.instance.definition_id
    assert client.get(f"/api/v1/process-definitions/{definition}/history/ocel").status_code == 200
    names = sorted({**APPLICATION, "applicantName": DISTINCTIVE})
    entries = _new_entries(before)
    assert entries[0] == (
        actor,
        "VariablesRead",
        "instance",
        instance,
        {"variable_names": entries[0][4]["variable_names"]},
    )
    assert set(names) <= set(entries[0][4]["variable_names"])
    assert entries[1:] == [
        (actor, "HistoryRead", "instance", instance, {}),
        (actor, "HistoryExported", "instance", instance, {"format": "xes"}),
        (actor, "HistoryExported", "definition", str(definition), {"format": "ocel", "instances": 1}),
    ]
    _no_personal_values()


def test_an_api_decision_is_audited_with_its_explanation_as_references(db: Any) -> None:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    client, actor = _api()
    before = _last_seq()
    # an input the decision does not use carries the personal value: the trail keeps its name only
    inputs = {"buildingType": "extension", "floorArea": 40, "heritageZone": False, "applicantName": DISTINCTIVE}
    response = client.post(
        "/api/v1/decision-definitions/building_permit_fee/evaluate", {"inputs": inputs}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    [(who, action, kind, ref, details)] = _new_entries(before)
    assert (who, action, kind) == (actor, "DecisionEvaluated", "decision")
    assert ref.startswith("building_permit_fee")
    assert details["inputs"] == ["applicantName", "buildingType", "floorArea", "heritageZone"]
    [decision] = details["explanation"]
    assert decision["decision"] == "building_permit_fee"
    [table] = decision["tables"]
    assert table["inputs"] == ["Building type", "Floor area (m2)", "Heritage zone"]
    assert table["matched"] == ["fee_extension"]
    matched = [rule["id"] or f"#{rule['index']}" for rule in response.json()["explanation"][0]["tables"][0]["matched"]]
    assert table["matched"] == matched
    _no_personal_values()


def test_a_gdpr_export_is_audited(db: Any) -> None:
    from typer.testing import CliRunner

    from civicflow.cli.gdpr import app
    from support.portal_citizen import BP_ANSWERS, apply, client, sign_in

    deploy_reference_services()
    browser = client()
    account_id = sign_in(browser, "quirinus@example.org")
    reference = apply(browser, answers={**BP_ANSWERS, "applicantName": DISTINCTIVE})
    party = Party.objects.get(account_id=account_id)  # made at sign-in: the export holds its record too
    before = _last_seq()
    result = CliRunner().invoke(app, ["export", "quirinus@example.org"])
    assert result.exit_code == 0, result.stderr
    assert DISTINCTIVE in result.stdout
    [(who, action, kind, ref, details)] = _new_entries(before)
    assert (who, action, kind) == ("cli", "SubjectExported", "subject")
    assert details == {"applications": [reference], "parties": [str(party.pk)], "format": "json", "with_files": False}
    assert "quirinus" not in ref
    _no_personal_values()
    assert "quirinus@example.org" not in json.dumps(_entries())


def test_a_business_rule_task_decision_is_audited_with_its_explanation_as_references(db: Any) -> None:
    from civicflow.cli._audit_step import follow_history

    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    # floorArea is an input of the fee table: its (distinctive) value must not reach the trail either
    variables = {**APPLICATION, "applicantName": DISTINCTIVE, "buildingType": "extension", "floorArea": 47.31}
    case = services.start_instance(permit.process_id, business_key="BP-8", variables=variables)
    intake = UserTask.objects.get(instance=case, element_id="check_completeness")
    services.complete_task(intake.pk, {"documentsComplete": True})
    before = _last_seq()
    follow_history(budget=30.0)
    decided = [e for e in _new_entries(before) if e[1] == "DecisionEvaluated"]
    [(who, _action, kind, ref, details)] = [e for e in decided if e[3].endswith("/determine_fee")]
    assert (who, kind, ref) == ("engine", "instance", f"{case.pk}/determine_fee")
    assert re.fullmatch(r"building_permit_fee:\d+", details["decision"])
    [decision] = details["explanation"]
    assert decision["decision"] == "building_permit_fee"
    [table] = decision["tables"]
    assert table["inputs"] == ["Building type", "Floor area (m2)", "Heritage zone"]
    assert "fee_extension" in table["matched"]
    stored = json.dumps([e[4] for e in decided])
    assert "47.31" not in stored
    assert "extension" not in stored.replace("fee_extension", "")
    _no_personal_values()
