"""The citizen portal in Chromium: axe-core on every page in both languages (errors included), the
apply flow with JavaScript disabled, and the apply flow with the keyboard only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support.axe import violations as page_violations

pytestmark = pytest.mark.e2e

SERVICES = ["building_permit", "tax_refund", "record_transfer"]
ANSWERS = {
    "field-patientName": "J. Jansen",
    "field-patientEmail": "j.jansen@example.org",
    "field-sourceProvider": "Huisartsenpraktijk De Linde",
    "field-targetProvider": "Gezondheidscentrum Noord",
}


def _submit_click(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.locator(f"button:has-text('{name}'), a.govuk-button:has-text('{name}')").first.click()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_any_portal_page(new_page: Any, axe_source: str, language: str) -> None:
    words = {
        "en": {"continue": "Continue", "save": "Save and come back later", "send_link": "Send me the link",
               "accept": "Accept and send", "show": "Show my application", "send": "Send"},
        "nl": {"continue": "Doorgaan", "save": "Opslaan en later verdergaan", "send_link": "Stuur mij de link",
               "accept": "Akkoord en versturen", "show": "Toon mijn aanvraag", "send": "Versturen"},
    }[language]  # fmt: skip
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    violations: list[str] = []
    visited = 0

    def check(expected_status: int | None = None, response: Any = None) -> None:
        nonlocal visited
        if response is not None and expected_status is not None:
            assert response.status == expected_status, page.url
        assert page.locator("html").get_attribute("lang") == language
        violations.extend(page_violations(page, axe_source))
        visited += 1

    for path in ["/portal/", "/portal/status/", *(f"/portal/{s}/" for s in SERVICES)]:
        check(200, page.goto(path))
    for service in SERVICES:  # the service's own privacy notice and accessibility statement
        check(200, page.goto(f"/portal/{service}/privacy/"))
        check(200, page.goto(f"/portal/{service}/accessibility/"))
    for service in SERVICES:
        check(200, page.goto(f"/portal/{service}/apply/"))
        _submit_click(page, words["continue"])  # the error state: nothing answered
        assert page.locator(".govuk-error-summary").is_visible()
        check()
    # save page, its error state (a refused or missing mail server shows an error too)
    page.goto("/portal/record_transfer/apply/")
    _submit_click(page, words["save"])
    check()
    page.fill("#email", "not an address")
    _submit_click(page, words["send_link"])
    assert page.locator(".govuk-error-summary").is_visible()
    check()
    # apply: check answers, confirmation, status page, the citizen's request and its error state
    page.goto("/portal/record_transfer/apply/")
    for field, value in ANSWERS.items():
        page.fill(f"#{field}", value)
    page.check("#field-urgency")
    _submit_click(page, words["continue"])
    check()
    _submit_click(page, words["accept"])
    check()
    reference = page.locator("#reference-number").inner_text()
    secret = page.locator("#secret-code").inner_text()
    page.goto(f"/portal/applications/{reference}/")
    check()
    with page.expect_navigation():
        page.locator(".govuk-notification-banner__link").first.click()
    check()
    _submit_click(page, words["send"])
    assert page.locator(".govuk-error-summary").is_visible()
    check()
    # lookup with a wrong secret (404 with an error summary) in a fresh context
    other = new_page(language, bypass_csp=True)
    other.goto("/portal/status/")
    other.fill("#reference", reference)
    other.fill("#secret", "AAAA-BBBB-CCCC")
    with other.expect_navigation() as navigation:
        other.locator("form[action='/portal/status/'] button").click()
    assert navigation.value.status == 404
    violations.extend(page_violations(other, axe_source))
    other.fill("#secret", secret)
    _submit_click(other, words["show"])
    assert reference in other.locator("h1").inner_text()
    assert visited >= 15
    assert violations == [], "\n".join(violations)


def test_apply_flow_without_javascript(new_page: Any) -> None:
    page = new_page("en", javascript=False)
    page.goto("/portal/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("record", re.IGNORECASE)).first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()
    # errors first: the summary links to the fields
    _submit_click(page, "Continue")
    summary = page.locator(".govuk-error-summary a")
    assert summary.count() == 5
    assert summary.first.get_attribute("href") == "#field-patientName"
    for field, value in ANSWERS.items():
        page.fill(f"#{field}", value)
    page.get_by_label("In the normal time").check()
    _submit_click(page, "Continue")
    assert page.locator("h1").inner_text() == "Check your answers before sending your application"
    assert "Gezondheidscentrum Noord" in page.locator(".govuk-summary-list").inner_text()
    _submit_click(page, "Accept and send")
    reference = page.locator("#reference-number").inner_text()
    assert re.fullmatch(r"RT-\d{4}-\d{6}", reference)
    with page.expect_navigation():
        page.get_by_role("link", name="See where your application is").click()
    assert "Request received" in page.locator("#timeline").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Give your consent").click()
    page.get_by_label("Yes").check()
    _submit_click(page, "Send")  # "yes" reveals which records may be sent: the page comes back with it
    page.get_by_label(re.compile("medication", re.IGNORECASE)).check()
    _submit_click(page, "Send")
    assert "Consent recorded" in page.locator("#timeline").inner_text()


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def test_apply_flow_by_keyboard_only(new_page: Any) -> None:
    page = new_page("nl")
    page.goto("/portal/record_transfer/apply/")
    for field, value in ANSWERS.items():
        _tab_to(page, f"#{field}")
        page.keyboard.type(value)
    _tab_to(page, "input[name=urgency]")
    page.keyboard.press("ArrowDown")  # radios: arrows move and select within the group
    assert page.evaluate("() => document.querySelector('input[name=urgency]:checked') !== null")
    _tab_to(page, "button[name=_continue]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Controleer uw antwoorden voordat u uw aanvraag verstuurt"
    _tab_to(page, "form button.govuk-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.fullmatch(r"RT-\d{4}-\d{6}", page.locator("#reference-number").inner_text())
    _tab_to(page, "a[href$='/']:not(.govuk-skip-link)[href*='/portal/applications/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Verzoek ontvangen" in page.locator("#timeline").inner_text()


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(120)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_building_permit_in_parts_with_an_upload(new_page: Any, axe_source: str, language: str) -> None:
    words = {
        "en": {"continue": "Continue", "accept": "Accept and send", "part": "Part 2 of 3", "content": "not the kind"},
        "nl": {"continue": "Doorgaan", "accept": "Akkoord en versturen", "part": "Deel 2 van 3", "content": "niet het"},
    }[language]  # fmt: skip
    page = new_page(language, bypass_csp=True)
    violations: list[str] = []
    page.goto("/portal/building_permit/apply/")
    violations += page_violations(page, axe_source)
    page.fill("#field-applicantName", "A. de Vries")
    page.fill("#field-applicantEmail", "a.devries@example.org")
    _submit_click(page, words["continue"])
    assert words["part"] in page.locator(".govuk-caption-l").inner_text()
    _submit_click(page, words["continue"])  # part 2 unanswered: its own errors only
    assert page.locator(".govuk-error-summary").is_visible()
    violations += page_violations(page, axe_source)
    page.fill("#field-address", "Kerkstraat 1, Utrecht")
    page.select_option("#field-buildingType", "extension")
    page.fill("#field-floorArea", "40")
    _submit_click(page, words["continue"])
    assert page.locator("input[type=file]#field-documents").count() == 1
    violations += page_violations(page, axe_source)
    # a program under a PDF name: the upload's error state
    page.set_input_files("#field-documents", {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PROGRAM})
    _submit_click(page, words["continue"])
    assert words["content"] in page.locator(".govuk-error-summary").inner_text()
    violations += page_violations(page, axe_source)
    page.set_input_files("#field-documents", {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit_click(page, words["continue"])
    assert "plan.pdf" in page.locator("main").inner_text()  # check your answers names the file
    violations += page_violations(page, axe_source)
    _submit_click(page, words["accept"])
    reference = page.locator("#reference-number").inner_text()
    page.goto(f"/portal/applications/{reference}/")
    link = page.locator("#uploads a")
    assert link.inner_text() == "plan.pdf"
    violations += page_violations(page, axe_source)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "plan.pdf"
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_signed_in_citizen_pages(
    new_page: Any, axe_source: str, mailbox: Any, language: str
) -> None:
    """Sign in by email link, "your applications", the satisfaction question and their error states."""
    words = {
        "en": {"send_link": "Send me a sign-in link", "sign_in": "Sign in", "continue": "Continue",
               "accept": "Accept and send", "feedback": "Send feedback", "received": "We received your application",
               "link_subject": "Your sign-in link", "thanks": "Thank you for your feedback"},
        "nl": {"send_link": "Stuur mij een inloglink", "sign_in": "Inloggen", "continue": "Doorgaan",
               "accept": "Akkoord en versturen", "feedback": "Reactie versturen",
               "received": "We hebben uw aanvraag", "link_subject": "Uw inloglink",
               "thanks": "Bedankt voor uw reactie"},
    }[language]  # fmt: skip
    address = f"citizen-{language}@example.org"
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    violations: list[str] = []

    def check() -> None:
        assert page.locator("html").get_attribute("lang") == language
        violations.extend(page_violations(page, axe_source))

    page.goto("/portal/sign-in/")
    check()
    page.fill("#email", "not an address")
    _submit_click(page, words["send_link"])
    assert page.locator(".govuk-error-summary").is_visible()
    check()
    page.fill("#email", address)
    _submit_click(page, words["send_link"])
    check()  # "check your email"
    sent = mailbox.text(mailbox.wait_for(address, words["link_subject"]))
    link = re.search(r"https?://\S+/portal/sign-in/\S+/", sent)
    assert link
    page.goto(link.group(0))
    check()  # the button that spends the link
    _submit_click(page, words["sign_in"])
    assert page.url.endswith("/portal/my/")
    check()  # no applications yet
    page.goto("/portal/record_transfer/apply/")
    for field, value in ANSWERS.items():
        page.fill(f"#{field}", value)
    page.check("#field-urgency")
    _submit_click(page, words["continue"])
    _submit_click(page, words["accept"])
    reference = page.locator("#reference-number").inner_text()
    _submit_click(page, words["feedback"])  # the satisfaction question without an answer
    assert page.locator(".govuk-error-summary").is_visible()
    check()
    page.locator("#score").check()
    _submit_click(page, words["feedback"])
    assert words["thanks"] in page.locator("#satisfaction").inner_text()
    check()  # the status page with the thanks
    page.goto("/portal/my/")
    assert reference in page.locator("#my-applications").inner_text()
    check()
    # the worker, not the web request, sends the confirmation
    mail = mailbox.wait_for(address, words["received"])
    assert reference in mailbox.text(mail)
    assert violations == [], "\n".join(violations)
