"""The portal's help assistant in Chromium: axe-core on the help pages with an answer and with a
decline, in both languages, and the question asked through the plain form without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from support.axe import assert_no_violations

pytestmark = pytest.mark.e2e

QUESTIONS = {
    "en": ("how much does a building permit cost?", "who won the football match last night?"),
    "nl": ("wat kost een omgevingsvergunning?", "wie heeft de voetbalwedstrijd gewonnen?"),
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_help_pages(new_page: Any, axe_source: str, language: str) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    answered, declined = QUESTIONS[language]
    page.goto("/portal/help/")
    assert page.locator("html").get_attribute("lang") == language
    assert_no_violations(page, axe_source)
    page.goto(f"/portal/help/?q={answered}")
    assert page.locator("blockquote").count() >= 1
    assert_no_violations(page, axe_source)
    page.goto(f"/portal/building_permit/help/?q={declined}")
    assert page.locator("blockquote").count() == 0
    assert page.locator("#answer a[href^='mailto:']").count() == 1
    assert_no_violations(page, axe_source)


def test_ask_without_javascript_and_follow_the_quoted_link(new_page: Any) -> None:
    page = new_page("en", javascript=False)
    page.goto("/portal/building_permit/")
    with page.expect_navigation():
        page.get_by_role("link", name="Questions? Ask our help assistant").click()
    page.fill("#q", "what can I do if my permit is refused?")
    with page.expect_navigation():
        page.get_by_role("button", name="Ask").click()
    assert "q=what+can+I+do" in page.url
    first = page.locator("#answer .govuk-inset-text").first
    assert "object" in first.locator("blockquote").inner_text()
    with page.expect_navigation():
        first.locator("a").click()
    assert page.url.endswith("/portal/building_permit/help/#faq-appeal")
    assert page.locator("#faq-appeal").is_visible()
