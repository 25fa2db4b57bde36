"""Multi-page start forms in the portal: the building permit asked in three parts, then checked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from civicflow.forms import load_form
from civicflow.portal import _apply
from civicflow.portal.models import Application
from civicflow.runtime import services
from civicflow.runtime.reference import deploy_reference_services

pytestmark = pytest.mark.django_db

BP = "/portal/building_permit"
ABOUT = {"applicantName": "A. de Vries", "applicantEmail": "a.devries@example.org"}
WORK = {"address": "Kerkstraat 1, Utrecht", "buildingType": "extension", "floorArea": "40", "heritageZone": "true"}


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert match, html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def _names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^_"][^"]*)"', html)) - {
        "csrfmiddlewaretoken",
        "next",
        "language",
    }


def _client(language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def test_each_part_shows_only_its_questions_with_a_back_link() -> None:
    client = _client()
    first = client.get(f"{BP}/apply/").content.decode()
    assert _h1(first) == "About you"
    assert "Part 1 of 3" in first
    assert _names(first) == {"applicantName", "applicantEmail", "coSignerEmail"}
    assert f'href="{BP}/" class="govuk-back-link"' in first
    second = client.get(f"{BP}/apply/2/").content.decode()
    assert _h1(second) == "The building work"
    assert _names(second) == {"address", "buildingType", "floorArea", "heritageZone"}
    assert f'href="{BP}/apply/" class="govuk-back-link"' in second
    third = client.get(f"{BP}/apply/3/").content.decode()
    assert 'enctype="multipart/form-data"' in third
    assert re.search(r'<input class="govuk-file-upload" id="field-documents" name="documents" type="file"', third)
    assert 'accept=".pdf"' in third
    assert 'multiple="multiple"' in third
    assert client.get(f"{BP}/apply/4/").status_code == 404
    assert client.get(f"{BP}/apply/0/").status_code == 404


def test_dutch_part_headings() -> None:
    html = _client("nl").get(f"{BP}/apply/2/").content.decode()
    assert _h1(html) == "Het bouwwerk"
    assert "Deel 2 van 3" in html


def test_a_part_is_validated_on_its_own() -> None:
    client = _client()
    response = client.post(f"{BP}/apply/", {"applicantName": "", "applicantEmail": "nope", "_continue": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#field-applicantName"' in html
    assert 'href="#field-applicantEmail"' in html
    assert "field-address" not in html  # a later part's questions are not asked yet
    response = client.post(f"{BP}/apply/", {**ABOUT, "_continue": "1"})
    assert response["Location"] == f"{BP}/apply/2/"


def test_parts_then_check_your_answers_with_change_links_then_submit() -> None:
    deploy_reference_services()
    client = _client()
    assert client.post(f"{BP}/apply/", {**ABOUT, "_continue": "1"})["Location"] == f"{BP}/apply/2/"
    # answering part 2 cannot change part 1: a forged applicantName is ignored
    response = client.post(f"{BP}/apply/2/", {**WORK, "applicantName": "Mallory", "_continue": "1"})
    assert response["Location"] == f"{BP}/apply/3/"
    assert client.post(f"{BP}/apply/3/", {"_continue": "1"})["Location"] == f"{BP}/check/"
    check = client.get(f"{BP}/check/").content.decode()
    assert "A. de Vries" in check
    assert "Mallory" not in check
    assert "Extension" in check  # the option label
    for title in ("About you", "The building work", "Drawings and documents"):
        assert f'<h2 class="govuk-heading-m">{title}</h2>' in check
    assert f'href="{BP}/apply/2/?change=1#field-address"' in check
    assert f'href="{BP}/apply/3/" class="govuk-back-link"' in check
    # change an answer: the part comes back with it, and continuing returns to the check page
    page = client.get(f"{BP}/apply/2/?change=1").content.decode()
    assert 'name="_change" value="1"' in page
    assert f'href="{BP}/check/" class="govuk-back-link"' in page
    changed = client.post(f"{BP}/apply/2/", {**WORK, "address": "Dorpsweg 2", "_change": "1", "_continue": "1"})
    assert changed["Location"] == f"{BP}/check/"
    submitted = client.post(f"{BP}/check/")
    reference = re.fullmatch(r"/portal/applications/(BP-\d{4}-\d{6})/submitted/", submitted["Location"])
    assert reference
    variables = services.variables(Application.objects.get(reference=reference.group(1)).instance_id)
    assert variables["address"] == "Dorpsweg 2"
    assert variables["applicantName"] == "A. de Vries"
    assert variables["heritageZone"] is True


def test_check_sends_an_unfinished_application_back_to_the_first_unanswered_part() -> None:
    client = _client()
    client.post(f"{BP}/apply/", {**ABOUT, "_continue": "1"})
    assert client.get(f"{BP}/check/")["Location"] == f"{BP}/apply/2/"
    assert _client().get(f"{BP}/check/")["Location"] == f"{BP}/apply/"


CONDITIONAL: dict[str, Any] = {
    "properties": {"civicflow:pages": "groups"},
    "components": [
        {
            "type": "group",
            "label": "You",
            "components": [
                {"type": "textfield", "key": "applicantName", "label": "Name", "validate": {"required": True}},
                {"type": "checkbox", "key": "agent", "label": "I apply for someone else"},
            ],
        },
        {
            "type": "group",
            "label": "The person you apply for",
            "path": "client",
            "conditional": {"hide": "=agent != true"},
            "components": [{"type": "textfield", "key": "name", "label": "Their name", "validate": {"required": True}}],
        },
        {
            "type": "group",
            "label": "The site",
            "components": [
                {"type": "textfield", "key": "address", "label": "Address", "validate": {"required": True}},
                {
                    "type": "textfield",
                    "key": "mandate",
                    "label": "Mandate number",
                    "conditional": {"hide": "=agent != true"},
                    "validate": {"required": True},
                },
            ],
        },
    ],
}


def test_conditions_reach_across_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_apply, "start_form", lambda service: load_form(CONDITIONAL))
    client = _client()
    # not an agent: part 2 is skipped, and part 3 does not ask for the mandate
    assert client.post(f"{BP}/apply/", {"applicantName": "A", "_continue": "1"})["Location"] == f"{BP}/apply/3/"
    third = client.get(f"{BP}/apply/3/").content.decode()
    assert "mandate" not in _names(third)
    assert f'href="{BP}/apply/" class="govuk-back-link"' in third  # back skips the hidden part
    assert client.get(f"{BP}/apply/2/")["Location"] == f"{BP}/apply/3/"
    # an agent: part 2 is asked, part 3 asks for the mandate and requires it
    assert client.post(f"{BP}/apply/", {"applicantName": "A", "agent": "true", "_continue": "1"})["Location"] == (
        f"{BP}/apply/2/"
    )
    assert client.post(f"{BP}/apply/2/", {"client.name": "B", "_continue": "1"})["Location"] == f"{BP}/apply/3/"
    refused = client.post(f"{BP}/apply/3/", {"address": "X", "_continue": "1"}).content.decode()
    assert 'href="#field-mandate"' in refused
    assert client.post(f"{BP}/apply/3/", {"address": "X", "mandate": "M-1", "_continue": "1"})["Location"] == (
        f"{BP}/check/"
    )
    check = client.get(f"{BP}/check/").content.decode()
    assert "The person you apply for" in check
    assert "M-1" in check


def test_a_one_page_form_whose_group_is_hidden_is_still_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    form = load_form(
        {
            "components": [
                {"type": "checkbox", "key": "agent", "label": "I apply for someone else"},
                {
                    "type": "group",
                    "label": "The person",
                    "conditional": {"hide": "=agent != true"},
                    "components": [{"type": "textfield", "key": "name", "label": "Their name"}],
                },
            ]
        }
    )
    monkeypatch.setattr(_apply, "start_form", lambda service: form)
    response = _client().get(f"{BP}/apply/")
    assert response.status_code == 200
    assert _names(response.content.decode()) == {"agent"}
