"""The building permit's apply flow with JavaScript disabled and by keyboard only: save for later,
resume from the link in the mail the platform sent (a real SMTP server on loopback), submit.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from support.portal_browser import (
    REFERENCE,
    SERVICE,
    WORDS,
    answer_shown,
    application_answers,
    click,
    resume_link,
    summary,
    to_check_answers,
)

pytestmark = pytest.mark.e2e


def test_save_resume_and_submit_without_javascript(new_page: Any, platform: Any) -> None:
    email = f"no-script-{os.getpid()}@example.org"
    page = new_page("en", javascript=False)
    page.goto(f"/portal/{SERVICE}/")
    click(page, "button", "Start now")
    answers = application_answers(email)
    answer_shown(page, answers)
    click(page, "button", "Save and come back later")
    page.get_by_label("Email address").fill(email)
    click(page, "button", "Send me the link")
    assert "saved" in page.locator("h1").inner_text().lower()
    resumed = new_page("en", javascript=False)
    with resumed.expect_navigation():
        resumed.goto(resume_link(platform, email))
    # the first page's answers are not given again: they must come back from the draft
    to_check_answers(resumed, {k: v for k, v in answers.items() if k not in ("Your name", "Email address")})
    assert "A. de Vries" in summary(resumed)
    click(resumed, "button", "Accept and send")
    reference = resumed.locator("#reference-number").inner_text()
    assert REFERENCE.fullmatch(reference)
    click(resumed, "link", "See where your application is")
    assert "Application received" in resumed.locator("#timeline").inner_text()


def _keyboard_until(page: Any, answers: dict[str, str], button: str, limit: int = 80) -> None:
    """Tab through the page answering the fields of ``answers`` (by id) until ``button`` has focus; press Enter."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.id, document.activeElement.type || '']")
        if page.evaluate("s => document.activeElement.matches(s)", button):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        value = answers.get(focused[0])
        if value is None:
            continue
        if focused[1] == "checkbox":
            page.keyboard.press("Space")
        elif focused[1] == "select-one":
            page.keyboard.type(value)  # type-ahead picks the option whose label starts so
        else:
            page.keyboard.type(value)
    pytest.fail(f"Tab never reached {button} on {page.url}")


def test_save_resume_and_submit_by_keyboard_only(new_page: Any, platform: Any) -> None:
    email = f"keyboard-{os.getpid()}@example.org"
    words = WORDS["nl"]
    answers = {
        "field-applicantName": "A. de Vries",
        "field-applicantEmail": email,
        "field-address": "Oudegracht 12, Utrecht",
        "field-buildingType": "Nieuwe woning",
        "field-floorArea": "150",
        "field-heritageZone": "yes",
    }
    page = new_page("nl")
    page.goto(f"/portal/{SERVICE}/")
    _keyboard_until(page, {}, "a.govuk-button--start")
    # page by page up to the building work, which is saved from its own page
    for _ in range(4):
        if page.locator("#field-address").count():
            break
        _keyboard_until(page, answers, "button[name=_continue]")
    _keyboard_until(page, answers, "button[name=_save]")
    _keyboard_until(page, {"email": email}, "main form button.govuk-button")
    resumed = new_page("nl")
    with resumed.expect_navigation():
        resumed.goto(resume_link(platform, email))
    # nothing is typed again: a lost answer stops the walk with an error summary
    for _ in range(6):
        if resumed.locator("h1").inner_text() == words["check"]:
            break
        _keyboard_until(resumed, {}, "button[name=_continue]")
        problems = resumed.locator(".govuk-error-summary")
        assert problems.count() == 0, problems.inner_text()
    answered = summary(resumed)
    for expected in ("Oudegracht 12, Utrecht", "Nieuwe woning", "150"):
        assert expected in answered
    _keyboard_until(resumed, {}, "main form button.govuk-button")
    assert REFERENCE.fullmatch(resumed.locator("#reference-number").inner_text())
    _keyboard_until(resumed, {}, "main a[href*='/portal/applications/']")
    assert "Aanvraag ontvangen" in resumed.locator("#timeline").inner_text()
