"""Parties (issue #13): one record per person, found by a blind index, values sealed, consents, messages."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from civicflow import parties
from civicflow.parties.models import Party, PartyCase
from civicflow.security import addresses, keys
from integration.parties.conftest import TwoCases

pytestmark = pytest.mark.django_db


def test_the_same_identifier_finds_the_same_party_by_its_index() -> None:
    now = timezone.now()
    first = parties.party_for_identity(scheme="national-id", identifier=" 123456782 ", now=now)
    again = parties.party_for_identity(scheme="national-id", identifier="123456782", account_id=7, now=now)
    assert again.pk == first.pk
    assert Party.objects.count() == 1
    row = Party.objects.get()
    assert row.account_id == 7  # linked by the second call
    assert row.identifier == "123456782"
    assert "123456782" not in row.identifier_sealed
    # the index is the reference the portal's eID sign-in keeps (CitizenIdentity.national_ref)
    assert row.identifier_index == keys.reference("national-id:123456782")
    # a company number with the same digits is another party; addresses match in any case
    company = parties.party_for_identity(scheme="company-number", identifier="1234 5678 2", kind="business", now=now)
    assert company.pk != first.pk
    assert company.identifier == "123456782"
    mail = parties.party_for_identity(scheme="email", identifier="Anna@Example.org", now=now)
    assert parties.party_for_identity(scheme="email", identifier="anna@example.org ", now=now).pk == mail.pk
    assert mail.identifier_index == addresses.index("anna@example.org")
    assert Party.objects.get(pk=mail.pk).email == "anna@example.org"  # an email party's address is its contact
    assert Party.objects.count() == 3


def test_an_account_keeps_one_party_when_it_signs_in_with_email_then_eid() -> None:
    now = timezone.now()
    by_mail = parties.party_for_identity(scheme="email", identifier="bram@example.org", account_id=3, now=now)
    later = now + timedelta(minutes=5)
    by_eid = parties.party_for_identity(scheme="national-id", identifier="111222333", account_id=3, now=later)
    assert by_eid.pk == by_mail.pk
    row = Party.objects.get(pk=by_mail.pk)
    assert (row.identifier_scheme, row.identifier, row.email) == ("national-id", "111222333", "bram@example.org")
    # the next email sign-in of the account finds it, and so does the account
    assert (
        parties.party_for_identity(scheme="email", identifier="bram@example.org", account_id=3, now=later).pk == row.pk
    )
    assert parties.party_for_account(3) == row
    assert parties.party_for_account(4) is None
    assert Party.objects.count() == 1


def test_bad_identities_are_refused() -> None:
    now = timezone.now()
    with pytest.raises(ValueError, match="identifier scheme"):
        parties.party_for_identity(scheme="passport", identifier="X1", now=now)
    with pytest.raises(ValueError, match="not empty"):
        parties.party_for_identity(scheme="national-id", identifier="  ", now=now)
    with pytest.raises(ValueError, match="party kind"):
        parties.party_for_identity(scheme="company-number", identifier="1", kind="trust", now=now)


def test_values_are_sealed_under_the_party_and_gone_once_shredded() -> None:
    now = timezone.now()
    party = parties.party_for_identity(scheme="national-id", identifier="555000111", now=now)
    party.set_name("Wilhelmina Vosbergen")
    party.set_phone("+31 6 5550 1234")
    party.set_address("Keizersgracht 1, Amsterdam")
    party.set_email("W.Vosbergen@example.org")
    party.save()
    case = uuid4()
    parties.record_message(
        party, instance_id=case, direction="sent", channel="email", subject="Your permit for Keizersgracht", now=now
    )
    row = Party.objects.get(pk=party.pk)
    assert (row.name, row.phone, row.address, row.email) == (
        "Wilhelmina Vosbergen",
        "+31 6 5550 1234",
        "Keizersgracht 1, Amsterdam",
        "W.Vosbergen@example.org",
    )
    assert row.email_index == addresses.index("w.vosbergen@example.org")
    assert "Vosbergen" not in row.name_sealed + row.email_sealed
    assert row.messages.get().subject == "Your permit for Keizersgracht"
    assert keys.shred(party.subject)
    row = Party.objects.get(pk=party.pk)
    assert row.erased
    assert (row.identifier, row.name, row.phone, row.address, row.email) == (None, None, None, None, None)
    assert row.messages.get().subject is None
    record = parties.party_record(row, visible_instances=None)
    assert record.name is None
    assert record.messages[0].subject is None


def test_cases_are_recorded_once_per_role(two_cases: TwoCases) -> None:
    now = timezone.now()
    again = parties.record_case(two_cases.party, instance_id=two_cases.permit, service="building_permit", now=now)
    assert again.reference == "BP-2026-000101"  # the first row
    co_signer = parties.record_case(
        two_cases.party, instance_id=two_cases.permit, service="building_permit", role="co-signer", now=now
    )
    assert co_signer.pk != again.pk
    assert PartyCase.objects.filter(party=two_cases.party).count() == 3
    with pytest.raises(ValueError, match="unknown role"):
        parties.record_case(two_cases.party, instance_id=two_cases.permit, service="x", role="owner", now=now)
    record = parties.party_record(two_cases.party, visible_instances=None)
    permit = next(case for case in record.cases if case.reference == "BP-2026-000101")
    assert (permit.title("en"), permit.title("nl"), permit.status) == (
        "Building permit",
        "Omgevingsvergunning bouwen",
        "active",
    )


def test_consents_are_given_found_and_withdrawn(two_cases: TwoCases) -> None:
    now = timezone.now()
    party = two_cases.party
    assert parties.active_consent(party, purpose="evidence:income", provider="tax-office") is None
    consent = parties.give_consent(
        party, purpose="evidence:income", service="fee_refund", provider="tax-office", text_version="v1", now=now
    )
    assert parties.active_consent(party, purpose="evidence:income", provider="tax-office") == consent
    assert parties.active_consent(party, purpose="evidence:income", provider="land-registry") is None
    parties.withdraw_consent(consent, now=now + timedelta(minutes=1))
    parties.withdraw_consent(consent, now=now + timedelta(minutes=2))  # the first withdrawal stands
    consent.refresh_from_db()
    assert not consent.is_active
    assert consent.withdrawn_at == now + timedelta(minutes=1)
    assert parties.active_consent(party, purpose="evidence:income", provider="tax-office") is None
    with pytest.raises(ValueError, match="text version"):
        parties.give_consent(party, purpose="", service="s", provider="p", text_version="v1", now=now)
