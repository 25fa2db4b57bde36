"""Once-only in Chromium: a citizen who applied for a building permit finds the tax refund claim prefilled.

The platform is served with a fake population register on loopback (tests/support/registry) as its
prefill registry. The citizen signs in by email link, applies for a building permit, then opens
the tax refund claim: their name comes from the permit application, their email address from
their account, their home address (read-only) from the register, each saying where it came from.
They submit without retyping those fields, and the agency records what was prefilled. axe-core
finds nothing on the prefilled form, in English and in Dutch.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.portal_browser import WORDS, click
from support.registry import FakeRegister, running_register
from support.served import Platform, serve

REGISTERED = {"en": "Dorpsstraat 1, 1234 AB Ons Dorp", "nl": "Kerkplein 3, 3511 AA Utrecht"}
NAME = {"en": "Jan de Boer", "nl": "Marieke Jansen"}
TEXT = {
    "en": {
        "send_link": "Send me a sign-in link",
        "link_subject": "Your sign-in link",
        "sign_in": "Sign in",
        "accept": "Accept and send",
        "from_permit": "Prefilled from: your application {reference}. Check it and correct it if it is wrong.",
        "from_account": "Prefilled from: your details in your account. Check it and correct it if it is wrong.",
        "from_register": "Prefilled from: the population register. You cannot change it here.",
    },
    "nl": {
        "send_link": "Stuur mij een inloglink",
        "link_subject": "Uw inloglink",
        "sign_in": "Inloggen",
        "accept": "Akkoord en versturen",
        "from_permit": "Vooraf ingevuld uit: uw aanvraag {reference}. "
        "Controleer het en verbeter het als het niet klopt.",
        "from_account": "Vooraf ingevuld uit: uw gegevens in uw account. "
        "Controleer het en verbeter het als het niet klopt.",
        "from_register": "Vooraf ingevuld uit: de basisregistratie personen. U kunt dit hier niet wijzigen.",
    },
}


def _email(language: str) -> str:
    return f"once-only-{language}@example.org"


@pytest.fixture(scope="module")
def register() -> Iterator[FakeRegister]:
    people = {_email(lang): {"name": NAME[lang], "address": REGISTERED[lang]} for lang in ("en", "nl")}
    with running_register(people) as running:
        yield running


@pytest.fixture(scope="module")
def prefill_platform(
    tmp_path_factory: pytest.TempPathFactory, mailbox: Any, register: FakeRegister
) -> Iterator[Platform]:
    """The platform, prefilling from the fake register (the session's platform has no registry)."""
    folder = tmp_path_factory.mktemp("prefill-platform")
    _migrate(folder)
    env = {"CIVICFLOW_PREFILL_REGISTRY_URL": register.template, "CIVICFLOW_PREFILL_REGISTRY_TIMEOUT": "20"}
    with serve(folder, mailbox, extra_env=env) as served:
        yield served


def _migrate(folder: Path) -> None:
    """Migrate the platform's database first: on a loaded machine serve's two minutes to come up
    are otherwise mostly spent migrating (serve then finds nothing to do)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env["CIVICFLOW_INSTANCE_DIR"] = str(folder / "instance")
    civicflow = Path(sys.executable).with_name("civicflow")
    done = subprocess.run(
        [str(civicflow), "manage", "migrate", "--no-input"],
        check=False,
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def page_for(browser: Any, prefill_platform: Platform) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(language: str) -> Any:
        # axe is injected inline, which the CSP forbids
        context = browser.new_context(base_url=prefill_platform.url, bypass_csp=True)
        context.add_cookies([{"name": "django_language", "value": language, "url": prefill_platform.url}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _button(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.locator(f"main button:has-text('{name}')").first.click()


def _sign_in(page: Any, platform: Platform, language: str) -> None:
    text = TEXT[language]
    page.goto("/portal/sign-in/")
    page.fill("#email", _email(language))
    _button(page, text["send_link"])
    mail = platform.mailbox.wait_for(_email(language), text["link_subject"])
    link = re.search(r"https?://\S+/portal/sign-in/\S+/", platform.mailbox.text(mail))
    assert link
    page.goto(link.group(0))
    _button(page, text["sign_in"])
    assert page.url.endswith("/portal/my/")


def _answer_until_check(page: Any, answers: dict[str, str], language: str) -> None:
    """Answer the fields each page shows (by element id) and continue until "check your answers"."""
    for _ in range(6):
        if page.locator("h1").inner_text() == WORDS[language]["check"]:
            return
        for field_id, value in answers.items():
            field = page.locator(f"#{field_id}")
            if field.count() == 0:
                continue
            kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
            if kind == "select":
                field.select_option(value)
            elif kind in {"radio", "checkbox"}:
                field.check()
            else:
                field.fill(value)
        click(page, "button", WORDS[language]["continue"])
        errors = page.locator(".govuk-error-summary")
        assert errors.count() == 0, f"{page.url}: {errors.inner_text()}"
    pytest.fail(f"never reached check your answers ({page.url})")


def _send(page: Any, language: str) -> str:
    _button(page, TEXT[language]["accept"])
    return str(page.locator("#reference-number").inner_text()).strip()


def _note(page: Any, field_id: str) -> str:
    """The text of the element the field's aria-describedby names for its prefill note."""
    described = (page.locator(f"#{field_id}").get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-prefill" in described, described
    return str(page.locator(f"#{field_id}-prefill").inner_text()).strip()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_second_service_s_form_is_prefilled_and_sent_without_retyping(
    page_for: Any, prefill_platform: Platform, register: FakeRegister, axe_source: str, language: str
) -> None:
    text = TEXT[language]
    page = page_for(language)
    _sign_in(page, prefill_platform, language)
    # the first service: everything typed (the email address is already there: the account's)
    page.goto("/portal/building_permit/apply/")
    assert page.locator("#field-applicantEmail").input_value() == _email(language)
    permit_answers = {
        "field-applicantName": NAME[language],
        "field-address": "Oudegracht 12, Utrecht",
        "field-buildingType": "extension",
        "field-floorArea": "40",
    }
    _answer_until_check(page, permit_answers, language)
    permit = _send(page, language)
    assert re.fullmatch(r"BP-\d{4}-\d{6}", permit)

    # the second service: what the agency knows is there, with where it came from
    page.goto("/portal/tax_refund/apply/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#field-claimantName").input_value() == NAME[language]
    assert page.locator("#field-claimantEmail").input_value() == _email(language)
    assert page.locator("#field-homeAddress").input_value() == REGISTERED[language]
    assert page.locator("#field-homeAddress").get_attribute("readonly") is not None
    assert _note(page, "field-claimantName") == text["from_permit"].format(reference=permit)
    assert _note(page, "field-claimantEmail") == text["from_account"]
    assert _note(page, "field-homeAddress") == text["from_register"]
    assert page.locator("#prefill-notice").is_visible()
    assert_no_violations(page, axe_source)

    # only what the agency could not know is typed
    claim_answers = {
        "field-residentStatus": "resident",
        "field-taxYear": "2025",
        "field-taxableIncome": "42000",
        "field-taxPaid": "9000",
        "field-iban": "NL91ABNA0417164300",
    }
    _answer_until_check(page, claim_answers, language)
    checked = "\n".join(page.locator(".govuk-summary-list").all_inner_texts())
    for value in (NAME[language], _email(language), REGISTERED[language]):
        assert value in checked
    claim = _send(page, language)
    assert re.fullmatch(r"[A-Z]{2}-\d{4}-\d{6}", claim)

    records = prefill_platform.django(
        "from civicflow.parties.models import PrefillRecord\n"
        "from civicflow.portal.models import Application\n"
        f"claim = Application.objects.get(reference={claim!r})\n"
        "rows = PrefillRecord.objects.filter(instance_id=claim.instance_id)\n"
        "print(sorted((r.field, r.source, r.source_detail, r.changed) for r in rows))\n"
    )
    assert records.strip() == repr(
        sorted(
            [
                ("claimantEmail", "party", "party record", False),
                ("claimantName", "applications", f"application {permit}", False),
                ("homeAddress", "registry", "population register", False),
            ]
        )
    )
    assert f"/people/email/{_email(language).replace('@', '%40')}" in register.requests
