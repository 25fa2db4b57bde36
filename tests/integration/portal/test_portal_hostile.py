"""Hostile input against the portal: uploads, forged fields, missing CSRF tokens, other people's ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicflow.forms import load_form
from civicflow.portal import _apply
from civicflow.portal.models import Application, Document
from civicflow.runtime import services
from civicflow.runtime.models import UserTask
from civicflow.runtime.reference import deploy_reference_services

pytestmark = pytest.mark.django_db

BP = "/portal/building_permit"
ABOUT = {"applicantName": "A. de Vries", "applicantEmail": "a.devries@example.org"}
WORK = {"address": "Kerkstraat 1", "buildingType": "shed", "floorArea": "12"}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "documents"


def _at_uploads(client: Client) -> None:
    client.post(f"{BP}/apply/", {**ABOUT, "_continue": "1"})
    client.post(f"{BP}/apply/2/", {**WORK, "_continue": "1"})


def _upload(client: Client, *files: SimpleUploadedFile) -> str:
    response = client.post(f"{BP}/apply/3/", {"documents": list(files), "_continue": "1"})
    assert response.status_code == 200, response
    return response.content.decode()


def _stored(media: Path) -> list[str]:
    return sorted(p.name for p in media.iterdir()) if media.exists() else []


def test_a_file_over_the_size_limit_is_refused_and_not_stored(media: Path) -> None:
    client = Client()
    _at_uploads(client)
    big = PDF + bytes(10 * 1024 * 1024)
    html = _upload(client, SimpleUploadedFile("plan.pdf", big, "application/pdf"))
    assert "The selected file must be smaller than 10 MB" in html
    assert 'href="#field-documents"' in html
    assert not Document.objects.exists()
    assert _stored(media) == []


def test_a_request_over_the_limit_gets_a_friendly_page_before_anything_is_read(settings: Any, media: Path) -> None:
    settings.CIVICFLOW_PORTAL_MAX_REQUEST_BYTES = 50_000
    client = Client()
    _at_uploads(client)
    response = client.post(f"{BP}/apply/3/", {"documents": [SimpleUploadedFile("plan.pdf", PDF + bytes(60_000))]})
    assert response.status_code == 413
    html = response.content.decode()
    assert "The files you selected are too large" in html
    assert "govuk-heading-l" in html
    assert not Document.objects.exists()
    nl = Client()
    nl.cookies["django_language"] = "nl"
    dutch = nl.post(f"{BP}/apply/3/", {"documents": [SimpleUploadedFile("plan.pdf", PDF + bytes(60_000))]})
    assert "De gekozen bestanden zijn te groot" in dutch.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.docx", b"PK\x03\x04" + bytes(40), "The selected file must be .pdf"),
        ("plan.exe", EXE, "The selected file must be .pdf"),
        ("plan.pdf", EXE, "The selected file plan.pdf is not the kind of file its name says it is"),
        ("plan.pdf", b"<html><script>alert(1)</script></html>", "is not the kind of file its name says it is"),
    ],
)
def test_wrong_types_are_refused_by_extension_and_by_content(
    name: str, content: bytes, message: str, media: Path
) -> None:
    client = Client()
    _at_uploads(client)
    # the browser's declared type is not believed
    html = _upload(client, SimpleUploadedFile(name, content, "application/pdf"))
    assert message in html
    assert not Document.objects.exists()
    assert _stored(media) == []


def test_too_many_files_are_refused() -> None:
    client = Client()
    _at_uploads(client)
    html = _upload(client, *(SimpleUploadedFile(f"p{i}.pdf", PDF, "application/pdf") for i in range(11)))
    assert "Select at most 10 files" in html
    assert not Document.objects.exists()
    # ten now, then one more: the count includes the files already there
    client.post(f"{BP}/apply/3/", {"documents": [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(9)]})
    client.post(f"{BP}/apply/3/", {"documents": [SimpleUploadedFile("p9.pdf", PDF)]})
    assert Document.objects.count() == 10
    assert "Select at most 10 files" in _upload(client, SimpleUploadedFile("p10.pdf", PDF))
    assert Document.objects.count() == 10


@pytest.mark.parametrize(
    "name",
    ["../../../../etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "/abs/olute.pdf", "bell\x07ring.pdf"],
)
def test_path_traversal_in_file_names_stays_a_name(name: str, media: Path) -> None:
    client = Client()
    _at_uploads(client)
    client.post(f"{BP}/apply/3/", {"documents": [SimpleUploadedFile(name, PDF, "application/pdf")]})
    (document,) = Document.objects.all()
    assert "/" not in document.name
    assert "\\" not in document.name
    assert "\x07" not in document.name
    assert document.name.endswith(".pdf")
    assert _stored(media) == [document.storage_name]
    assert not list(media.parent.glob("*.pdf"))


def test_files_under_names_that_are_not_file_pickers_are_never_read(media: Path) -> None:
    client = Client()
    _at_uploads(client)
    client.post(
        f"{BP}/apply/3/", {"applicantName": SimpleUploadedFile("x.pdf", PDF), "evil": SimpleUploadedFile("y.pdf", PDF)}
    )
    client.post(f"{BP}/apply/", {**ABOUT, "documents": SimpleUploadedFile("z.pdf", PDF), "_continue": "1"})
    assert not Document.objects.exists()
    assert _stored(media) == []


FORGERY_FORM: dict[str, Any] = {
    "properties": {"civicflow:pages": "groups"},
    "components": [
        {
            "type": "group",
            "label": "You",
            "components": [
                {"type": "textfield", "key": "applicantName", "label": "Name", "validate": {"required": True}},
                {"type": "textfield", "key": "fee", "label": "Fee", "readonly": True},
                {"type": "checkbox", "key": "business", "label": "A business"},
                {"type": "textfield", "key": "kvk", "label": "KvK", "conditional": {"hide": "=business != true"}},
            ],
        }
    ],
}


def test_forged_readonly_and_hidden_fields_never_become_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_reference_services()
    monkeypatch.setattr(_apply, "start_form", lambda service: load_form(FORGERY_FORM))
    client = Client()
    forged = {
        "applicantName": "A",
        "fee": "0",  # readonly
        "kvk": "12345678",  # hidden: business is not ticked
        "caseNumber": "BP-0000-000001",  # not in the form
        "applicantId": "someone-else",
        "approved": "true",
        "_continue": "1",
    }
    assert client.post(f"{BP}/apply/", forged)["Location"] == f"{BP}/check/"
    check = client.get(f"{BP}/check/").content.decode()
    assert "12345678" not in check
    response = client.post(f"{BP}/check/")
    reference = re.search(r"(BP-\d{4}-\d{6})", response["Location"])
    assert reference
    variables = services.variables(Application.objects.get(reference=reference.group(1)).instance_id)
    assert variables["applicantName"] == "A"
    assert variables["caseNumber"] == reference.group(1)
    assert variables["applicantId"] != "someone-else"
    for name in ("fee", "kvk", "approved"):
        assert name not in variables


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/portal/building_permit/apply/", {**ABOUT, "_continue": "1"}),
        ("/portal/building_permit/apply/3/", {"documents": SimpleUploadedFile("a.pdf", PDF)}),
        ("/portal/building_permit/check/", {}),
        ("/portal/building_permit/save/", {"email": "a@example.org"}),
        ("/portal/status/", {"reference": "BP-2026-000001", "secret": "x"}),
    ],
)
def test_posts_without_a_csrf_token_are_refused(path: str, data: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/portal/building_permit/apply/")  # a session and a CSRF cookie, but no token in the post
    response = client.post(path, data)
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_a_post_with_the_token_passes_the_csrf_check() -> None:
    client = Client(enforce_csrf_checks=True)
    html = client.get(f"{BP}/apply/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    response = client.post(f"{BP}/apply/", {**ABOUT, "_continue": "1", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302


def test_other_peoples_references_tasks_and_documents_are_404() -> None:
    deploy_reference_services()
    alice, mallory = Client(), Client()
    _at_uploads(alice)
    alice.post(f"{BP}/apply/3/", {"documents": [SimpleUploadedFile("plan.pdf", PDF)]})
    reference = re.search(r"(BP-\d{4}-\d{6})", alice.post(f"{BP}/check/")["Location"])
    assert reference
    ref = reference.group(1)
    (document,) = Document.objects.all()
    application = Application.objects.get(reference=ref)
    task = UserTask.objects.filter(instance_id=application.instance_id).first()
    assert task is not None
    own = alice.get(f"/portal/applications/{ref}/uploads/{document.pk}/")
    assert own.status_code == 200
    own.close()
    for path in (
        f"/portal/applications/{ref}/",
        f"/portal/applications/{ref}/submitted/",
        f"/portal/applications/{ref}/uploads/{document.pk}/",
        f"/portal/applications/{ref}/send-documents/",
        f"/portal/applications/{ref}/requests/{task.pk}/",
        "/portal/applications/BP-2026-999999/",
        f"/portal/applications/{ref}/uploads/00000000-0000-0000-0000-000000000000/",
        f"/portal/applications/{ref}/uploads/not-a-uuid/",
    ):
        assert mallory.get(path).status_code == 404, path
    # a forged removal of someone else's upload does nothing
    _at_uploads(mallory)
    mallory.post(f"{BP}/apply/3/", {"_remove_file": str(document.pk)})
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_huge_number_of_fields_is_a_clean_400() -> None:
    fields = {f"f{i}": "x" for i in range(1_500)}
    response = Client().post(f"{BP}/apply/", fields)
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.content.decode()
