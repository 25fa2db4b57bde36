"""The portal's "Your details" page (issue #13): the signed-in citizen's whole record, contact
details and preferences saved (sealed) or refused with the errors, consents withdrawn, every view
audited; nobody else's record or consent reachable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicflow import parties
from civicflow.parties.models import Consent, Party
from civicflow.portal.models import CitizenAccount
from civicflow.runtime.definitions import clear_caches
from civicflow.security.models import AuditEntry
from support.party_pages import ANNA_EMAIL, PartyWorld, build_party_world
from support.portal_citizen import client

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Anna de Vries-Bakker",
    "email": "anna.bakker@example.org",
    "phone": "020 765 4321",
    "address": "Dorpsstraat 2\nAmersfoort",
    "language": "nl",
    "channel": "post",
}


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> Iterator[PartyWorld]:
    settings.MEDIA_ROOT = tmp_path
    yield build_party_world()
    clear_caches()  # the next test's deployments reuse these rolled-back ids


def _signed_in(account: CitizenAccount, language: str = "en") -> Client:
    browser = client(language)
    session = browser.session
    session["portal_citizen"] = account.pk
    session.save()
    return browser


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_anonymous_visitors_are_sent_to_sign_in(db: Any) -> None:
    response = client().get("/portal/me/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/?next=%2Fportal%2Fme%2F"


def test_the_citizen_sees_their_whole_record_and_the_view_is_audited(world: PartyWorld) -> None:
    response = _signed_in(world.account).get("/portal/me/")
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response.content)
    assert 'value="Anna de Vries"' in html
    assert 'value="+31 20 123 4567"' in html
    assert 'href="/portal/applications/BP-2026-000101/">BP-2026-000101</a>' in html
    assert "Building permit" in text
    assert "Inspection date" in text
    assert "Your application BP-2026-000101 was received" in text
    assert f'href="/portal/applications/BP-2026-000101/uploads/{world.upload.pk}/"' in html
    assert f'href="/portal/applications/BP-2026-000101/documents/{world.issued.pk}/"' in html
    assert html.count('action="/portal/me/consents/') == 2
    assert "insurer-register" in text
    assert "Population register" in text
    prefills = html[html.index('id="me-prefills"') : html.index("</table>", html.index('id="me-prefills"'))]
    assert "Your name" in prefills  # the question the citizen answered, not the key applicantName
    assert "premisesAddress" in prefills  # a service that is not a reference service: its key is all there is
    assert 'href="/portal/me/">Your details</a>' in html  # the menu entry
    [entry] = AuditEntry.objects.filter(action="PartyViewed")
    assert (entry.actor, entry.object_ref) == (f"citizen:{world.account.pk}", str(world.party.pk))
    assert entry.details == {"channel": "portal", "cases": 2}


def test_a_citizen_without_a_party_gets_one_by_their_address(db: Any) -> None:
    bert = CitizenAccount.for_address("bert@example.org", timezone.now())
    response = _signed_in(bert).get("/portal/me/")
    assert response.status_code == 200
    party = Party.objects.get(account_id=bert.pk)
    assert (party.identifier_scheme, party.email) == ("email", "bert@example.org")
    assert "You have no applications with us yet." in _text(response.content)


def test_saving_details_seals_them_and_sets_the_preferences(world: PartyWorld) -> None:
    browser = _signed_in(world.account)
    response = browser.post("/portal/me/", VALID)
    assert response.status_code == 302
    assert response["Location"] == "/portal/me/?done=saved#details"
    party = Party.objects.get(pk=world.party.pk)
    assert (party.name, party.email, party.phone, party.address) == (
        VALID["name"], VALID["email"], VALID["phone"], VALID["address"]
    )  # fmt: skip
    assert (party.language, party.channel) == ("nl", "post")
    assert VALID["name"] not in party.name_sealed
    assert "Dorpsstraat" not in party.address_sealed
    saved = browser.get(response["Location"])
    assert "Your details are saved." in _text(saved.content)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not an address"}, "email", "Enter an email address in the correct format"),
        ({"channel": "post", "address": ""}, "address", "Enter your postal address, or choose another way"),
        ({"channel": "email", "email": ""}, "email", "Enter your email address, or choose another way"),
        ({"phone": "call me maybe"}, "phone", "Enter a telephone number"),
        ({"language": "fr"}, "language", "Select the language we write to you in"),
        ({"channel": "pigeon"}, "channel", "Select how we contact you"),
        ({"name": "x" * 201}, "name", "Your name must be 200 characters or fewer"),
    ],
)
def test_invalid_details_are_refused_with_the_error_and_nothing_is_saved(
    world: PartyWorld, change: dict[str, str], field: str, message: str
) -> None:
    response = _signed_in(world.account).post("/portal/me/", {**VALID, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#{field}">{message}' in html
    assert f'id="{field}-error"' in html
    assert "<title>Error:" in html
    party = Party.objects.get(pk=world.party.pk)
    assert (party.name, party.channel) == ("Anna de Vries", "email")


def test_errors_in_dutch(world: PartyWorld) -> None:
    response = _signed_in(world.account, "nl").post("/portal/me/", {**VALID, "channel": "post", "address": ""})
    assert response.status_code == 400
    text = _text(response.content)
    assert "Er is een probleem" in text
    assert "Vul uw postadres in" in text


def test_withdrawing_a_consent(world: PartyWorld) -> None:
    browser = _signed_in(world.account)
    response = browser.post(f"/portal/me/consents/{world.consent.pk}/withdraw/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/me/?done=withdrawn#consents"
    withdrawn = Consent.objects.get(pk=world.consent.pk)
    assert withdrawn.withdrawn_at is not None
    assert Consent.objects.get(pk=world.fire_consent.pk).withdrawn_at is None
    assert parties.active_consent(world.party, purpose="evidence:income-statement", provider="tax-office") is None
    page = _text(browser.get(response["Location"]).content)
    assert "Your consent is withdrawn." in page
    again = browser.post(f"/portal/me/consents/{world.consent.pk}/withdraw/")  # a second press changes nothing
    assert again.status_code == 302
    assert Consent.objects.get(pk=world.consent.pk).withdrawn_at == withdrawn.withdrawn_at


def test_another_citizen_cannot_withdraw_or_see_anna_s_consent(world: PartyWorld) -> None:
    bert = CitizenAccount.for_address("bert@example.org", timezone.now())
    browser = _signed_in(bert)
    assert browser.post(f"/portal/me/consents/{world.consent.pk}/withdraw/").status_code == 404
    assert Consent.objects.get(pk=world.consent.pk).withdrawn_at is None
    assert ANNA_EMAIL not in browser.get("/portal/me/").content.decode()
    anonymous = client().post(f"/portal/me/consents/{world.consent.pk}/withdraw/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/portal/sign-in/")
