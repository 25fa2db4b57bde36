"""Email notices through a real SMTP server on loopback (aiosmtpd): queued by the request or the
worker's scan, sent by the worker's mail step, retried when the server is down; staff digests."""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from civicflow.portal import scan_applications
from civicflow.portal.models import Application, IssuedDocument
from civicflow.runtime import jobs, services
from civicflow.runtime.reference import deploy_reference_services
from civicflow.web.mail import MailOptions, every, send_due
from civicflow.web.models import MailStatus, QueuedMail
from civicflow.workbench import send_digests
from civicflow.workbench._digest import DigestOptions
from civicflow.workbench.models import WorkNotification
from support.portal_citizen import RT_ANSWERS, apply, client, free_port, permit_to_issued, run_due, sign_in

pytestmark = pytest.mark.django_db


class Smtp:
    """An aiosmtpd server keeping what it receives, parsed."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.port = port
        self.received: list[EmailMessage] = []
        outer = self

        class Keep:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
                parsed = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
                outer.received.append(parsed)  # type: ignore[arg-type]
                return "250 OK"

        self.controller = Controller(Keep(), hostname="127.0.0.1", port=port)

    def __enter__(self) -> Smtp:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_port(settings: Any) -> int:
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 5
    settings.PUBLIC_URL = "https://portal.example.org"
    return port


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[Smtp]:
    with Smtp(smtp_port) as server:
        yield server


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)  # the model's own mails: not under test


def _text(message: EmailMessage) -> str:
    body = message.get_body()
    assert body is not None
    return str(body.get_content())


def test_confirmation_is_queued_by_the_request_and_sent_by_the_worker_in_dutch(deployed: None, smtp: Smtp) -> None:
    browser = client("nl")
    reference = apply(browser)
    assert smtp.received == []  # nothing leaves inside the web request
    queued = QueuedMail.objects.get(key=f"portal:{reference}:submitted")
    assert queued.status == MailStatus.PENDING
    assert send_due() == 1
    [message] = smtp.received
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == f"We hebben uw aanvraag {reference} ontvangen"
    assert message["Content-Language"] == "nl"
    text = _text(message)
    assert reference in text
    assert f"https://portal.example.org/portal/applications/{reference}/" in text
    assert QueuedMail.objects.get(pk=queued.pk).status == MailStatus.SENT
    assert send_due() == 0  # sent once


def test_status_changes_reach_the_citizen_once_each(deployed: None, smtp: Smtp) -> None:
    browser = client()
    reference = apply(browser)
    application = Application.objects.get(reference=reference)
    permit_to_issued(application.instance_id, reference)
    assert scan_applications() == 1
    assert scan_applications() == 0  # nothing new: nothing read twice
    keys = set(QueuedMail.objects.values_list("key", flat=True))
    milestones = {
        f"portal:{reference}:milestone:{e}" for e in ("determine_fee", "reviews_join", "paid", "issue_permit")
    }
    assert milestones <= keys
    assert f"portal:{reference}:finished" in keys  # the permit issued ends the case
    application.refresh_from_db()
    assert application.watching is False  # finished and read to the end
    sent = send_due()
    assert sent == QueuedMail.objects.count() == len(smtp.received)
    subjects = [m["Subject"] for m in smtp.received]
    assert f"{reference}: Permit issued" in subjects
    assert f"Your application {reference} is finished" in subjects
    assert len(subjects) == len(set(subjects))


def test_a_request_to_the_citizen_reaches_them_once(deployed: None, smtp: Smtp) -> None:
    reference = apply(client(), "record_transfer", RT_ANSWERS)
    application = Application.objects.get(reference=reference)
    run_due()
    assert scan_applications() == 1
    assert scan_applications() == 0
    consent = services.tasks(instance_id=application.instance_id, assignee=f"guest:{reference}").get()
    assert consent.form_key == "rt-consent"
    assert QueuedMail.objects.filter(key=f"portal:{reference}:request:{consent.key}").count() == 1
    send_due()
    subjects = [m["Subject"] for m in smtp.received]
    assert subjects.count(f"We need something from you for {reference}") == 1
    assert f"Your application {reference} is finished" not in subjects


def test_the_issued_permit_is_listed_and_downloadable_only_by_its_citizen(deployed: None) -> None:
    browser = client()
    account_id = sign_in(browser, "anna@example.org")
    reference = apply(browser)
    application = Application.objects.get(reference=reference)
    assert application.account_id == account_id
    permit_to_issued(application.instance_id, reference)
    document = IssuedDocument.objects.get(instance_id=application.instance_id)
    values = services.variables(application.instance_id)
    assert values["permitDocument"] == f"{reference}-permit.html"
    assert values["permitDocumentMeta"]["sha256"] == document.sha256
    path = f"/portal/applications/{reference}/documents/{document.pk}/"
    assert path in browser.get(f"/portal/applications/{reference}/").content.decode()
    assert path in browser.get("/portal/my/").content.decode()
    response = browser.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{reference}-permit.html"'
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<!DOCTYPE html>" in html
    assert reference in html
    assert "Anna de Vries" in html
    assert "Kerkstraat 1, Utrecht" in html
    other = client()
    sign_in(other, "someone@example.org")
    assert other.get(path).status_code == 404
    assert Client().get(path).status_code == 404
    # a document id of another case under this reference is 404 too
    assert browser.get(f"/portal/applications/{reference}/documents/{document.pk + 1}/").status_code == 404


def test_a_mail_server_that_is_down_is_retried_with_backoff(deployed: None, smtp_port: int) -> None:
    reference = apply(client())
    options = MailOptions(max_attempts=3, base=60.0)
    t0 = timezone.now()
    assert send_due(options, now=lambda: t0) == 0  # nothing listens on the port
    row = QueuedMail.objects.get(key=f"portal:{reference}:submitted")
    assert row.attempts == 1
    assert row.status == MailStatus.PENDING
    assert row.next_attempt_at is not None
    assert row.next_attempt_at >= t0 + timedelta(seconds=60)
    assert "Error" in row.last_error or "refused" in row.last_error.lower()
    assert send_due(options, now=lambda: t0 + timedelta(seconds=30)) == 0  # not due yet
    assert QueuedMail.objects.get(pk=row.pk).attempts == 1
    with Smtp(smtp_port) as server:
        assert send_due(options, now=lambda: t0 + timedelta(seconds=61)) == 1
        assert [m["To"] for m in server.received] == ["anna@example.org"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 2, "")


def test_after_the_last_attempt_the_mail_is_dead_not_lost(smtp_port: int) -> None:
    from civicflow.web.mail import queue_mail

    t0 = timezone.now()
    queue_mail(key="k", to="x@example.org", subject="s", body="b", language="en", now=t0)
    options = MailOptions(max_attempts=2, base=1.0)
    send_due(options, now=lambda: t0)
    send_due(options, now=lambda: t0 + timedelta(seconds=5))
    row = QueuedMail.objects.get(key="k")
    assert (row.status, row.attempts, row.next_attempt_at) == (MailStatus.DEAD, 2, None)
    assert not queue_mail(key="k", to="x@example.org", subject="s", body="b", language="en", now=t0)


def test_every_runs_a_step_at_most_once_per_interval() -> None:
    ticks = iter([0.0, 0.0, 1.0, 2.5, 2.5])
    calls: list[int] = []
    step = every(2.0, lambda: calls.append(1), clock=lambda: next(ticks))
    step()  # 0.0: runs, next at 2.0
    step()  # 1.0: skipped
    step()  # 2.5: runs
    assert len(calls) == 2


def _staff(name: str, group: str, *, email: str = "") -> User:
    user = User.objects.create_user(name, email or f"{name}@example.org", "a-long-password-123", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def test_a_burst_of_tasks_is_one_digest_for_members_who_opted_in(deployed: None, smtp: Smtp) -> None:
    member = _staff("ines", "intake")
    _staff("quiet", "intake")  # did not opt in
    _staff("zora", "zoning")
    browser = Client()
    browser.force_login(member)
    browser.cookies["django_language"] = "nl"
    html = browser.get("/workbench/").content.decode()
    assert 'action="/workbench/notifications"' in html
    assert browser.post("/workbench/notifications", {"enabled": "1"}).status_code == 302
    pref = WorkNotification.objects.get(user=member)
    assert pref.enabled
    assert pref.language == "nl"
    for _ in range(7):  # seven applications: seven completeness checks for intake
        apply(client())
    run_due()
    quiet = DigestOptions(settle=timedelta(0), min_interval=timedelta(minutes=15))
    assert send_digests(quiet, now=timezone.now() + timedelta(seconds=1)) == 1
    assert send_digests(quiet, now=timezone.now() + timedelta(seconds=2)) == 0  # nothing new
    send_due(now=lambda: timezone.now() + timedelta(hours=1))  # the digests were queued "later"
    digests = [m for m in smtp.received if m["To"] == "ines@example.org"]
    assert len(digests) == 1
    assert digests[0]["Subject"] == "7 nieuwe taken voor uw afdelingen"
    assert _text(digests[0]).count("- Check completeness (BP-") == 7
    assert not [m for m in smtp.received if m["To"] in ("quiet@example.org", "zora@example.org")]
    # more work within the interval waits; after it, one digest of the new tasks only
    apply(client())
    run_due()
    assert send_digests(quiet, now=timezone.now() + timedelta(minutes=1)) == 0
    assert send_digests(quiet, now=timezone.now() + timedelta(minutes=16)) == 1
    send_due(now=lambda: timezone.now() + timedelta(hours=1))  # the digests were queued "later"
    later = [m for m in smtp.received if m["To"] == "ines@example.org"]
    assert later[-1]["Subject"] == "1 nieuwe taak voor uw afdeling"


def test_a_digest_waits_for_the_burst_to_settle_and_opting_out_stops_it(deployed: None) -> None:
    member = _staff("otto", "intake")
    browser = Client()
    browser.force_login(member)
    browser.post("/workbench/notifications", {"enabled": "1"})
    apply(client())
    run_due()
    options = DigestOptions(settle=timedelta(minutes=2), min_interval=timedelta(0))
    assert send_digests(options, now=timezone.now()) == 0  # the burst may still be arriving
    browser.post("/workbench/notifications", {"enabled": "0"})
    assert send_digests(options, now=timezone.now() + timedelta(minutes=3)) == 0
    assert "Email me when work arrives" in browser.get("/workbench/").content.decode()
