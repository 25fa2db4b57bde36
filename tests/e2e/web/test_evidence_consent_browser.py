"""The consent step of the tax refund claim in Chromium (issue #13): a signed-in citizen is asked,
between the form and "check your answers", whether the tax office may fetch their building permits
from the municipality; the box starts unticked, agency and purpose are named, and axe-core finds no
WCAG 2.2 AA violation on the step, in English and in Dutch, unticked and ticked."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.portal_browser import click

pytestmark = pytest.mark.e2e

CLAIM = {
    "#field-claimantName": "A. de Vries",
    "#field-taxYear": "2025",
    "#field-taxableIncome": "41000",
    "#field-taxPaid": "14000",
    "#field-iban": "NL91ABNA0417164300",
}
TEXT = {
    "en": {
        "send_link": "Send me a sign-in link",
        "link_subject": "Your sign-in link",
        "sign_in": "Sign in",
        "continue": "Continue",
        "title": "Fetch your building permits from the municipality?",
        "label": "Fetch my building permits from the municipality instead of uploading them",
        "agency": "The municipality (building permits)",
        "check": "Check your answers before sending your application",
        "accept": "Accept and send",
    },
    "nl": {
        "send_link": "Stuur mij een inloglink",
        "link_subject": "Uw inloglink",
        "sign_in": "Inloggen",
        "continue": "Doorgaan",
        "title": "Uw bouwvergunningen ophalen bij de gemeente?",
        "label": "Haal mijn bouwvergunningen op bij de gemeente in plaats van ze te uploaden",
        "agency": "De gemeente (bouwvergunningen)",
        "check": "Controleer uw antwoorden voordat u uw aanvraag verstuurt",
        "accept": "Akkoord en versturen",
    },
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_consent_step_is_unticked_names_agency_and_purpose_and_passes_axe(
    new_page: Any, axe_source: str, mailbox: Any, language: str
) -> None:
    words = TEXT[language]
    address = f"evidence-{language}@example.org"
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    page.goto("/portal/sign-in/")
    page.fill("#email", address)
    click(page, "button", words["send_link"])
    link = re.search(
        r"https?://\S+/portal/sign-in/\S+/", mailbox.text(mailbox.wait_for(address, words["link_subject"]))
    )
    assert link
    page.goto(link.group(0))
    click(page, "button", words["sign_in"])

    page.goto("/portal/tax_refund/apply/")
    for selector, value in CLAIM.items():
        page.fill(selector, value)
    page.fill("#field-claimantEmail", address)
    page.locator("input[name=residentStatus]").first.check()
    click(page, "button", words["continue"])

    assert page.url.endswith("/portal/tax_refund/consent/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == words["title"]
    assert words["agency"] in page.locator("#evidence-offer").inner_text()
    box = page.get_by_label(words["label"])
    assert not box.is_checked()
    assert_no_violations(page, axe_source)

    box.check()  # by its label, as a screen reader user would find it
    click(page, "button", words["continue"])
    assert page.locator("h1").inner_text() == words["check"]
    page.goto("/portal/tax_refund/consent/")
    assert page.get_by_label(words["label"]).is_checked()  # the answer given is shown again
    assert_no_violations(page, axe_source)
    click(page, "button", words["continue"])
    click(page, "button", words["accept"])
    assert "/submitted/" in page.url  # sent, whatever the municipality answered
