"""Who may open a party's record, and what they see of it (issue #13: purpose limitation, every view audited)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from civicflow import parties
from civicflow.api.auth import TokenPrincipal
from civicflow.api.tokens import create_token
from civicflow.parties.models import Party
from civicflow.security import policy
from civicflow.security.models import AuditEntry
from integration.parties.conftest import TwoCases
from support.workbench import staff

pytestmark = pytest.mark.django_db


def _views(party: Party) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="PartyViewed", object_type="party", object_ref=str(party.pk)))


def test_a_caseworker_of_a_department_without_a_case_of_the_person_cannot_open_the_record(two_cases: TwoCases) -> None:
    planner = staff("pia", "planning")  # a department with no task on either case
    assert not policy.can(planner, "view_party", two_cases.party)
    with pytest.raises(PermissionDenied):
        parties.open_party_record(planner, two_cases.party, channel="workbench")
    assert _views(two_cases.party) == []  # a refusal shows nothing and so records no view
    assert not policy.can(staff("nora", is_staff=False), "view_party", two_cases.party)  # a citizen account
    assert not policy.can(staff("sam"), "view_party", two_cases.party)  # staff without a role


def test_a_caseworker_with_a_case_sees_only_their_departments_cases(two_cases: TwoCases) -> None:
    now = timezone.now()
    party = two_cases.party
    parties.record_message(party, instance_id=two_cases.permit, direction="sent", channel="email", subject="A", now=now)
    parties.record_message(party, instance_id=two_cases.refund, direction="sent", channel="email", subject="B", now=now)
    parties.record_message(party, instance_id=None, direction="received", channel="post", subject="C", now=now)
    for instance in (two_cases.permit, two_cases.refund):
        parties.give_consent(
            party, purpose="evidence:x", service="s", provider="p", instance_id=instance, text_version="1", now=now
        )
    party.set_name("Anneke Brouwer")
    party.save()

    intake = staff("ingrid", "intake")
    finance = staff("femke", "finance")
    assert policy.can(intake, "view_party", party)
    assert policy.can(finance, "view_party", party)
    seen = parties.open_party_record(intake, party, channel="workbench")
    assert seen.limited
    assert [case.instance_id for case in seen.cases] == [two_cases.permit]
    assert [m.subject for m in seen.messages] == ["A"]
    assert [c.instance_id for c in seen.consents] == [two_cases.permit]
    assert seen.name == "Anneke Brouwer"  # contact details are part of every view
    other = parties.open_party_record(finance, party, channel="api")
    assert [case.instance_id for case in other.cases] == [two_cases.refund]
    assert [m.subject for m in other.messages] == ["B"]

    # auditors, system administrators and API read tokens see it all
    auditor = staff("aud", "auditors")
    root = User.objects.create_superuser("root", password="x" * 20)
    reader = TokenPrincipal(create_token("reader", ["read"]).token)
    for principal in (auditor, root, reader):
        whole = parties.open_party_record(principal, party, channel="api")
        assert not whole.limited
        assert {case.instance_id for case in whole.cases} == {two_cases.permit, two_cases.refund}
        assert [m.subject for m in whole.messages] == ["A", "B", "C"]
    starter = TokenPrincipal(create_token("starter", ["start"]).token)
    assert not policy.can(starter, "view_party", party)


def test_every_view_is_audited_with_who_where_and_how_many_cases(two_cases: TwoCases) -> None:
    intake = staff("ingrid", "intake")
    reader = create_token("reader", ["read"]).token
    parties.open_party_record(intake, two_cases.party, channel="workbench")
    parties.open_party_record(intake, two_cases.party, channel="workbench")
    parties.open_party_record(TokenPrincipal(reader), two_cases.party, channel="api")
    views = _views(two_cases.party)
    assert [(v.actor, v.details) for v in views] == [
        (f"user:{intake.pk}", {"channel": "workbench", "cases": 1}),
        (f"user:{intake.pk}", {"channel": "workbench", "cases": 1}),
        (f"token:{reader.prefix}", {"channel": "api", "cases": 2}),
    ]


def test_a_citizen_opens_only_their_own_record(two_cases: TwoCases) -> None:
    party = two_cases.party
    Party.objects.filter(pk=party.pk).update(account_id=41)
    party.refresh_from_db()
    own = parties.open_party_record(policy.Visitor(account_id=41), party, channel="portal")
    assert len(own.cases) == 2
    for stranger in (policy.Visitor(account_id=42), policy.Visitor()):
        with pytest.raises(PermissionDenied):
            parties.open_party_record(stranger, party, channel="portal")
    assert [(v.actor, v.details["channel"]) for v in _views(party)] == [("citizen:41", "portal")]
