"""The party record lists the messages about the party's cases: what the agency sent and what came back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicflow.parties.models import Party
from civicflow.portal.models import Application
from civicflow.runtime import jobs, services
from civicflow.runtime.models import UserTask
from civicflow.runtime.reference import deploy_reference_services
from support.portal_citizen import apply, client, run_due, sign_in

pytestmark = pytest.mark.django_db


def test_mails_sent_and_documents_received_are_in_the_applicants_record(
    settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: {})  # the model's own mails go nowhere
    browser = client()
    account_id = sign_in(browser, "marit@example.org")
    reference = apply(browser)
    party = Party.objects.get(account_id=account_id)
    application = Application.objects.get(reference=reference)
    [confirmation] = party.messages.all()
    assert (confirmation.direction, confirmation.channel, confirmation.instance_id) == (
        "sent",
        "email",
        application.instance_id,
    )
    assert confirmation.subject == f"We received your application {reference}"

    task = UserTask.objects.get(instance_id=application.instance_id, element_id="check_completeness")
    services.complete_task(task.pk, {"documentsComplete": False, "missingDocuments": "the floor plan"})
    run_due()
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    supplied = browser.post(f"/portal/applications/{reference}/send-documents/", {"documents": [pdf], "_send": "1"})
    assert supplied.status_code == 302, supplied.content.decode()
    received = party.messages.get(direction="received")
    assert (received.channel, received.subject) == ("portal", f"{reference}: 1 document(s) sent")
    # someone else's case is not in this record
    assert not Party.objects.exclude(pk=party.pk).filter(messages__isnull=False).exists()
