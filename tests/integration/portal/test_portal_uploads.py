"""Uploads in the portal: stored under random names, kept through check/save/resume, downloaded with access checks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from civicflow.portal import _secrets
from civicflow.portal._uploads import sweep_uploads
from civicflow.portal.models import Application, Document
from civicflow.runtime import jobs, services
from civicflow.runtime.definitions import clear_caches
from civicflow.runtime.models import UserTask
from civicflow.runtime.reference import deploy_reference_services
from civicflow.runtime.worker import claim, run_batch
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db

BP = "/portal/building_permit"
ABOUT = {"applicantName": "A. de Vries", "applicantEmail": "a.devries@example.org"}
WORK = {"address": "Kerkstraat 1, Utrecht", "buildingType": "extension", "floorArea": "40"}


def pdf(text: str = "plan") -> bytes:
    return f"%PDF-1.7\n1 0 obj\n<< /Title ({text}) >>\nendobj\ntrailer\n<<>>\n%%EOF\n".encode()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "documents"


@pytest.fixture
def deployed() -> None:
    deploy_reference_services()


def answered(client: Client) -> None:
    """Answer parts 1 and 2 of the building permit."""
    assert client.post(f"{BP}/apply/", {**ABOUT, "_continue": "1"})["Location"] == f"{BP}/apply/2/"
    assert client.post(f"{BP}/apply/2/", {**WORK, "_continue": "1"})["Location"] == f"{BP}/apply/3/"


def submit(client: Client) -> str:
    response = client.post(f"{BP}/check/")
    match = re.fullmatch(r"/portal/applications/(BP-\d{4}-\d{6})/submitted/", response["Location"])
    assert match, response
    return match.group(1)


def test_upload_is_stored_under_a_random_name_with_its_hash(media: Path) -> None:
    client = Client()
    answered(client)
    content = pdf()
    response = client.post(f"{BP}/apply/3/", {"documents": [upload("Site plan.pdf", content)], "_continue": "1"})
    assert response["Location"] == f"{BP}/check/"
    (document,) = Document.objects.all()
    assert document.name == "Site plan.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.application is None
    assert re.fullmatch(r"[0-9a-f]{40}", document.storage_name)
    stored = media / document.storage_name
    assert stored.read_bytes() == content
    assert stored.stat().st_mode & 0o077 == 0  # owner only
    assert [p.name for p in media.iterdir()] == [document.storage_name]
    page = client.get(f"{BP}/apply/3/").content.decode()
    assert "Site plan.pdf" in page
    assert f'name="_remove_file" value="{document.pk}"' in page


def test_files_add_up_can_be_removed_and_show_on_the_check_page(media: Path) -> None:
    client = Client()
    answered(client)
    client.post(f"{BP}/apply/3/", {"documents": [upload("a.pdf", pdf("a")), upload("b.pdf", pdf("b"))]})
    client.post(f"{BP}/apply/3/", {"documents": [upload("c.pdf", pdf("c"))]})
    assert sorted(Document.objects.values_list("name", flat=True)) == ["a.pdf", "b.pdf", "c.pdf"]
    b = Document.objects.get(name="b.pdf")
    client.post(f"{BP}/apply/3/", {"_remove_file": str(b.pk)})
    assert not Document.objects.filter(pk=b.pk).exists()
    assert not (media / b.storage_name).exists()
    check = client.get(f"{BP}/check/").content.decode()
    assert "a.pdf, c.pdf" in check
    assert f'href="{BP}/apply/3/?change=1#field-documents"' in check


def test_submitted_documents_become_process_variables_and_the_citizens_downloads(deployed: None) -> None:
    client = Client()
    answered(client)
    content = pdf()
    client.post(f"{BP}/apply/3/", {"documents": [upload("plan.pdf", content)], "_continue": "1"})
    reference = submit(client)
    application = Application.objects.get(reference=reference)
    (document,) = Document.objects.filter(application=application)
    assert document.uploader_hash == ""
    variables = services.variables(application.instance_id)
    assert variables["documents"] == [
        {"id": str(document.pk), "name": "plan.pdf", "size": len(content), "type": "application/pdf"}
    ]
    page = client.get(f"/portal/applications/{reference}/").content.decode()
    url = f"/portal/applications/{reference}/uploads/{document.pk}/"
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith('attachment; filename="plan.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    # another session, or the right document under another reference, is 404
    assert Client().get(url).status_code == 404
    other = Client()
    answered(other)
    other_reference = submit(other)
    assert other.get(f"/portal/applications/{other_reference}/uploads/{document.pk}/").status_code == 404


def test_saved_drafts_keep_their_documents(deployed: None) -> None:
    client = Client()
    answered(client)
    client.post(f"{BP}/apply/3/", {"documents": [upload("plan.pdf", pdf())]})
    assert client.post(f"{BP}/save/", {"email": "a.devries@example.org"}).status_code == 302
    link = re.search(r"http://testserver(/portal/resume/\S+/)", mail.outbox[-1].body)
    assert link
    (document,) = Document.objects.all()
    assert document.draft is not None
    # the link in another browser: the documents come back with the answers
    later = Client()
    assert later.get(link.group(1)).status_code == 302
    assert "plan.pdf" in later.get(f"{BP}/apply/3/").content.decode()
    assert Client().get(f"{BP}/apply/3/").content.decode().count("plan.pdf") == 0
    reference = submit(later)
    document.refresh_from_db()
    assert document.application is not None
    assert document.application.reference == reference
    # the first browser no longer holds it
    assert client.post(f"{BP}/apply/3/", {"_remove_file": str(document.pk)}).status_code == 200
    assert Document.objects.filter(pk=document.pk).exists()


def test_caseworkers_see_and_download_the_documents_of_their_cases(deployed: None) -> None:
    client = Client()
    answered(client)
    content = pdf()
    client.post(f"{BP}/apply/3/", {"documents": [upload("plan.pdf", content)]})
    application = Application.objects.get(reference=submit(client))
    (document,) = Document.objects.all()
    task = UserTask.objects.get(instance_id=application.instance_id, element_id="check_completeness")
    intake = signed_in(staff("ingrid", "intake"))
    url = f"/workbench/cases/{application.instance_id}/documents/{document.pk}"
    for page in (f"/workbench/tasks/{task.pk}", f"/workbench/cases/{application.instance_id}"):
        assert f'href="{url}"' in intake.get(page).content.decode()
    response = intake.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    # staff of another department, or the document under another case: 404
    assert signed_in(staff("fred", "finance")).get(url).status_code == 404
    other = services.start_instance("building_permit", business_key="BP-X", variables={"caseNumber": "BP-X"})
    assert intake.get(f"/workbench/cases/{other.pk}/documents/{document.pk}").status_code == 404


def test_missing_documents_are_sent_from_the_application_page(deployed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []
    # the request mail goes nowhere here; the worker runs everything else as it would
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: sent.append(jobs.job_variables(job)) or {})
    client = Client()
    answered(client)
    client.post(f"{BP}/apply/3/", {"documents": [upload("plan.pdf", pdf())]})
    reference = submit(client)
    application = Application.objects.get(reference=reference)
    supply = f"/portal/applications/{reference}/send-documents/"
    assert client.get(supply).status_code == 404  # nothing asked yet
    task = UserTask.objects.get(instance_id=application.instance_id, element_id="check_completeness")
    services.complete_task(task.pk, {"documentsComplete": False, "missingDocuments": "the floor plan"})
    run_batch(claim("test", 10, timezone.now() + timedelta(seconds=1), timedelta(minutes=5)))
    assert [v["missingDocuments"] for v in sent] == ["the floor plan"]
    page = client.get(f"/portal/applications/{reference}/").content.decode()
    assert f'href="{supply}"' in page
    form = client.get(supply).content.decode()
    assert "the floor plan" in form
    assert Client().get(supply).status_code == 404
    refused = client.post(supply, {"_send": "1"}).content.decode()
    assert 'href="#field-documents"' in refused
    response = client.post(supply, {"documents": [upload("floor plan.pdf", pdf("floor"))], "_send": "1"})
    assert response["Location"] == f"/portal/applications/{reference}/"
    names = [d["name"] for d in services.variables(application.instance_id)["documents"]]
    assert names == ["plan.pdf", "floor plan.pdf"]
    assert Document.objects.filter(application=application).count() == 2
    waiting = UserTask.objects.filter(instance_id=application.instance_id, element_id="check_completeness")
    assert waiting.filter(state="created").count() == 1  # back to the completeness check
    assert client.get(supply).status_code == 404


EVIDENCE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_evidence" targetNamespace="https://example.org">
  <bpmn:process id="evidence_request" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="send_evidence" name="Send evidence">
      <bpmn:extensionElements><zeebe:formDefinition formId="test-evidence" />
        <zeebe:assignmentDefinition assignee="=applicantId" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send_evidence" />
    <bpmn:sequenceFlow id="f2" sourceRef="send_evidence" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
EVIDENCE_FORM = """{"id": "test-evidence", "type": "default", "components": [
  {"type": "textfield", "key": "note", "label": "Note"},
  {"type": "filepicker", "key": "evidence", "label": "Evidence", "accept": ".pdf", "validate": {"required": true}}
]}"""


@pytest.fixture
def fresh_graphs() -> Iterator[None]:
    # graphs are cached by resource id, and rolled-back tests reuse ids for other models
    clear_caches()
    yield
    clear_caches()


@pytest.mark.usefixtures("fresh_graphs")
def test_a_citizen_task_with_a_file_picker_takes_uploads() -> None:
    services.deploy([("evidence.bpmn", EVIDENCE_BPMN), ("test-evidence.form", EVIDENCE_FORM)])
    reference, secret = "BP-2026-424242", _secrets.new_secret()
    instance = services.start_instance(
        "evidence_request", business_key=reference, variables={"applicantId": f"guest:{reference}"}
    )
    application = Application.objects.create(
        reference=reference,
        service="building_permit",
        instance_id=instance.pk,
        secret_hash=_secrets.digest(secret),
        created=timezone.now(),
    )
    client = Client()
    assert client.post("/portal/status/", {"reference": reference, "secret": secret}).status_code == 302
    task = UserTask.objects.get(instance_id=instance.pk)
    url = f"/portal/applications/{reference}/requests/{task.pk}/"
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    refused = client.post(url, {"note": "n", "evidence": upload("proof.pdf", b"MZ" + bytes(64))}).content.decode()
    assert "not the kind of file its name says it is" in refused
    assert client.post(url, {"note": "n"}).status_code == 200  # still required
    response = client.post(url, {"note": "here", "evidence": upload("proof.pdf", pdf("proof"))})
    assert response["Location"] == f"/portal/applications/{reference}/"
    (document,) = Document.objects.filter(application=application)
    assert services.get_instance(instance.pk).status == "completed"
    evidence = services.variables(instance.pk)["evidence"]
    assert evidence == {"id": str(document.pk), "name": "proof.pdf", "size": document.size, "type": "application/pdf"}


def test_the_sweep_deletes_uploads_nobody_can_reach(deployed: None, media: Path) -> None:
    abandoned, saved, sent = Client(), Client(), Client()
    for client in (abandoned, saved, sent):
        answered(client)
        client.post(f"{BP}/apply/3/", {"documents": [upload("plan.pdf", pdf())]})
    saved.post(f"{BP}/save/", {"email": "a.devries@example.org"})
    submit(sent)
    kept_by_draft = Document.objects.get(draft__isnull=False)
    kept_by_application = Document.objects.get(application__isnull=False)
    now = timezone.now()
    assert sweep_uploads(now) == 0  # all still reachable
    assert sweep_uploads(now + timedelta(days=15)) == 1  # the abandoned session's upload
    assert set(Document.objects.all()) == {kept_by_draft, kept_by_application}
    assert sweep_uploads(now + timedelta(days=31)) == 1  # the draft has expired
    assert list(Document.objects.all()) == [kept_by_application]
    assert _stored(media) == [kept_by_application.storage_name]


def _stored(media: Path) -> list[str]:
    return sorted(p.name for p in media.iterdir())
