"""The party pages in Chromium (issue #13): axe-core finds no violation on the workbench party
record (English and Dutch, opened from the case page), the search page (with its error summary
and a result) and the portal's "Your details" (with the preferences form's error state, the saved
banner and a withdrawn consent).

Anna's record (two cases of two departments, documents, messages, consents, evidence, prefills) is
seeded by a script run against the served platform's database (tests/support/party_pages.py); the
citizen's portal session is made there too, so no sign-in mail is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parents[2]
NATIONAL_ID = "987654320"
SEED = f"""
import json, sys
sys.path.insert(0, {str(TESTS)!r})
from importlib import import_module
from django.conf import settings
from django.contrib.auth.models import Group, User
from support.party_pages import build_party_world

world = build_party_world(reference="BP-2026-990101", email="anna.browser@example.org", national_id={NATIONAL_ID!r})
user = User.objects.create_user("pia-parties", password={PASSWORD!r}, is_staff=True)
user.groups.set([Group.objects.get_or_create(name="intake")[0]])
session = import_module(settings.SESSION_ENGINE).SessionStore()
session["portal_citizen"] = world.account.pk
session.create()
print(json.dumps({{"party": str(world.party.pk), "case": str(world.permit.pk), "session": session.session_key}}))
"""


@pytest.fixture(scope="module")
def seeded(platform: Any) -> dict[str, str]:
    found: dict[str, str] = json.loads(platform.django(SEED).strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_workbench_party_pages(
    new_page: Any, sign_in: Any, axe_source: str, seeded: dict[str, str], language: str
) -> None:
    words = {
        "en": {"link": "Applicant’s record", "search": "Search", "error": "Enter the identifier to search for",
               "open": "Citizen: open the record"},
        "nl": {"link": "Dossier van de aanvrager", "search": "Zoeken", "error": "Vul in waarop u wilt zoeken",
               "open": "Burger: het dossier openen"},
    }[language]  # fmt: skip
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    sign_in(page, "pia-parties")
    page.goto(f"/workbench/cases/{seeded['case']}")
    page.get_by_role("link", name=words["link"]).click()
    page.wait_for_url(f"**/workbench/parties/{seeded['party']}/")
    assert page.locator("html").get_attribute("lang") == language
    assert "Anna de Vries" in page.locator("h1").inner_text()
    assert page.locator("#party-cases tbody tr").count() == 1  # Intake's case only
    assert page.locator("#party-documents a").count() == 1
    assert_no_violations(page, axe_source)

    page.goto("/workbench/parties/")
    assert_no_violations(page, axe_source)
    page.check("#scheme")  # national id
    page.get_by_role("button", name=words["search"]).click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert words["error"] in page.locator(".govuk-error-summary").inner_text()
    assert_no_violations(page, axe_source)
    page.fill("#identifier", NATIONAL_ID)
    page.get_by_role("button", name=words["search"]).click()
    result = page.locator("#party-results a")
    assert result.count() == 1
    assert words["open"] in result.inner_text()
    assert_no_violations(page, axe_source)
    result.click()
    page.wait_for_url(f"**/workbench/parties/{seeded['party']}/")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_portal_details_page(
    new_page: Any, base_url: str, axe_source: str, seeded: dict[str, str], language: str
) -> None:
    words = {
        "en": {"save": "Save your details", "error": "Enter your postal address", "saved": "Your details are saved.",
               "withdraw": "Withdraw consent for evidence:income-statement from tax-office",
               "withdrawn": "Your consent is withdrawn."},
        "nl": {"save": "Uw gegevens opslaan", "error": "Vul uw postadres in", "saved": "Uw gegevens zijn opgeslagen.",
               "withdraw": "Intrekken toestemming voor evidence:income-statement bij tax-office",
               "withdrawn": "Uw toestemming is ingetrokken."},
    }[language]  # fmt: skip
    page = new_page(language, bypass_csp=True)
    page.context.add_cookies([{"name": "sessionid", "value": seeded["session"], "url": base_url}])
    page.goto("/portal/me/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#name").input_value() == "Anna de Vries"
    assert page.locator("#me-applications tbody tr").count() == 2
    assert_no_violations(page, axe_source)

    page.check("#channel-post")
    page.fill("#address", "")
    page.get_by_role("button", name=words["save"]).click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert words["error"] in summary.inner_text()
    assert page.locator("#address-error").is_visible()
    assert page.title().startswith({"en": "Error:", "nl": "Fout:"}[language])
    assert_no_violations(page, axe_source)

    page.fill("#address", "Kerkstraat 1\nUtrecht")
    page.get_by_role("button", name=words["save"]).click()
    assert words["saved"] in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("#channel-post").is_checked()
    assert_no_violations(page, axe_source)

    withdraw = page.get_by_role("button", name=words["withdraw"])
    if withdraw.count():  # the English run withdraws it; the Dutch one sees it withdrawn
        withdraw.click()
        assert words["withdrawn"] in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("#me-consents .govuk-tag--grey").count() >= 1
    assert_no_violations(page, axe_source)
