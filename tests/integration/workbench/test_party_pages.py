"""The workbench's party pages (issue #13): the record as far as the department may see it (purpose
limitation), audited on every view, opened from the case page or found by identifier."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicflow.runtime.definitions import clear_caches
from civicflow.security.models import AuditEntry
from support.party_pages import ANNA_EMAIL, NATIONAL_ID, PartyWorld, build_party_world
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> Iterator[PartyWorld]:
    settings.MEDIA_ROOT = tmp_path
    yield build_party_world()
    clear_caches()  # the next test's deployments reuse these rolled-back ids


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def _viewed() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="PartyViewed"))


def test_intake_sees_the_contact_details_and_only_its_own_case(world: PartyWorld) -> None:
    ingrid = staff("ingrid", "intake")
    response = signed_in(ingrid).get(f"/workbench/parties/{world.party.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response.content)
    for value in ("Anna de Vries", ANNA_EMAIL, "+31 20 123 4567", "Kerkstraat 1, Utrecht", NATIONAL_ID):
        assert value in text
    assert f'href="/workbench/cases/{world.permit.pk}"' in html
    assert f'href="/workbench/cases/{world.fire.pk}"' not in html  # Fire safety's case: not Intake's business
    assert f'href="/workbench/cases/{world.permit.pk}/documents/{world.upload.pk}"' in html
    assert "permit.pdf" in text
    assert "Your application BP-2026-000101 was received" in text
    assert "Inspection date" not in text
    assert "income-statement" in text
    assert "insurance" not in text
    assert "Population register" in text
    prefills = html[html.index('id="party-prefills"') : html.index("</table>", html.index('id="party-prefills"'))]
    assert "Your name" in prefills  # the start form's question, not the key applicantName
    assert "applicantName" not in prefills
    assert "premisesAddress" not in text
    assert "<title>Citizen record –" in html  # the name stays out of the title (browser history)
    assert 'id="party-limited"' in html
    assert "only what belongs to cases your department works on" in text
    [entry] = _viewed()
    assert (entry.actor, entry.object_ref) == (f"user:{ingrid.pk}", str(world.party.pk))
    assert entry.details == {"channel": "workbench", "cases": 1}


def test_an_auditor_sees_the_whole_record(world: PartyWorld) -> None:
    auditor = staff("aud", "auditors")
    html = signed_in(auditor).get(f"/workbench/parties/{world.party.pk}/").content.decode()
    assert f'href="/workbench/cases/{world.permit.pk}"' in html
    assert f'href="/workbench/cases/{world.fire.pk}"' in html
    assert "Inspection date" in html
    assert _viewed()[0].details == {"channel": "workbench", "cases": 2}


def test_a_department_without_a_case_gets_404_and_no_view_is_logged(world: PartyWorld) -> None:
    zoning = staff("zeno", "zoning")
    assert signed_in(zoning).get(f"/workbench/parties/{world.party.pk}/").status_code == 404
    unknown = "/workbench/parties/00000000-0000-4000-8000-000000000000/"
    assert signed_in(staff("ingrid", "intake")).get(unknown).status_code == 404
    assert _viewed() == []


def test_the_case_page_links_to_the_applicants_record(world: PartyWorld) -> None:
    client = signed_in(staff("ingrid", "intake"))
    html = client.get(f"/workbench/cases/{world.permit.pk}").content.decode()
    assert f'<a class="govuk-link" href="/workbench/parties/{world.party.pk}/">Applicant’s record</a>' in html
    assert _viewed() == []  # the link is not a view of the record
    dutch = signed_in(staff("ivo", "intake"), "nl").get(f"/workbench/cases/{world.permit.pk}").content.decode()
    assert f'href="/workbench/parties/{world.party.pk}/">Dossier van de aanvrager</a>' in dutch


def test_no_link_on_a_case_without_a_party(world: PartyWorld) -> None:
    from civicflow.runtime import services

    other = services.start_instance("building_permit", business_key="BP-2", variables={"caseNumber": "BP-2"})
    html = signed_in(staff("ingrid", "intake")).get(f"/workbench/cases/{other.pk}").content.decode()
    assert "/workbench/parties/" not in html.replace('href="/workbench/parties/"', "")  # the menu entry only


@pytest.mark.parametrize(
    ("scheme", "identifier"),
    [("national-id", f" {NATIONAL_ID} "), ("email", "Anna@Example.org")],
)
def test_search_finds_the_party_the_department_may_open(world: PartyWorld, scheme: str, identifier: str) -> None:
    client = signed_in(staff("ingrid", "intake"))
    response = client.get("/workbench/parties/", {"scheme": scheme, "identifier": identifier})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/workbench/parties/{world.party.pk}/"' in html
    assert "Anna" not in _text(response.content)  # the result shows no personal value
    assert 'aria-current="page">People and businesses</a>' in html


def test_search_hides_parties_of_other_departments_and_unknown_identifiers(world: PartyWorld) -> None:
    query = {"scheme": "national-id", "identifier": NATIONAL_ID}
    other = signed_in(staff("zeno", "zoning")).get("/workbench/parties/", query)
    assert other.status_code == 200
    assert f"/workbench/parties/{world.party.pk}/" not in other.content.decode()
    assert "No person or business with that identifier" in _text(other.content)
    intake = signed_in(staff("ingrid", "intake"))
    unknown = intake.get("/workbench/parties/", {"scheme": "company-number", "identifier": NATIONAL_ID})
    assert "No person or business with that identifier" in _text(unknown.content)


@pytest.mark.parametrize(
    ("query", "anchor", "message"),
    [
        ({"scheme": "national-id", "identifier": " "}, "#identifier", "Enter the identifier to search for"),
        ({"identifier": "x"}, "#scheme", "Select what kind of identifier you are searching by"),
        ({"scheme": "email", "identifier": "not-an-address"}, "#identifier", "Enter an email address"),
    ],
)
def test_search_errors_are_listed_in_the_error_summary(
    world: PartyWorld, query: dict[str, str], anchor: str, message: str
) -> None:
    response = signed_in(staff("ingrid", "intake")).get("/workbench/parties/", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert f'<a href="{anchor}">{message}' in html
    assert "<title>Error:" in html


def test_the_search_form_is_empty_at_first_and_a_citizen_account_is_refused(db: Any) -> None:
    page = signed_in(staff("ingrid", "intake")).get("/workbench/parties/")
    assert page.status_code == 200
    assert "govuk-error-summary" not in page.content.decode()
    assert 'id="results"' not in page.content.decode()
    carla = User.objects.create_user("carla", password="x" * 20)  # not staff: the policy's "citizen"
    assert signed_in(carla).get("/workbench/parties/").status_code == 403


def test_an_erased_party_shows_no_personal_values(world: PartyWorld) -> None:
    from civicflow.security import keys

    keys.shred(world.party.subject)  # what `civicflow gdpr erase` does to the party
    response = signed_in(staff("ingrid", "intake")).get(f"/workbench/parties/{world.party.pk}/")
    assert response.status_code == 200
    text = _text(response.content)
    assert "This person’s personal data was erased at their request." in text
    for value in ("Anna de Vries", ANNA_EMAIL, NATIONAL_ID, "Kerkstraat", "Your application BP-2026-000101"):
        assert value not in text
    assert f'href="/workbench/cases/{world.permit.pk}"' in response.content.decode()  # the case itself stays
