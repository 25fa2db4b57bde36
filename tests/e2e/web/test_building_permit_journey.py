"""The building permit end to end in Chromium (issue 8): a citizen applies through the portal, saves,
resumes from the link mailed to a real SMTP server, submits; Intake, Zoning, Fire Safety, Heritage
and Permits work their tasks in the workbench, each in their own browser; the fire-safety register
is answered by examples/fire_safety_worker.py over the REST API; the fee is paid through the API (as
the payment provider would); the citizen looks the application up, sees the permit issued and
answers the satisfaction question. Every page on the way is checked by axe-core in English and
Dutch, error states included. Also: save, resume and submit with JavaScript off and by keyboard.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERVICE = "building_permit"
# one account per department that works a building-permit task (candidate groups of the model)
STAFF = {"intake": "iris", "zoning": "zeno", "fire-safety": "fenna", "heritage": "hugo", "permits": "pieter"}
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


class Axe:
    """axe-core (WCAG 2.2 AA) on pages, once per kind of page and language; violations collected."""

    def __init__(self, source: str, base_url: str) -> None:
        self.source = source
        self.base_url = base_url
        self.checked: set[tuple[str, str]] = set()
        self.violations: list[str] = []

    def check(self, page: Any, kind: str) -> None:
        language = page.locator("html").get_attribute("lang")
        if (kind, language) in self.checked:
            return
        page.add_script_tag(content=self.source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_22_AA,
        )
        # a run that checked nothing would also report no violations
        assert len(result["passes"]) + len(result["incomplete"]) + len(result["inapplicable"]) > 20, page.url
        self.violations.extend(
            f"{kind} [{language}] {page.url}: {v['id']} ({v['impact']}): {v['help']} at "
            f"{[node['target'] for node in v['nodes']]}"
            for v in result["violations"]
        )
        self.checked.add((kind, language))

    def both_languages(self, page: Any, kind: str, reach: Callable[[str], None]) -> None:
        """Reach the page state in Dutch, then in English (the journey goes on in English), and check both."""
        for language in ("nl", "en"):
            if (kind, language) in self.checked:
                continue
            page.context.add_cookies([{"name": "django_language", "value": language, "url": self.base_url}])
            reach(language)
            assert page.locator("html").get_attribute("lang") == language, page.url
            self.check(page, kind)


def _click(page: Any, role: str, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=isinstance(name, str)).first.click()


def _wait_until(page: Any, path: str, ready: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Reload ``path`` until ``ready()``: the worker runs timers and service jobs in its own time."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(path)
        if ready():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s ({page.url})")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def staff(platform: Any) -> dict[str, str]:
    """A staff account in each department (created in the served instance's database)."""
    platform.django(
        "from django.contrib.auth.models import Group, User\n"
        f"for group, name in {STAFF!r}.items():\n"
        f"    user = User.objects.create_user(name, password={PASSWORD!r}, is_staff=True)\n"
        "    user.groups.add(Group.objects.get_or_create(name=group)[0])\n"
    )
    return STAFF


@pytest.fixture(scope="module")
def fire_safety_worker(platform: Any) -> Iterator[subprocess.Popen[bytes]]:
    """examples/fire_safety_worker.py against the served platform, with a token for its topic only."""
    token = platform.command("token", "create", "fire-safety register", "--scope", "work:fire-safety-register")
    env = {**platform.env, "CIVICFLOW_URL": platform.url, "CIVICFLOW_TOKEN": token.strip()}
    log = (platform.folder / "fire-safety-worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "fire_safety_worker.py")], env=env, stdout=log, stderr=log
    )
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def _answers(email: str) -> dict[str, str | bool]:
    # a heritage zone sends the application to Heritage as well, and to a caseworker's decision
    return {
        "Your name": "A. de Vries",
        "Email address": email,
        "Address of the building site": "Oudegracht 12, Utrecht",
        "Type of building work": "dwelling",
        "Floor area (m²)": "150",
        "The site is in a protected heritage zone": True,
    }


def _answer_shown(page: Any, answers: dict[str, Any]) -> int:
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


def _summary(page: Any) -> str:
    """The check-your-answers page's answers (one summary list, or one per part of the form)."""
    return "\n".join(page.locator(".govuk-summary-list").all_inner_texts())


def _to_check_answers(page: Any, answers: dict[str, Any], words: dict[str, str] = WORDS["en"]) -> None:
    """Through the form's pages (one or several) to "check your answers", answering what each shows."""
    for _ in range(6):
        if page.locator("h1").inner_text() == words["check"]:
            return
        _answer_shown(page, answers)
        _click(page, "button", words["continue"])
        summary = page.locator(".govuk-error-summary")
        assert summary.count() == 0, f"{page.url}: {summary.inner_text()}"
    pytest.fail(f"never reached check your answers ({page.url})")


def _apply_and_save(page: Any, axe: Axe, email: str) -> None:
    """The citizen's first visit: catalogue, start page, errors, answers, save for later."""
    for kind, path in (("portal catalogue", "/portal/"), ("portal start page", f"/portal/{SERVICE}/")):
        axe.both_languages(page, kind, lambda _language, path=path: page.goto(path))
    _click(page, "button", "Start now")
    assert "Building permit" in page.title()
    first_page = page.url

    def invalid(language: str) -> None:
        page.goto(first_page)
        page.fill("#field-applicantName", "")
        page.fill("#field-applicantEmail", "not an address")
        _click(page, "button", WORDS[language]["continue"])

    axe.both_languages(page, "portal apply, errors", invalid)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    links = {link.get_attribute("href") for link in summary.locator("a").all()}
    assert {"#field-applicantName", "#field-applicantEmail"} <= links
    # answered page by page up to the building work, then saved there
    answers = _answers(email)
    for _ in range(4):
        if page.get_by_label("Address of the building site").count():
            break
        _answer_shown(page, answers)
        _click(page, "button", "Continue")
    assert _answer_shown(page, answers) >= 4, page.url
    _click(page, "button", "Save and come back later")

    def bad_email(language: str) -> None:
        page.goto(f"/portal/{SERVICE}/save/")
        page.fill("#email", "not an address")
        _click(page, "button", WORDS[language]["send_link"])

    axe.both_languages(page, "portal save", lambda _language: page.goto(f"/portal/{SERVICE}/save/"))
    axe.both_languages(page, "portal save, errors", bad_email)
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Email address").fill(email)
    _click(page, "button", "Send me the link")
    saved = page.url
    axe.both_languages(page, "portal saved", lambda _language: page.goto(saved))


def _resume_and_submit(page: Any, axe: Axe, link: str) -> tuple[str, str]:
    """The magic link in a fresh browser: answers restored, checked, sent; reference and secret."""
    with page.expect_navigation():
        page.goto(link)
    resumed = page.url
    axe.both_languages(page, "portal apply", lambda _language: page.goto(resumed))
    # nothing is answered again (a lost answer stops the walk with an error summary); the drawings are added
    _to_check_answers(page, {"Drawings and documents": DRAWINGS})
    answers = _summary(page)
    for expected in ("A. de Vries", "Oudegracht 12, Utrecht", "New dwelling", "150", "drawings.pdf"):
        assert expected in answers
    axe.both_languages(page, "portal check answers", lambda _language: page.goto(f"/portal/{SERVICE}/check/"))
    _click(page, "button", "Accept and send")
    reference = page.locator("#reference-number").inner_text()
    secret = page.locator("#secret-code").inner_text()
    assert REFERENCE.fullmatch(reference)
    confirmation = page.url
    axe.both_languages(page, "portal confirmation", lambda _language: page.goto(confirmation))
    _click(page, "link", "See where your application is")
    assert "Application received" in page.locator("#timeline").inner_text()
    assert "drawings.pdf" in page.locator("#uploads").inner_text()
    status = page.url
    axe.both_languages(page, "portal status", lambda _language: page.goto(status))
    return reference, secret


def _work_task(
    new_page: Any,
    sign_in: Callable[[Any, str], None],
    axe: Axe,
    *,
    username: str,
    task: str,
    form: str,
    reference: str,
    answer: Callable[[Any], None],
) -> Any:
    """A caseworker finds the case's task in the filtered inbox, claims it, tries it empty, then completes it."""
    page = new_page("en", bypass_csp=True)
    sign_in(page, username)
    inbox = f"/workbench/?service={SERVICE}&status=unclaimed"
    claim = page.get_by_role("button", name=f"Claim {task}, {reference}", exact=True)
    _wait_until(page, inbox, lambda: claim.count() == 1, f"{task} of {reference} in {username}'s inbox")
    # the same filter through the form, as a caseworker sets it
    page.goto("/workbench/")
    page.get_by_label("Service", exact=True).select_option(SERVICE)
    page.get_by_label("Status", exact=True).select_option("unclaimed")
    _click(page, "button", "Apply filters")
    assert claim.count() == 1
    filtered = page.url
    axe.both_languages(page, "workbench inbox", lambda _language: page.goto(filtered))
    with page.expect_navigation():
        claim.click()
    assert "You claimed the task" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("h1").inner_text() == task
    task_page = page.url

    def empty(language: str) -> None:
        page.goto(task_page)
        _click(page, "button", WORDS[language]["complete"])

    axe.both_languages(page, f"workbench task {form}", lambda _language: page.goto(task_page))
    axe.both_languages(page, f"workbench task {form}, errors", empty)
    empty("en")  # every department meets the error state, also where axe has seen the form before
    assert page.locator(".govuk-error-summary").count() == 1
    answer(page)
    _click(page, "button", "Complete task")
    assert "completed" in page.locator(".govuk-notification-banner").inner_text()
    with page.expect_navigation():
        page.goto(task_page)
    assert "This task is no longer open." in page.locator("main").inner_text()
    _click(page, "link", f"Case {reference}")
    case_page = page.url
    assert username in page.locator("main").inner_text()  # the timeline names who completed the task
    axe.both_languages(page, "workbench case", lambda _language: page.goto(case_page))
    return page


def _review(approved: str, notes: str) -> Callable[[Any], None]:
    def answer(page: Any) -> None:
        page.get_by_label(approved, exact=True).check()
        page.get_by_label("Reasons").fill(notes)

    return answer


def _complete(page: Any) -> None:
    page.get_by_label("Yes", exact=True).check()


def _grant(page: Any) -> None:
    page.get_by_label("Grant", exact=True).check()
    page.get_by_label("Reasons for the decision").fill("All advice positive; heritage conditions apply.")


def _pay(platform: Any, reference: str) -> None:
    """The payment provider's callback: the message ``PaymentReceived`` for the case, over the REST API."""
    from civicflow.client import CivicFlowClient

    token = platform.command("token", "create", "payment provider", "--scope", "start").strip()
    client = CivicFlowClient(platform.url, token)
    try:
        client.correlate("PaymentReceived", reference, {"paymentReference": f"PAY-{reference}"})
    finally:
        client.close()


def _follow_up(page: Any, axe: Axe, reference: str, secret: str) -> None:
    """The citizen comes back later: looks the application up, sees the permit, answers the survey."""
    page.goto("/portal/status/")
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Secret code").fill(secret)
    _click(page, "button", "Show my application")
    status = page.url
    timeline = page.locator("#timeline")
    request = page.get_by_role("link", name="Tell us how we did")
    _wait_until(page, status, lambda: request.count() == 1, "the satisfaction question")
    reached = timeline.inner_text()
    for milestone in ("Application received", "Application complete", "Advice received", "Decision taken"):
        assert milestone in reached
    for milestone in ("Fee paid", "Permit issued"):
        assert milestone in reached
    assert "Permit refused" not in reached
    # the issued permit is a document the citizen downloads
    permit = page.get_by_role("link", name=f"{reference}-permit.html")
    download = page.request.get(permit.get_attribute("href"))
    assert download.status == 200
    assert "attachment" in download.headers["content-disposition"]
    assert reference in download.text()
    axe.both_languages(page, "portal status, permit issued", lambda _language: page.goto(status))
    request.click()
    page.wait_for_load_state()
    answer = page.url

    def empty(language: str) -> None:
        page.goto(answer)
        _click(page, "button", WORDS[language]["send"])

    axe.both_languages(page, "portal request", lambda _language: page.goto(answer))
    axe.both_languages(page, "portal request, errors", empty)
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Anything we could do better?").fill("Quick and clear.")
    _click(page, "button", "Send")
    finished = page.locator("#current-stage")
    _wait_until(page, status, lambda: "has been dealt with" in finished.inner_text(), "the end of the case")
    assert request.count() == 0
    axe.both_languages(page, "portal status, finished", lambda _language: page.goto(status))


def test_building_permit_from_application_to_issued_permit(
    new_page: Any,
    sign_in: Callable[[Any, str], None],
    axe_source: str,
    platform: Any,
    staff: dict[str, str],
    fire_safety_worker: subprocess.Popen[bytes],
) -> None:
    axe = Axe(axe_source, platform.url)
    email = f"applicant-{os.getpid()}@example.org"
    # 1. the citizen applies, saves, and resumes from the mailed link in a fresh browser
    _apply_and_save(new_page("en", bypass_csp=True), axe, email)
    citizen = new_page("en", bypass_csp=True)
    reference, secret = _resume_and_submit(citizen, axe, _resume_link(platform, email, "Your saved application"))
    # 2. each department works its task in its own browser
    work = {"new_page": new_page, "sign_in": sign_in, "axe": axe, "reference": reference}
    intake = _work_task(
        username=staff["intake"], task="Check completeness", form="completeness", answer=_complete, **work
    )
    # the drawings the citizen uploaded are on the case, as sent
    drawings = intake.get_by_role("link", name="drawings.pdf")
    assert intake.request.get(drawings.get_attribute("href")).body() == DRAWINGS["buffer"]
    for department, task, notes in (
        ("zoning", "Zoning review", "Fits the plan."),
        ("heritage", "Heritage review", "Facade kept."),
        ("fire-safety", "Fire safety review", "Exits ok."),
    ):
        _work_task(username=staff[department], task=task, form="review", answer=_review("Positive", notes), **work)
    # the register (external worker) answers before the decision task opens
    _work_task(username=staff["permits"], task="Decide on permit", form="decision", answer=_grant, **work)
    invoice = platform.mailbox.wait_for(email, f"Invoice for {reference}")
    assert "EUR 1350" in platform.mailbox.text(invoice)  # the fee table: new dwelling, 150 m², heritage zone
    _pay(platform, reference)
    permit = platform.mailbox.wait_for(email, f"Your permit {reference}")
    assert "Your building permit has been issued." in platform.mailbox.text(permit)
    assert fire_safety_worker.poll() is None, "the fire-safety worker stopped"
    # 3. later, in another browser, the citizen looks the application up
    _follow_up(new_page("en", bypass_csp=True), axe, reference, secret)
    assert len(axe.checked) >= 36
    assert axe.violations == [], "\n".join(axe.violations)
    # the register's answer is on the case: the worker really ran
    variables = json.loads(
        platform.django(
            "import json\nfrom civicflow.portal.models import Application\nfrom civicflow.runtime import services\n"
            f"app = Application.objects.get(reference={reference!r})\n"
            "print(json.dumps(services.variables(app.instance_id), default=str))\n"
        ).strip()
    )
    assert variables["fireRegisterReference"] == f"FSR-{reference}"
    assert variables["permitDecision"]["approved"] is True
    assert variables["satisfaction"] == 4


def _resume_link(platform: Any, email: str, subject: str = "") -> str:
    """The magic link of the first mail to ``email`` (about ``subject``)."""
    found = RESUME_LINK.search(platform.mailbox.text(platform.mailbox.wait_for(email, subject)))
    assert found is not None, f"no resume link in the mail to {email}"
    return found.group(0)


def test_save_resume_and_submit_without_javascript(new_page: Any, platform: Any) -> None:
    email = f"no-script-{os.getpid()}@example.org"
    page = new_page("en", javascript=False)
    page.goto(f"/portal/{SERVICE}/")
    _click(page, "button", "Start now")
    answers = _answers(email)
    _answer_shown(page, answers)
    _click(page, "button", "Save and come back later")
    page.get_by_label("Email address").fill(email)
    _click(page, "button", "Send me the link")
    assert "saved" in page.locator("h1").inner_text().lower()
    resumed = new_page("en", javascript=False)
    with resumed.expect_navigation():
        resumed.goto(_resume_link(platform, email))
    # the first page's answers are not given again: they must come back from the draft
    _to_check_answers(resumed, {k: v for k, v in answers.items() if k not in ("Your name", "Email address")})
    assert "A. de Vries" in _summary(resumed)
    _click(resumed, "button", "Accept and send")
    reference = resumed.locator("#reference-number").inner_text()
    assert REFERENCE.fullmatch(reference)
    _click(resumed, "link", "See where your application is")
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
        resumed.goto(_resume_link(platform, email))
    # nothing is typed again: a lost answer stops the walk with an error summary
    for _ in range(6):
        if resumed.locator("h1").inner_text() == words["check"]:
            break
        _keyboard_until(resumed, {}, "button[name=_continue]")
        summary = resumed.locator(".govuk-error-summary")
        assert summary.count() == 0, summary.inner_text()
    answered = _summary(resumed)
    for expected in ("Oudegracht 12, Utrecht", "Nieuwe woning", "150"):
        assert expected in answered
    _keyboard_until(resumed, {}, "main form button.govuk-button")
    assert REFERENCE.fullmatch(resumed.locator("#reference-number").inner_text())
    _keyboard_until(resumed, {}, "main a[href*='/portal/applications/']")
    assert "Aanvraag ontvangen" in resumed.locator("#timeline").inner_text()
