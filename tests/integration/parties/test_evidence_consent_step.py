"""The portal's consent step (issue #13): asked of a signed-in citizen between the tax refund form and
"check your answers", unticked; a ticked box is a consent in the party record and, once the claim is
sent, an evidence request recorded on the case; an empty box asks nobody. Guests are not asked."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from civicflow.parties.evidence import evidence_variable
from civicflow.parties.models import Consent, EvidenceExchange
from civicflow.portal.models import Application
from civicflow.runtime import services
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security.models import AuditEntry
from support.nats import ensure_nats
from support.portal_citizen import client, sign_in
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM = {
    "claimantName": "A. de Vries",
    "claimantEmail": "a.devries@example.org",
    "residentStatus": "resident",
    "taxYear": "2025",
    "taxableIncome": "41000",
    "taxPaid": "14000",
    "deductions": "2500",
    "iban": "NL91ABNA0417164300",
}


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = ensure_nats()
    if reason is not None:
        pytest.skip(f"NATS unavailable: {reason}")
    # a prefix nobody serves: the request is sent and finds no provider, fast
    monkeypatch.setenv("CIVICFLOW_EVIDENCE_PREFIX", f"exchange-nobody-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("CIVICFLOW_EVIDENCE_AGENCY", "tax-office")
    deploy_reference_services()


def _fill(browser: Any) -> None:
    response = browser.post("/portal/tax_refund/apply/", {**CLAIM, "_continue": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/tax_refund/check/"


def test_a_ticked_box_is_a_consent_and_the_request_is_recorded_on_the_case(deployed: None) -> None:
    browser = client()
    account_id = sign_in(browser, "devries@example.org")
    _fill(browser)

    response = browser.get("/portal/tax_refund/check/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/tax_refund/consent/"
    page = browser.get("/portal/tax_refund/consent/").content.decode()
    assert "Fetch my building permits from the municipality instead of uploading them" in page
    assert "The municipality (building permits)" in page  # who is asked
    assert "deductible costs" in page  # why
    assert 'name="consent" type="checkbox" value="yes">' in page  # unticked
    assert not Consent.objects.exists()  # showing the question is no consent

    assert browser.post("/portal/tax_refund/consent/", {"consent": "yes"})["Location"] == "/portal/tax_refund/check/"
    [given] = Consent.objects.all()
    assert given.is_active
    assert given.party.account_id == account_id
    assert (given.purpose, given.provider, given.service) == ("evidence:building-permit", "municipality", "tax_refund")
    assert given.text_version == "tr-building-permit-1"
    assert browser.get("/portal/tax_refund/check/").status_code == 200  # asked once
    assert 'type="checkbox" value="yes" checked>' in browser.get("/portal/tax_refund/consent/").content.decode()

    response = browser.post("/portal/tax_refund/check/")
    assert response.status_code == 302
    application = Application.objects.get(account_id=account_id)
    given.refresh_from_db()
    assert given.instance_id == application.instance_id
    [exchange] = EvidenceExchange.objects.all()
    assert exchange.consent_id == given.pk
    assert exchange.instance_id == application.instance_id
    assert (exchange.requester, exchange.provider, exchange.state) == ("tax-office", "municipality", "failed")
    assert exchange.reason.startswith("nobody answers on exchange-nobody-")
    actions = AuditEntry.objects.filter(object_type="instance", object_ref=str(application.instance_id))
    assert [a.action for a in actions if a.action.startswith("Evidence")] == ["EvidenceRequested", "EvidenceFailed"]
    assert AuditEntry.objects.filter(action="ConsentGiven", object_ref=str(given.party_id)).count() == 1
    variable = services.variables(application.instance_id)[evidence_variable("building-permit")]
    assert variable["state"] == "failed"
    # the caseworker's case page lists the exchange with the consent it was made under
    page = signed_in(staff("aud", "auditors")).get(f"/workbench/cases/{application.instance_id}")
    assert page.status_code == 200
    table = page.content.decode().split('id="case-evidence"')[1].split("</table>")[0]
    assert "building-permit" in table
    assert "municipality" in table
    assert "No answer" in table
    assert "(wording tr-building-permit-1)" in table


def test_an_empty_box_asks_nobody_and_withdraws_an_earlier_tick(deployed: None) -> None:
    browser = client("nl")
    sign_in(browser, "jansen@example.org")
    _fill(browser)
    browser.post("/portal/tax_refund/consent/", {"consent": "yes"})
    [given] = Consent.objects.all()

    # back to the step, box emptied: the consent of a moment ago is withdrawn
    assert browser.post("/portal/tax_refund/consent/", {})["Location"] == "/portal/tax_refund/check/"
    given.refresh_from_db()
    assert not given.is_active
    assert browser.post("/portal/tax_refund/check/").status_code == 302
    assert not EvidenceExchange.objects.exists()
    assert Application.objects.count() == 1


def test_guests_and_other_services_are_not_asked(deployed: None) -> None:
    guest = client()
    _fill(guest)
    assert guest.get("/portal/tax_refund/check/").status_code == 200
    response = guest.get("/portal/tax_refund/consent/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/?next=%2Fportal%2Ftax_refund%2Fconsent%2F"
    browser = client()
    sign_in(browser, "other@example.org")
    assert browser.get("/portal/building_permit/consent/").status_code == 404
    assert browser.get("/portal/record_transfer/consent/").status_code == 404
