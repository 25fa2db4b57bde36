"""Prefill in the portal: a signed-in citizen's second application starts with what the agency knows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from civicflow.parties.models import PrefillRecord
from civicflow.portal.models import Application
from civicflow.runtime import services
from civicflow.runtime.reference import deploy_reference_services
from support.portal_citizen import BP_ANSWERS, apply, client, sign_in
from support.registry import FakeRegister, running_register

pytestmark = pytest.mark.django_db

EMAIL = "jan@example.org"
REGISTERED = "Dorpsstraat 1, 1234 AB Ons Dorp"
TR_ANSWERS = {
    "residentStatus": "resident",
    "taxYear": "2025",
    "taxableIncome": "42000",
    "taxPaid": "9000",
    "iban": "NL91ABNA0417164300",
}


@pytest.fixture
def register(settings: Any) -> Iterator[FakeRegister]:
    with running_register({EMAIL: {"name": "Jan de Boer", "address": REGISTERED}}) as running:
        settings.CIVICFLOW_PREFILL_REGISTRY_URL = running.template
        settings.CIVICFLOW_PREFILL_REGISTRY_TIMEOUT = "20"  # a loaded test machine answers slowly even on loopback
        yield running


@pytest.fixture
def citizen() -> Client:
    deploy_reference_services()
    browser = client()
    sign_in(browser, EMAIL)
    return browser


def _permit(browser: Client) -> str:
    """Apply for a building permit (posting straight away: nothing is prefilled); its reference."""
    return apply(browser, "building_permit", {**BP_ANSWERS, "applicantName": "Jan de Boer", "applicantEmail": EMAIL})


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"no input {name}"
    return found.group(0)


def _value(html: str, name: str) -> str:
    found = re.search(r'value="([^"]*)"', _input(html, name))
    return found.group(1) if found else ""


def test_the_second_form_is_prefilled_with_where_each_value_came_from(citizen: Client, register: FakeRegister) -> None:
    reference = _permit(citizen)
    html = citizen.get("/portal/tax_refund/apply/").content.decode()
    assert _value(html, "claimantName") == "Jan de Boer"
    assert _value(html, "claimantEmail") == EMAIL
    assert _value(html, "homeAddress") == REGISTERED
    assert _value(html, "iban") == ""
    notes = dict(
        re.findall(r'<p id="(field-\w+-prefill)" class="govuk-body-s civicflow-prefill-note">([^<]*)</p>', html)
    )
    assert notes == {
        "field-claimantName-prefill": f"Prefilled from: your application {reference}. "
        "Check it and correct it if it is wrong.",
        "field-claimantEmail-prefill": "Prefilled from: your details in your account. "
        "Check it and correct it if it is wrong.",
        "field-homeAddress-prefill": "Prefilled from: the population register. You cannot change it here.",
    }
    for name in ("claimantName", "claimantEmail", "homeAddress"):
        described = re.search(r'aria-describedby="([^"]*)"', _input(html, name))
        assert described
        assert f"field-{name}-prefill" in described.group(1).split()
    assert " readonly" in _input(html, "homeAddress")
    assert " readonly" not in _input(html, "claimantName")
    assert 'id="prefill-notice"' in html
    assert "Your earlier applications, so that you do not have to give the same answers twice." in html


def test_the_submit_keeps_read_only_values_and_records_each_prefilled_field(
    citizen: Client, register: FakeRegister
) -> None:
    reference = _permit(citizen)
    citizen.get("/portal/tax_refund/apply/")
    posted = {**TR_ANSWERS, "claimantName": "J. de Boer", "claimantEmail": EMAIL, "homeAddress": "Elsewhere 9"}
    response = citizen.post("/portal/tax_refund/apply/", {**posted, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()
    response = citizen.post("/portal/tax_refund/check/")
    assert response.status_code == 302, response.content.decode()
    claim = Application.objects.get(service="tax_refund")
    variables = services.variables(claim.instance_id)
    assert variables["claimantName"] == "J. de Boer"  # editable: the correction counts
    assert variables["homeAddress"] == REGISTERED  # read-only: the posted change is ignored
    rows = {
        r.field: (r.source, r.source_detail, r.changed)
        for r in PrefillRecord.objects.filter(instance_id=claim.instance_id)
    }
    assert rows == {
        "claimantName": ("applications", f"application {reference}", True),
        "claimantEmail": ("party", "party record", False),
        "homeAddress": ("registry", "population register", False),
    }
    assert {r.party.email for r in PrefillRecord.objects.all()} == {EMAIL}
    assert all(r.service == "tax_refund" for r in PrefillRecord.objects.all())


def test_answers_already_given_are_never_overwritten(citizen: Client, register: FakeRegister) -> None:
    _permit(citizen)
    session = citizen.session
    session["portal:tax_refund:data"] = {"claimantName": "My own spelling"}  # as a resumed draft leaves it
    session.save()
    html = citizen.get("/portal/tax_refund/apply/").content.decode()
    assert _value(html, "claimantName") == "My own spelling"
    assert "field-claimantName-prefill" not in html
    assert _value(html, "claimantEmail") == EMAIL


def test_a_guest_gets_nothing_prefilled(register: FakeRegister) -> None:
    deploy_reference_services()
    html = client().get("/portal/tax_refund/apply/").content.decode()
    assert "Prefilled from" not in html
    assert _value(html, "claimantEmail") == ""
    assert register.requests == []


def test_a_registry_that_fails_leaves_the_field_empty_and_editable(
    citizen: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    stopped = FakeRegister()  # never started: nothing answers on its port
    stopped.stop()
    settings.CIVICFLOW_PREFILL_REGISTRY_URL = stopped.template
    response = citizen.get("/portal/tax_refund/apply/")
    html = response.content.decode()
    assert response.status_code == 200
    assert _value(html, "homeAddress") == ""
    assert " readonly" not in _input(html, "homeAddress")
    assert _value(html, "claimantEmail") == EMAIL  # the other sources still fill theirs
    assert "prefill source 'registry' gave nothing" in caplog.text


def test_the_notes_in_dutch(register: FakeRegister) -> None:
    deploy_reference_services()
    browser: Any = client("nl")
    sign_in(browser, EMAIL)
    reference = _permit(browser)
    html = browser.get("/portal/tax_refund/apply/").content.decode()
    assert f"Vooraf ingevuld uit: uw aanvraag {reference}." in html
    assert "Vooraf ingevuld uit: de basisregistratie personen. U kunt dit hier niet wijzigen." in html


def test_signing_out_takes_every_answer_of_the_form_in_progress_away(citizen: Client, register: FakeRegister) -> None:
    _permit(citizen)
    citizen.get("/portal/tax_refund/apply/")
    posted = {**TR_ANSWERS, "claimantName": "Typed myself", "claimantEmail": EMAIL, "homeAddress": REGISTERED}
    assert citizen.post("/portal/tax_refund/apply/", {**posted, "_save": "1"}).status_code == 302
    assert "Typed myself" in citizen.get("/portal/tax_refund/apply/").content.decode()
    assert citizen.post("/portal/sign-out/").status_code == 302
    # the next person at a shared computer sees none of it: prefilled or typed, on the form or the check page
    html = citizen.get("/portal/tax_refund/apply/").content.decode()
    assert _value(html, "claimantEmail") == ""
    assert _value(html, "homeAddress") == ""
    assert _value(html, "claimantName") == ""
    assert "Prefilled from" not in html
    check = citizen.get("/portal/tax_refund/check/")
    assert "Typed myself" not in check.content.decode()
    assert REGISTERED not in check.content.decode()
