"""Steps of the portal's apply flow in a browser, shared by the building-permit browser tests."""

from __future__ import annotations

import re
from typing import Any

import pytest

__all__ = [
    "DRAWINGS",
    "REFERENCE",
    "RESUME_LINK",
    "SERVICE",
    "WORDS",
    "answer_shown",
    "application_answers",
    "click",
    "resume_link",
    "summary",
    "to_check_answers",
]

SERVICE = "building_permit"
WORDS = {
    "en": {
        "continue": "Continue",
        "send_link": "Send me the link",
        "check": "Check your answers before sending your application",
        "send": "Send",
        "complete": "Complete task",
    },
    "nl": {
        "continue": "Doorgaan",
        "send_link": "Stuur mij de link",
        "check": "Controleer uw antwoorden voordat u uw aanvraag verstuurt",
        "send": "Versturen",
        "complete": "Taak afronden",
    },
}
# a real (empty) PDF: the portal sniffs the content, not only the name
DRAWINGS = {
    "name": "drawings.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n",
}
RESUME_LINK = re.compile(r"https?://\S+/portal/resume/\S+/")
REFERENCE = re.compile(r"BP-\d{4}-\d{6}")


def click(page: Any, role: str, name: str | re.Pattern[str]) -> None:
    """Click the control of this role and name and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=isinstance(name, str)).first.click()


def application_answers(email: str) -> dict[str, str | bool]:
    """The building-permit answers by label: a heritage zone adds the Heritage review and a caseworker's decision."""
    return {
        "Your name": "A. de Vries",
        "Email address": email,
        "Address of the building site": "Oudegracht 12, Utrecht",
        "Type of building work": "dwelling",
        "Floor area (m²)": "150",
        "The site is in a protected heritage zone": True,
    }


def answer_shown(page: Any, answers: dict[str, Any]) -> int:
    """Answer the questions of ``answers`` that the current page shows; how many it showed."""
    shown = 0
    for label, value in answers.items():
        field = page.get_by_label(label, exact=True)
        if field.count() == 0:
            continue
        shown += 1
        if value is True:
            field.check()
        elif isinstance(value, dict):
            field.set_input_files(files=[value])
        elif field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    return shown


def summary(page: Any) -> str:
    """The check-your-answers page's answers (one summary list, or one per part of the form)."""
    return "\n".join(page.locator(".govuk-summary-list").all_inner_texts())


def to_check_answers(page: Any, answers: dict[str, Any], words: dict[str, str] = WORDS["en"]) -> None:
    """Through the form's pages (one or several) to "check your answers", answering what each shows."""
    for _ in range(6):
        if page.locator("h1").inner_text() == words["check"]:
            return
        answer_shown(page, answers)
        click(page, "button", words["continue"])
        summary = page.locator(".govuk-error-summary")
        assert summary.count() == 0, f"{page.url}: {summary.inner_text()}"
    pytest.fail(f"never reached check your answers ({page.url})")


def resume_link(platform: Any, email: str, subject: str = "") -> str:
    """The magic link of the first mail to ``email`` (about ``subject``)."""
    found = RESUME_LINK.search(platform.mailbox.text(platform.mailbox.wait_for(email, subject)))
    assert found is not None, f"no resume link in the mail to {email}"
    return found.group(0)
