"""Keyboard, no-JavaScript and CSP behaviour of the web pages in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(new_page: Any) -> None:
    page = new_page("en")
    page.goto("/privacy")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent.trim()]")
    assert focused == ["govuk-skip-link", "Skip to main content"]
    assert page.locator(".govuk-skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"


def test_skip_link_works_without_javascript_and_in_dutch(new_page: Any) -> None:
    page = new_page("nl", javascript=False)
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Ga direct naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Services of CivicFlow"),
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/no-such-page", "Page not found"),
    ],
)
def test_pages_render_without_javascript(new_page: Any, path: str, heading: str) -> None:
    page = new_page("en", javascript=False)
    page.goto(path)
    assert page.locator("h1").inner_text() == heading
    assert page.locator("link[rel=stylesheet]").count() == 2
    # the stylesheet applied: the header takes the agency's brand colour from theme.css
    header = page.locator(".govuk-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header == "rgb(29, 112, 184)"


def test_language_switch_without_javascript_keeps_the_place(new_page: Any) -> None:
    page = new_page("en", javascript=False)
    page.goto("/accessibility?ref=footer")
    with page.expect_navigation():  # same URL before and after: wait for the navigation itself
        page.get_by_role("button", name="Nederlands").click()
    page.wait_for_url("**/accessibility?ref=footer")
    assert page.locator("h1").inner_text() == "Toegankelijkheidsverklaring"
    assert page.locator("html").get_attribute("lang") == "nl"
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    page.wait_for_url("**/accessibility?ref=footer")
    assert page.locator("h1").inner_text() == "Accessibility statement"


def test_language_switch_with_the_keyboard(new_page: Any) -> None:
    page = new_page("en")
    page.goto("/privacy")
    switch = page.get_by_role("button", name="Nederlands")
    switch.focus()
    # The URL is /privacy before and after the switch, so wait for the navigation itself (the
    # POST to set_language and its redirect), not for the URL.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/privacy")
    assert page.locator("h1").inner_text() == "Privacyverklaring"


def test_csp_allows_everything_the_pages_load(new_page: Any, base_url: str) -> None:
    """With the CSP enforced, the scripts run, nothing is refused and nothing is missing."""
    page = new_page("en")
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(response.url) if response.status >= 400 else None)
    for path in ("/", "/accessibility", "/privacy"):
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")
        # init.mjs ran GOV.UK Frontend's initAll: the skip link component marks itself initialised
        page.wait_for_selector(".govuk-skip-link[data-govuk-skip-link-init]", state="attached")
    assert problems == []
