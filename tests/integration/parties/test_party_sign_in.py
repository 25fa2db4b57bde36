"""Parties made at the portal's sign-in and tied to applications on submit (issue #13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from civicflow import parties
from civicflow.parties.models import Party, PartyCase
from civicflow.portal import _party_link
from civicflow.portal.models import Application, CitizenAccount, CitizenIdentity
from civicflow.runtime import jobs
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security import addresses
from support.oidc_provider import CITIZEN, CITIZEN_NATIONAL_ID, LoopbackProvider, loopback_provider, oidc_env
from support.oidc_provider import sign_in_at_provider as at_provider
from support.portal_citizen import apply, client, sign_in

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/portal/sign-in/eid/callback/"


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)


def test_an_email_link_sign_in_makes_the_party_and_submitting_ties_the_case(deployed: None) -> None:
    browser = client()
    account_id = sign_in(browser, "Lotte.Smit@example.org")
    sign_in(client(address="10.0.0.9"), "lotte.smit@example.org")  # again, elsewhere: the same party
    party = Party.objects.get()
    assert (party.identifier_scheme, party.identifier, party.account_id) == (
        "email",
        "lotte.smit@example.org",
        account_id,
    )
    assert party.email_index == addresses.index("lotte.smit@example.org")
    reference = apply(browser)
    application = Application.objects.get(reference=reference)
    case = PartyCase.objects.get(party=party)
    assert (case.instance_id, case.service, case.reference, case.role) == (
        application.instance_id,
        "building_permit",
        reference,
        "applicant",
    )


def test_a_guest_application_joins_no_party(deployed: None) -> None:
    apply(client())
    assert Party.objects.count() == 0
    assert PartyCase.objects.count() == 0


def test_an_account_from_before_parties_gets_its_party_at_submit(deployed: None) -> None:
    browser = client()
    account_id = sign_in(browser, "old@example.org")
    Party.objects.all().delete()  # as if the account signed in before parties existed
    reference = apply(browser)
    party = Party.objects.get()
    assert party.account_id == account_id
    assert PartyCase.objects.get(party=party).reference == reference


def test_a_business_sign_in_makes_the_businesss_party_the_accounts_current_one(deployed: None) -> None:
    account = CitizenAccount.for_address("director@example.org", timezone.now())
    claims = {"national_id": "999990020", "kvk": "6912 3456", "name": "Dirk Directeur"}
    found = _party_link.at_eid_sign_in(
        account, claims, national_id_claim="national_id", company_number_claim="kvk", email=None, now=timezone.now()
    )
    assert found is not None
    assert (found.kind, found.identifier_scheme, found.identifier) == ("business", "company-number", "69123456")
    person = Party.objects.get(identifier_scheme="national-id")
    assert (person.kind, person.name, person.account_id) == ("citizen", "Dirk Directeur", account.pk)
    assert parties.party_for_account(account.pk) == found
    # a claim that is not a usable identifier names no party
    assert (
        _party_link.at_eid_sign_in(
            account,
            {"national_id": True},
            national_id_claim="national_id",
            company_number_claim="",
            email=None,
            now=timezone.now(),
        )
        is None
    )


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackProvider]:
    with loopback_provider([CALLBACK]) as running:
        for name, value in oidc_env(running.issuer).items():
            monkeypatch.setenv(name, value)
        yield running


def test_an_eid_sign_in_gives_the_accounts_party_its_national_id(provider: LoopbackProvider) -> None:
    account = CitizenAccount.for_address("cees@example.org", datetime(2026, 1, 1, tzinfo=UTC))
    by_mail = _party_link.at_email_sign_in(account, "cees@example.org", datetime(2026, 1, 1, tzinfo=UTC))
    browser = Client()
    started = browser.get("/portal/sign-in/eid/")
    assert started.status_code == 302
    back = at_provider(str(started["Location"]), CITIZEN)
    assert browser.get(back.removeprefix("http://testserver")).status_code == 302
    party = Party.objects.get()  # the one party of the account, now identified by the national id
    assert party.pk == by_mail.pk
    assert (party.identifier_scheme, party.identifier, party.email) == (
        "national-id",
        CITIZEN_NATIONAL_ID,
        "cees@example.org",
    )
    # the same keyed reference the eID link keeps
    assert party.identifier_index == CitizenIdentity.objects.get(subject=CITIZEN).national_ref
    assert CITIZEN_NATIONAL_ID not in party.identifier_sealed
