"""Co-signing in Chromium (issue #13): the applicant sends a building permit with a co-owner's address,
the co-owner opens the link from the mail the platform sent (a real SMTP server on loopback) and
confirms, or declines; axe-core finds no WCAG 2.2 AA violation on any page of either flow, in English
and in Dutch."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest

from support.axe import violations as page_violations
from support.portal_browser import REFERENCE, SERVICE, WORDS, application_answers, click, summary, to_check_answers

pytestmark = pytest.mark.e2e

CO_SIGN_LINK = re.compile(r"https?://\S+/portal/co-sign/[0-9a-f-]{36}/\S+/")
TEXT = {
    "en": {
        "start": "Start now",
        "accept": "Accept and send",
        "co_signer": "Email address of a co-owner or partner who must confirm (optional)",
        "invitation": "Please confirm an application",
        "waiting": "Waiting for the co-signer",
        "resend": "Send the link again",
        "confirm": "Confirm the application",
        "decline": "Decline",
        "confirmed": "You confirmed the application",
        "declined": "You declined the application",
        "not_confirmed": "Your application was not confirmed",
        "invalid": "This link does not work",
        "change": "Change your application",
    },
    "nl": {
        "start": "Nu starten",
        "accept": "Akkoord en versturen",
        "co_signer": "E-mailadres van een mede-eigenaar of partner die moet bevestigen (optioneel)",
        "invitation": "Bevestig een aanvraag",
        "waiting": "Wachten op de medeondertekenaar",
        "resend": "Stuur de link opnieuw",
        "confirm": "Aanvraag bevestigen",
        "decline": "Weigeren",
        "confirmed": "U hebt de aanvraag bevestigd",
        "declined": "U hebt de aanvraag geweigerd",
        "not_confirmed": "Uw aanvraag is niet bevestigd",
        "invalid": "Deze link werkt niet",
        "change": "Wijzig uw aanvraag",
    },
}


def _links(platform: Any, to: str, subject: str, count: int) -> list[str]:
    """The co-sign links of the first ``count`` mails to ``to`` about ``subject``, in the order sent."""
    platform.mailbox.wait_for(to, subject)
    deadline = time.monotonic() + 60
    while True:
        found = [m for m in platform.mailbox.messages() if to in str(m["To"]) and subject in str(m["Subject"])]
        if len(found) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(found) >= count, f"{len(found)} mails to {to} about {subject!r}, expected {count}"
    links = [CO_SIGN_LINK.search(platform.mailbox.text(m)) for m in found[:count]]
    return [link.group(0) for link in links if link is not None]


def _send_with_co_signer(page: Any, language: str, applicant: str, co_signer: str) -> None:
    text = TEXT[language]
    page.goto(f"/portal/{SERVICE}/")
    click(page, "button", text["start"])
    answers: dict[str, Any] = {**application_answers(applicant), text["co_signer"]: co_signer}
    if language == "nl":  # the labels in Dutch
        answers = {
            "Uw naam": "A. de Vries",
            "E-mailadres": applicant,
            text["co_signer"]: co_signer,
            "Adres van de bouwlocatie": "Oudegracht 12, Utrecht",
            "Soort bouwwerk": "dwelling",
            "Vloeroppervlak (m²)": "150",
        }
    to_check_answers(page, answers, WORDS[language])


@pytest.mark.parametrize("language", ["en", "nl"])
def test_co_signer_confirms_from_the_mailed_link(new_page: Any, platform: Any, axe_source: str, language: str) -> None:
    text = TEXT[language]
    applicant_address = f"applicant-{language}-{os.getpid()}@example.org"
    co_signer = f"co-owner-{language}-{os.getpid()}@example.org"
    violations: list[str] = []
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    _send_with_co_signer(page, language, applicant_address, co_signer)
    assert co_signer in page.locator("#co-sign-note").inner_text()
    violations += page_violations(page, axe_source)
    click(page, "button", text["accept"])
    assert page.locator("h1").inner_text() == text["waiting"]
    assert "c***@example.org" in page.locator("main").inner_text()
    assert co_signer not in page.locator("main").inner_text()
    secret = page.locator("#secret-code").inner_text()
    violations += page_violations(page, axe_source)
    click(page, "button", text["resend"])  # a second link; the first stops working
    assert page.locator(".govuk-notification-banner--success").is_visible()
    violations += page_violations(page, axe_source)
    first, second = _links(platform, co_signer, text["invitation"], 2)
    # the co-signer, in a browser of their own: the old link is refused clearly, the new one works
    other = new_page(language, bypass_csp=True)
    response = other.goto(first)
    assert response.status == 404
    assert other.locator("h1").inner_text() == text["invalid"]
    violations += page_violations(other, axe_source)
    response = other.goto(second)
    assert response.status == 200
    assert "Oudegracht 12, Utrecht" in summary(other)
    assert applicant_address not in other.locator("main").inner_text()
    violations += page_violations(other, axe_source)
    click(other, "button", text["confirm"])
    assert other.locator("h1").inner_text().startswith(text["confirmed"])
    reference = other.locator("#reference-number").inner_text()
    assert REFERENCE.fullmatch(reference)
    violations += page_violations(other, axe_source)
    # the link was single-use
    response = other.goto(second)
    assert response.status == 410
    violations += page_violations(other, axe_source)
    # the applicant's waiting page now leads to the confirmation, with the secret shown earlier
    page.reload()
    violations += page_violations(page, axe_source)
    click(page, "link", re.compile(reference))
    assert page.locator("#reference-number").inner_text() == reference
    assert page.locator("#secret-code").inner_text() == secret
    # notices to both: the applicant's confirmation and the co-signer's receipt (the worker sends them)
    platform.mailbox.wait_for(applicant_address, reference)
    platform.mailbox.wait_for(co_signer, reference)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_co_signer_declines_and_the_applicant_is_told(
    new_page: Any, platform: Any, axe_source: str, language: str
) -> None:
    text = TEXT[language]
    applicant_address = f"declined-{language}-{os.getpid()}@example.org"
    co_signer = f"partner-{language}-{os.getpid()}@example.org"
    violations: list[str] = []
    page = new_page(language, bypass_csp=True)
    _send_with_co_signer(page, language, applicant_address, co_signer)
    click(page, "button", text["accept"])
    (link,) = _links(platform, co_signer, text["invitation"], 1)
    other = new_page(language, bypass_csp=True)
    other.goto(link)
    click(other, "button", text["decline"])
    assert other.locator("h1").inner_text() == text["declined"]
    violations += page_violations(other, axe_source)
    notice = platform.mailbox.text(platform.mailbox.wait_for(applicant_address, text["not_confirmed"]))
    assert "/portal/resume/" in notice
    page.reload()
    assert page.locator("h1").inner_text() == text["not_confirmed"]
    violations += page_violations(page, axe_source)
    click(page, "button", text["change"])  # back to "check your answers" with the answers kept
    assert page.locator("h1").inner_text() == WORDS[language]["check"]
    assert "Oudegracht 12, Utrecht" in summary(page)
    violations += page_violations(page, axe_source)
    assert violations == [], "\n".join(violations)
