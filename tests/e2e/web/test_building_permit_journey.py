"""The building permit end to end in Chromium (issue 8): a citizen applies through the portal, saves,
resumes from the link mailed to a real SMTP server, submits; Intake, Zoning, Fire Safety, Heritage
and Permits work their tasks in the workbench, each in their own browser; the fire-safety register
is answered by examples/fire_safety_worker.py over the REST API; the fee is paid through the API (as
the payment provider would); the citizen looks the application up, sees the permit issued and
answers the satisfaction question. Every page on the way is checked by axe-core in English and
Dutch, error states included. (The same apply flow without JavaScript and by keyboard:
test_building_permit_apply_modes.py.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.portal_browser import (
    DRAWINGS,
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
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# one account per department that works a building-permit task (candidate groups of the model)
STAFF = {"intake": "iris", "zoning": "zeno", "fire-safety": "fenna", "heritage": "hugo", "permits": "pieter"}


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


def _apply_and_save(page: Any, axe: Axe, email: str) -> None:
    """The citizen's first visit: catalogue, start page, errors, answers, save for later."""
    for kind, path in (("portal catalogue", "/portal/"), ("portal start page", f"/portal/{SERVICE}/")):
        axe.both_languages(page, kind, lambda _language, path=path: page.goto(path))
    click(page, "button", "Start now")
    assert "Building permit" in page.title()
    first_page = page.url

    def invalid(language: str) -> None:
        page.goto(first_page)
        page.fill("#field-applicantName", "")
        page.fill("#field-applicantEmail", "not an address")
        click(page, "button", WORDS[language]["continue"])

    axe.both_languages(page, "portal apply, errors", invalid)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    links = {link.get_attribute("href") for link in summary.locator("a").all()}
    assert {"#field-applicantName", "#field-applicantEmail"} <= links
    # answered page by page up to the building work, then saved there
    answers = application_answers(email)
    for _ in range(4):
        if page.get_by_label("Address of the building site").count():
            break
        answer_shown(page, answers)
        click(page, "button", "Continue")
    assert answer_shown(page, answers) >= 4, page.url
    click(page, "button", "Save and come back later")

    def bad_email(language: str) -> None:
        page.goto(f"/portal/{SERVICE}/save/")
        page.fill("#email", "not an address")
        click(page, "button", WORDS[language]["send_link"])

    axe.both_languages(page, "portal save", lambda _language: page.goto(f"/portal/{SERVICE}/save/"))
    axe.both_languages(page, "portal save, errors", bad_email)
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Email address").fill(email)
    click(page, "button", "Send me the link")
    saved = page.url
    axe.both_languages(page, "portal saved", lambda _language: page.goto(saved))


def _resume_and_submit(page: Any, axe: Axe, link: str) -> tuple[str, str]:
    """The magic link in a fresh browser: answers restored, checked, sent; reference and secret."""
    with page.expect_navigation():
        page.goto(link)
    resumed = page.url
    axe.both_languages(page, "portal apply", lambda _language: page.goto(resumed))
    # nothing is answered again (a lost answer stops the walk with an error summary); the drawings are added
    to_check_answers(page, {"Drawings and documents": DRAWINGS})
    answers = summary(page)
    for expected in ("A. de Vries", "Oudegracht 12, Utrecht", "New dwelling", "150", "drawings.pdf"):
        assert expected in answers
    axe.both_languages(page, "portal check answers", lambda _language: page.goto(f"/portal/{SERVICE}/check/"))
    click(page, "button", "Accept and send")
    reference = page.locator("#reference-number").inner_text()
    secret = page.locator("#secret-code").inner_text()
    assert REFERENCE.fullmatch(reference)
    confirmation = page.url
    axe.both_languages(page, "portal confirmation", lambda _language: page.goto(confirmation))
    click(page, "link", "See where your application is")
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
    click(page, "button", "Apply filters")
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
        click(page, "button", WORDS[language]["complete"])

    axe.both_languages(page, f"workbench task {form}", lambda _language: page.goto(task_page))
    axe.both_languages(page, f"workbench task {form}, errors", empty)
    empty("en")  # every department meets the error state, also where axe has seen the form before
    assert page.locator(".govuk-error-summary").count() == 1
    answer(page)
    click(page, "button", "Complete task")
    assert "completed" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(task_page)
    assert "This task is no longer open." in page.locator("main").inner_text()
    click(page, "link", f"Case {reference}")
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
    """The citizen comes back later: looks the application up, sees the permit, says how satisfied they are."""
    page.goto("/portal/status/")
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Secret code").fill(secret)
    click(page, "button", "Show my application")
    status = page.url
    timeline = page.locator("#timeline")
    finished = page.locator("#current-stage")
    # the permit issued and the applicant notified end the case: no survey keeps it open
    _wait_until(page, status, lambda: "has been dealt with" in finished.inner_text(), "the end of the case")
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
    axe.both_languages(page, "portal status, finished", lambda _language: page.goto(status))
    # the portal's satisfaction question, asked on every finished case's page

    def empty(language: str) -> None:
        page.goto(status)
        click(page, "button", {"en": "Send feedback", "nl": "Reactie versturen"}[language])

    axe.both_languages(page, "portal satisfaction, errors", empty)
    assert page.locator(".govuk-error-summary").is_visible()
    page.goto(status)
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_label("How could we improve this service? (optional)").fill("Quick and clear.")
    click(page, "button", "Send feedback")
    assert page.get_by_role("heading", name="Thank you for your feedback").is_visible()


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
    reference, secret = _resume_and_submit(citizen, axe, resume_link(platform, email, "Your saved application"))
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
    # the answer to the portal's question, not a process variable: no process waited for it
    answer = platform.django(
        "from civicflow.portal.models import SatisfactionResponse\n"
        f"r = SatisfactionResponse.objects.get(reference={reference!r})\n"
        "print(r.service, r.score, r.comment)\n"
    ).strip()
    assert answer == "building_permit 4 Quick and clear."
    assert "satisfaction" not in variables
