"""Co-signing (issue #13): a building permit held until the co-owner confirms it by the emailed link."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from civicflow import parties
from civicflow.parties.models import PartyCase
from civicflow.portal import _cosign
from civicflow.portal.models import Application, CitizenAccount, CoSignRequest, CoSignState, Draft
from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security import addresses
from civicflow.security.models import AuditEntry
from civicflow.web.models import QueuedMail

pytestmark = pytest.mark.django_db

BP = "/portal/building_permit"
CO_SIGNER = "b.jansen@example.org"
ABOUT = {"applicantName": "A. de Vries", "applicantEmail": "a.devries@example.org", "coSignerEmail": CO_SIGNER}
WORK = {"address": "Kerkstraat 1, Utrecht", "buildingType": "extension", "floorArea": "40", "heritageZone": "true"}


@pytest.fixture(autouse=True)
def deployed() -> None:
    deploy_reference_services()


def _client(language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def _answer(client: Client, about: dict[str, str] | None = None) -> None:
    assert client.post(f"{BP}/apply/", {**(about or ABOUT), "_continue": "1"})["Location"] == f"{BP}/apply/2/"
    assert client.post(f"{BP}/apply/2/", {**WORK, "_continue": "1"})["Location"] == f"{BP}/apply/3/"
    assert client.post(f"{BP}/apply/3/", {"_continue": "1"})["Location"] == f"{BP}/check/"


def _send(client: Client) -> CoSignRequest:
    """Answer, check, send: the application is held; returns its request."""
    _answer(client)
    check = client.get(f"{BP}/check/").content.decode()
    assert f"We will email {CO_SIGNER} a link to confirm your application" in check
    response = client.post(f"{BP}/check/")
    row = CoSignRequest.objects.get()
    assert response["Location"] == f"/portal/co-sign/{row.id}/"
    return row


def _link(message_index: int = -1) -> str:
    match = re.search(r"http://testserver(/portal/co-sign/\S+/)", mail.outbox[message_index].body)
    assert match, mail.outbox[message_index].body
    return match.group(1)


def test_sending_holds_the_application_and_invites_the_co_signer() -> None:
    client = _client()
    instances = ProcessInstance.objects.count()
    row = _send(client)
    assert ProcessInstance.objects.count() == instances  # nothing started yet
    assert not Application.objects.exists()
    assert row.state == CoSignState.PENDING
    assert row.expires - row.created == timedelta(days=_cosign.HOLD_DAYS)
    # the address is sealed with a blind index; the link's token only as a hash
    assert CO_SIGNER not in row.co_signer_sealed
    assert row.co_signer == CO_SIGNER
    assert row.co_signer_index == addresses.index(CO_SIGNER)
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == [CO_SIGNER]
    assert invitation.subject == "Please confirm an application: Building permit"
    assert "A. de Vries asks you to confirm" in invitation.body
    token = _link().rstrip("/").rsplit("/", 1)[1]
    assert token not in row.token_hash
    assert row.draft is not None
    assert row.draft.email == "a.devries@example.org"
    assert "Kerkstraat" not in str(row.draft.data)  # the personal answers are sealed in the held draft
    # the applicant's waiting page: the address masked, the secret code, resend and change
    page = client.get(f"/portal/co-sign/{row.id}/").content.decode()
    assert "Waiting for the co-signer" in page
    assert "b***@example.org" in page
    assert CO_SIGNER not in page
    assert re.search(r'id="secret-code">[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}<', page)
    assert 'value="resend"' in page
    assert 'value="change"' in page
    # another session cannot see it
    assert _client().get(f"/portal/co-sign/{row.id}/").status_code == 404
    assert AuditEntry.objects.filter(action="CoSignRequested", object_ref=str(row.id)).exists()


def test_the_co_signer_confirms_and_the_case_starts_as_a_normal_submission() -> None:
    applicant = _client()
    row = _send(applicant)
    co_signer = _client()
    page = co_signer.get(_link())
    html = page.content.decode()
    assert page.status_code == 200
    assert "A. de Vries asks you to confirm this application" in html
    assert "Kerkstraat 1, Utrecht" in html
    assert "Extension" in html
    assert "a.devries@example.org" not in html  # personal data only as needed
    assert CO_SIGNER not in html
    assert "csrfmiddlewaretoken" in html
    done = co_signer.post(_link(), {"decision": "confirm"})
    assert done.status_code == 200
    application = Application.objects.get()
    assert application.reference in done.content.decode()
    assert application.account is None
    assert application.email == "a.devries@example.org"
    variables = services.variables(application.instance_id)
    assert variables["address"] == "Kerkstraat 1, Utrecht"
    assert variables["caseNumber"] == application.reference
    assert variables["coSignedBy"] == "email"
    assert variables["coSignRequest"] == str(row.id)
    assert variables["coSignerEmail"] == CO_SIGNER  # the form's answer: sealed at rest like every personal one
    assert CO_SIGNER not in ProcessInstance.objects.get(pk=application.instance_id).state
    assert variables["coSignedAt"].startswith(str(timezone.now().year))
    row.refresh_from_db()
    assert row.state == CoSignState.CONFIRMED
    assert row.decided_at is not None
    assert row.reference == application.reference
    assert not Draft.objects.exists()
    # notices to both: the applicant's confirmation and the co-signer's receipt
    keys = set(QueuedMail.objects.values_list("key", flat=True))
    assert {f"portal:{application.reference}:submitted", f"portal:{application.reference}:co-signed"} <= keys
    assert QueuedMail.objects.get(key=f"portal:{application.reference}:co-signed").to == CO_SIGNER
    entry = AuditEntry.objects.get(action="CoSignConfirmed")
    assert entry.object_ref == application.reference
    assert CO_SIGNER not in str(entry.details)
    assert AuditEntry.objects.filter(action="ApplicationSubmitted", object_ref=application.reference).exists()
    # the applicant's waiting page now leads to the confirmation with the reference and the secret shown earlier
    waiting = applicant.get(f"/portal/co-sign/{row.id}/").content.decode()
    assert f"/portal/applications/{application.reference}/submitted/" in waiting
    confirmation = applicant.get(f"/portal/applications/{application.reference}/submitted/").content.decode()
    assert application.reference in confirmation
    # the link was single-use
    again = _client().get(_link())
    assert again.status_code == 410
    assert "already been confirmed" in again.content.decode()
    assert _client().post(_link(), {"decision": "confirm"}).status_code == 410
    assert Application.objects.count() == 1


def test_a_signed_in_co_signer_is_recorded_by_account_and_party() -> None:
    row = _send(_client())
    co_signer = _client()
    account = CitizenAccount.for_address(CO_SIGNER, timezone.now())
    session = co_signer.session
    session["portal_citizen"] = account.pk
    session.save()
    party = parties.party_for_identity(scheme="email", identifier=CO_SIGNER, account_id=account.pk, now=timezone.now())
    co_signer.post(_link(), {"decision": "confirm"})
    row.refresh_from_db()
    assert row.co_signer_account_id == account.pk
    application = Application.objects.get()
    assert services.variables(application.instance_id)["coSignedBy"] == f"citizen:{account.pk}"
    case = PartyCase.objects.get(party=party)  # the co-signer's party record has the case, as co-signer
    assert (case.role, case.instance_id, case.reference) == ("co-signer", application.instance_id, row.reference)


def test_the_co_signer_declines_and_the_applicant_can_change_and_send_again() -> None:
    applicant = _client()
    row = _send(applicant)
    invitation = _link()
    declined = _client().post(invitation, {"decision": "decline"})
    assert declined.status_code == 200
    assert "You declined the application" in declined.content.decode()
    assert not Application.objects.exists()
    row.refresh_from_db()
    assert row.state == CoSignState.DECLINED
    notice = mail.outbox[-1]
    assert notice.to == ["a.devries@example.org"]
    assert notice.subject == "Your application was not confirmed: Building permit"
    assert "b***@example.org did not confirm" in notice.body
    assert AuditEntry.objects.filter(action="CoSignDeclined", object_ref=str(row.id)).exists()
    assert _client().get(invitation).status_code == 410
    # the waiting page says so; "change" brings the answers back to the check page
    waiting = applicant.get(f"/portal/co-sign/{row.id}/").content.decode()
    assert "did not confirm your application" in waiting
    assert 'value="resend"' not in waiting
    # the mailed link brings the answers back too, in a new session
    resume = re.search(r"http://testserver(/portal/resume/\S+)", notice.body)
    assert resume
    other = _client()
    assert other.get(resume.group(1))["Location"] == f"{BP}/apply/"
    assert "Kerkstraat 1, Utrecht" in other.get(f"{BP}/check/").content.decode()
    # change the co-signer and send again: a new request, the old draft gone
    other.post(f"{BP}/apply/", {**ABOUT, "coSignerEmail": "c.smit@example.org", "_change": "1", "_continue": "1"})
    assert other.post(f"{BP}/check/").status_code == 302
    newer = CoSignRequest.objects.exclude(pk=row.pk).get()
    assert newer.co_signer == "c.smit@example.org"
    assert Draft.objects.count() == 1
    assert newer.draft_id is not None


def test_change_cancels_the_link_and_restores_the_answers() -> None:
    applicant = _client()
    row = _send(applicant)
    response = applicant.post(f"/portal/co-sign/{row.id}/", {"action": "change"})
    assert response["Location"] == f"{BP}/check/"
    assert "Kerkstraat 1, Utrecht" in applicant.get(f"{BP}/check/").content.decode()
    row.refresh_from_db()
    assert row.state == CoSignState.CANCELLED
    assert _client().get(_link()).status_code == 410
    assert AuditEntry.objects.filter(action="CoSignCancelled").exists()


def test_an_expired_link_is_refused_and_nothing_is_lost() -> None:
    applicant = _client()
    row = _send(applicant)
    CoSignRequest.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    page = _client().get(_link())
    assert page.status_code == 410
    assert "The link has run out" in page.content.decode()
    assert _client().post(_link(), {"decision": "confirm"}).status_code == 410
    assert not Application.objects.exists()
    row.refresh_from_db()
    assert row.state == CoSignState.EXPIRED
    assert row.draft is not None  # the answers wait
    waiting = applicant.get(f"/portal/co-sign/{row.id}/").content.decode()
    assert "The confirmation link has run out" in waiting
    # sending it again renews the link: the new one works, the old one not
    assert applicant.post(f"/portal/co-sign/{row.id}/", {"action": "resend"}).status_code == 302
    assert _client().get(_link()).status_code == 200
    assert _client().post(_link(), {"decision": "confirm"}).status_code == 200
    assert Application.objects.count() == 1


def test_a_wrong_token_or_request_is_a_clear_404() -> None:
    row = _send(_client())
    wrong = _client().get(f"/portal/co-sign/{row.id}/{'x' * 43}/")
    assert wrong.status_code == 404
    assert "Check that you opened the whole link" in wrong.content.decode()
    token = _link().rstrip("/").rsplit("/", 1)[1]
    other = _client().get(f"/portal/co-sign/00000000-0000-0000-0000-000000000000/{token}/")
    assert other.status_code == 404
    assert _client().post(f"/portal/co-sign/{row.id}/{'x' * 43}/", {"decision": "confirm"}).status_code == 404
    assert not Application.objects.exists()
    # a post without a decision shows the question again with an error
    missing = _client().post(_link(), {})
    assert missing.status_code == 400
    assert "Choose whether you confirm this application" in missing.content.decode()


def test_resend_is_limited() -> None:
    applicant = _client()
    row = _send(applicant)
    first = _link()
    for _ in range(_cosign.MAX_INVITATIONS - 1):
        response = applicant.post(f"/portal/co-sign/{row.id}/", {"action": "resend"})
        assert response["Location"] == f"/portal/co-sign/{row.id}/?sent=1"
    assert len(mail.outbox) == _cosign.MAX_INVITATIONS
    assert _client().get(first).status_code == 404  # an earlier link stops working
    refused = applicant.post(f"/portal/co-sign/{row.id}/", {"action": "resend"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert f"You sent this request {_cosign.MAX_INVITATIONS} times" in html
    assert 'href="#co-sign-state"' in html  # the error summary links to the part of the page that explains
    assert 'id="co-sign-state"' in html
    assert 'value="resend"' not in html
    assert len(mail.outbox) == _cosign.MAX_INVITATIONS
    assert AuditEntry.objects.filter(action="CoSignResent").count() == _cosign.MAX_INVITATIONS - 1


def test_the_co_signer_must_be_someone_else() -> None:
    client = _client()
    _answer(client, {**ABOUT, "coSignerEmail": "A.deVries@example.org"})
    response = client.post(f"{BP}/check/")
    assert response.status_code == 400
    assert "The person who confirms must be someone else" in response.content.decode()
    assert not CoSignRequest.objects.exists()


def test_without_a_co_signer_the_application_is_sent_at_once() -> None:
    client = _client()
    _answer(client, {**ABOUT, "coSignerEmail": ""})
    assert "/submitted/" in client.post(f"{BP}/check/")["Location"]
    assert not CoSignRequest.objects.exists()


def test_a_refused_mail_server_keeps_nothing(settings: object) -> None:
    client = _client()
    _answer(client)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = 9  # type: ignore[attr-defined]  # discard: nothing listens
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    response = client.post(f"{BP}/check/")
    assert response.status_code == 400
    assert "We could not send the email just now" in response.content.decode()
    assert not CoSignRequest.objects.exists()
    assert not Draft.objects.exists()


def test_dutch_pages() -> None:
    applicant = _client("nl")
    row = _send_nl(applicant)
    assert "Wachten op de medeondertekenaar" in applicant.get(f"/portal/co-sign/{row.id}/").content.decode()
    assert mail.outbox[0].subject == "Bevestig een aanvraag: Omgevingsvergunning bouwen"
    page = _client("nl").get(_link()).content.decode()
    assert "Bevestig een aanvraag" in page
    assert "Aanvraag bevestigen" in page


def _send_nl(client: Client) -> CoSignRequest:
    _answer(client)
    client.post(f"{BP}/check/")
    return CoSignRequest.objects.get()


def test_erasure_stops_a_held_request_and_forgets_the_co_signers_address() -> None:
    from typer.testing import CliRunner

    from civicflow.cli.app import app

    row = _send(_client())
    CitizenAccount.for_address(CO_SIGNER, timezone.now())  # so that the co-signer is a subject the CLI finds
    result = CliRunner().invoke(app, ["gdpr", "erase", "a.devries@example.org", "--json"])
    assert result.exit_code == 0, result.stdout
    assert '"co_sign_requests": 1' in result.stdout
    row.refresh_from_db()
    assert row.state == CoSignState.CANCELLED
    assert _client().get(_link()).status_code == 410  # nothing is confirmed on emptied answers
    result = CliRunner().invoke(app, ["gdpr", "erase", CO_SIGNER, "--json"])
    assert result.exit_code == 0, result.stdout
    row.refresh_from_db()
    assert row.co_signer is None
    assert row.co_signer_index == ""


def _gdpr(*args: str) -> Any:
    from civicflow.cli.gdpr import app

    return CliRunner().invoke(app, list(args))


def test_both_people_find_the_request_in_their_gdpr_export_and_the_co_signer_can_be_erased() -> None:
    row = _send(_client())
    applicant = json.loads(_gdpr("export", "a.devries@example.org").stdout)
    assert [(c["role"], c["service"], c["state"]) for c in applicant["co_signs"]] == [
        ("applicant", "building_permit", "pending")
    ]
    assert CO_SIGNER not in json.dumps(applicant)  # the co-signer's address is theirs, not the applicant's
    # asked to co-sign and nothing else: still a subject with data held (their sealed address)
    asked = _gdpr("export", CO_SIGNER.upper())
    assert asked.exit_code == 0, asked.output
    exported = json.loads(asked.stdout)
    assert [(c["role"], c["invitations"]) for c in exported["co_signs"]] == [("co-signer", 1)]
    assert exported["applications"] == exported["drafts"] == []
    html = _gdpr("export", CO_SIGNER, "--format", "html").stdout
    assert "<h2>Co-signing</h2>" in html
    assert "co-signer" in html
    erased = _gdpr("erase", CO_SIGNER)
    assert erased.exit_code == 0, erased.output
    row.refresh_from_db()
    assert (row.state, row.co_signer_sealed, row.co_signer_index) == (CoSignState.CANCELLED, "", "")
    gone = _gdpr("export", CO_SIGNER)
    assert gone.exit_code == 1
    assert "no account, application, draft, party or co-signing request" in gone.output


def test_a_held_draft_waits_for_its_pending_request_before_it_is_emptied() -> None:
    from civicflow.portal import expire_drafts

    row = _send(_client())
    assert row.draft is not None
    Draft.objects.filter(pk=row.draft.pk).update(expires=timezone.now() - timedelta(minutes=1))
    assert expire_drafts() == 0  # the co-signer may still confirm: the answers must be there
    # the link runs out; nobody opens it, so it is still marked pending, but nobody can confirm it now
    CoSignRequest.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert CoSignRequest.objects.get(pk=row.pk).state == CoSignState.PENDING
    assert expire_drafts() == 1
    assert Draft.objects.get(pk=row.draft.pk).data == {}
