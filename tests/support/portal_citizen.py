"""Helpers for the portal's citizen tests: sign in by email link, apply, run a building permit to its end."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from civicflow.runtime import jobs, services
from civicflow.runtime.models import Job
from civicflow.runtime.worker import claim

RT_ANSWERS = {
    "patientName": "J. Jansen",
    "patientEmail": "j.jansen@example.org",
    "sourceProvider": "Huisartsenpraktijk De Linde",
    "targetProvider": "Gezondheidscentrum Noord",
    "urgency": "routine",
}

BP_ANSWERS = {
    "applicantName": "Anna de Vries",
    "applicantEmail": "anna@example.org",
    "address": "Kerkstraat 1, Utrecht",
    "buildingType": "extension",
    "floorArea": "40",
}


def client(language: str = "en", address: str = "10.0.0.1") -> Client:
    made = Client(REMOTE_ADDR=address)
    made.cookies["django_language"] = language
    return made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign_in(browser: Client, email: str) -> int:
    """Ask for a link, open it from the (locmem) outbox, press the button; the account's id."""
    sent = len(mail.outbox)
    response = browser.post("/portal/sign-in/", {"email": email})
    assert response.status_code == 302, response.content.decode()
    link = re.search(r"https?://[^/]+(/portal/sign-in/[^/\s]+/)", mail.outbox[sent].body)
    assert link, mail.outbox[sent].body
    assert browser.get(link.group(1)).status_code == 200
    response = browser.post(link.group(1))
    assert response.status_code == 302
    assert response["Location"] == "/portal/my/"
    account_id = browser.session["portal_citizen"]
    assert isinstance(account_id, int)
    return account_id


def apply(browser: Client, service: str = "building_permit", answers: dict[str, str] = BP_ANSWERS) -> str:
    page = f"/portal/{service}/apply/"
    for _page in range(10):  # a multi-page form: every page gets the answers and continues
        response = browser.post(page, {**answers, "_continue": "1"})
        assert response.status_code == 302, response.content.decode()
        page = response["Location"]
        if "/apply/" not in page:
            break
    assert page == f"/portal/{service}/check/", page
    response = browser.post(page)
    assert response.status_code == 302
    match = re.fullmatch(r"/portal/applications/([A-Z]{2}-\d{4}-\d{6})/submitted/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def run_due() -> list[str]:
    """Run every job due now, as the in-process worker would (email jobs are stubbed by the caller)."""
    ran = []
    # "now" is read again for every batch: a job a step just created is due at the step's time
    while batch := claim("test", 50, timezone.now() + timedelta(seconds=1), timedelta(minutes=5)):
        for job in batch:
            jobs.execute_job(job)
            ran.append(job.type)
    return ran


def permit_to_issued(instance_id: Any, reference: str) -> None:
    """Take a building permit from submission to its end: the permit issued and the applicant notified."""
    for element, values in (
        ("check_completeness", {"documentsComplete": True}),
        ("zoning_review", {"reviewApproved": True, "reviewNotes": "ok"}),
        ("fire_review", {"reviewApproved": True, "reviewNotes": "ok"}),
    ):
        run_due()
        task = next(t for t in services.tasks(instance_id=instance_id) if t.element_id == element)
        services.complete_task(task.pk, values)
    run_due()
    register = Job.objects.get(instance_id=instance_id, type="fire-safety-register")
    jobs.complete_job(register, {"fireRegisterCompliant": True})
    run_due()
    # an unticked heritage box leaves heritageZone unset: the model's "complex" path, a caseworker decides
    for task in services.tasks(instance_id=instance_id).filter(element_id="caseworker_decision", state="created"):
        services.complete_task(task.pk, {"approved": True, "decisionReason": "Meets the zoning plan."})
    run_due()
    services.correlate_message("PaymentReceived", reference, {"amountPaid": 250})
    assert "issue-document" in run_due()
