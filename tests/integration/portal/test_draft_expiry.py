"""Expired drafts lose what is personal in them; their dates stay for the KPIs (docs/gdpr.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicflow.portal import expire_drafts
from civicflow.portal.models import Draft
from civicflow.security import addresses, keys

pytestmark = pytest.mark.django_db


def _save(email: str) -> Draft:
    """A citizen saves a tax refund claim for later: a draft with a sealed name, an address and a link."""
    client = Client()
    client.post("/portal/tax_refund/apply/", {"claimantName": "A. de Vries", "taxYear": "2024", "_save": "1"})
    assert client.post("/portal/tax_refund/save/", {"email": email}).status_code == 302
    return Draft.objects.get(email_index=addresses.index(email))


def _expire(draft: Draft) -> None:
    Draft.objects.filter(pk=draft.pk).update(expires=timezone.now() - timedelta(minutes=1))


def test_an_expired_draft_is_emptied_and_its_key_shredded_its_dates_kept() -> None:
    old, fresh = _save("old@example.org"), _save("fresh@example.org")
    sealed = keys.seal(f"draft:{old.pk}", "claimantName", "A. de Vries")  # as a backup would hold it
    assert old.data
    assert old.token_hash
    _expire(old)
    assert expire_drafts() == 1
    old.refresh_from_db()
    assert (old.data, old.email_sealed, old.email_index, old.token_hash) == ({}, "", "", "")
    assert old.service == "tax_refund"
    assert old.created is not None
    assert old.expires < timezone.now()  # the KPIs still count it as abandoned
    with pytest.raises(keys.SubjectKeyShreddedError):
        keys.open(f"draft:{old.pk}", "claimantName", sealed)
    fresh.refresh_from_db()
    assert fresh.data
    assert fresh.email == "fresh@example.org"
    assert expire_drafts() == 0  # nothing left to empty


def test_a_draft_under_a_legal_hold_is_kept() -> None:
    held = _save("held@example.org")
    keys.set_legal_hold(f"draft:{held.pk}", hold=True)
    _expire(held)
    assert expire_drafts() == 0
    held.refresh_from_db()
    assert held.data
    assert held.email == "held@example.org"


def test_a_pending_request_without_a_draft_does_not_stop_the_others() -> None:
    from civicflow.portal.models import CoSignRequest

    # a request whose draft is gone (SET_NULL) while it is still pending and valid
    CoSignRequest.objects.create(
        service="building_permit",
        token_hash="a" * 64,
        secret_hash="b" * 64,
        created=timezone.now(),
        expires=timezone.now() + timedelta(days=3),
    )
    old = _save("old@example.org")
    _expire(old)
    assert expire_drafts() == 1
