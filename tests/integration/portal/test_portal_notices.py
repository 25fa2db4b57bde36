"""Per-service privacy notice and accessibility statement (/portal/<service>/privacy/, /accessibility/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils.html import escape

from civicflow.runtime.reference import deploy_reference_services
from civicflow.services import REFERENCE_SERVICES, ReferenceService
from support.portal_citizen import RT_ANSWERS, client

pytestmark = pytest.mark.django_db

_BASIS = {"en": "article 6(1)(e)", "nl": "artikel 6, lid 1, onder e"}
_RETENTION = {  # the per-service figure each notice must state
    "building_permit": {"en": "10 years", "nl": "10 jaar"},
    "tax_refund": {"en": "7 years", "nl": "7 jaar"},
    "record_transfer": {"en": "20 years", "nl": "20 jaar"},
}
_DEPARTMENTS = {
    "building_permit": {"en": ["Intake", "Zoning", "Fire Safety", "Heritage", "Permits", "Finance"],
                        "nl": ["Ruimtelijke ordening", "Brandveiligheid", "Erfgoed", "Vergunningen", "Financiën"]},
    "tax_refund": {"en": ["Assessment", "Control", "Payments"], "nl": ["Beoordeling", "Controle", "Betalingen"]},
    "record_transfer": {"en": ["Privacy Office", "Medical Records"], "nl": ["Privacybureau", "Medische dossiers"]},
}  # fmt: skip


def _input_labels(components: list[dict[str, Any]], language: str) -> list[str]:
    """Labels of the form file's inputs (components with a key), read straight from the JSON."""
    labels: list[str] = []
    for component in components:
        if component.get("key") and component.get("type") not in ("button", "text", "html"):
            nl = component.get("properties", {}).get("label:nl")
            labels.append(nl if language == "nl" and nl else component["label"])
        labels += _input_labels(component.get("components", []), language)
    return labels


def _start_form_labels(service: ReferenceService, language: str) -> list[str]:
    form = json.loads(Path(service.folder / f"{service.start_form}.form").read_text())
    return _input_labels(form["components"], language)


@pytest.fixture
def deployed() -> None:
    deploy_reference_services()


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("service", REFERENCE_SERVICES, ids=lambda s: s.id)
def test_privacy_notice_lists_the_start_forms_data_the_departments_basis_and_retention(
    deployed: None, service: ReferenceService, language: str
) -> None:
    response = client(language).get(f"/portal/{service.id}/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    labels = _start_form_labels(service, language)
    assert len(labels) >= 5
    for label in labels:
        assert f"<li>{escape(label)}</li>" in html, label
    for department in _DEPARTMENTS[service.id][language]:
        assert f"<li>{escape(department)}</li>" in html, department
    assert "Applicant" not in html.split("<main")[1]  # the applicant's own lane is not a recipient
    assert _BASIS[language] in html
    assert _RETENTION[service.id][language] in html
    assert ("Privacyverklaring" if language == "nl" else "Privacy notice") in html
    assert ("Autoriteit Persoonsgegevens") in html


@pytest.mark.parametrize(
    ("language", "heading", "status", "limitation"),
    [
        ("en", "Accessibility statement", "WCAG) version 2.2 at level AA", "not a tagged PDF/A"),
        ("nl", "Toegankelijkheidsverklaring", "WCAG) versie 2.2 op niveau AA", "geen getagde PDF/A"),
    ],
)
def test_accessibility_statement_in_both_languages(
    deployed: None, language: str, heading: str, status: str, limitation: str
) -> None:
    html = client(language).get("/portal/building_permit/accessibility/").content.decode()
    assert heading in html
    assert status in html
    assert "EN 301 549" in html
    assert "axe-core" in html
    assert limitation in html  # the permit document: a limitation of this service only
    assert limitation not in client(language).get("/portal/tax_refund/accessibility/").content.decode()
    assert "2026" in html  # the date of the statement


def test_start_apply_and_check_pages_link_to_both(deployed: None) -> None:
    browser = client("en")
    answered = browser.post("/portal/record_transfer/apply/", {**RT_ANSWERS, "_continue": "1"})
    assert answered["Location"] == "/portal/record_transfer/check/"
    for path in ("/portal/record_transfer/", "/portal/record_transfer/apply/", "/portal/record_transfer/check/"):
        html = browser.get(path).content.decode()
        assert 'href="/portal/record_transfer/privacy/"' in html, path
        assert 'href="/portal/record_transfer/accessibility/"' in html, path


@pytest.mark.parametrize("page", ["privacy", "accessibility"])
def test_unknown_service_is_404(deployed: None, page: str) -> None:
    assert client("en").get(f"/portal/no_such_service/{page}/").status_code == 404


def test_statement_claims_keyboard_and_no_javascript_tests_only_where_they_run(deployed: None) -> None:
    # tests/e2e/web/test_portal_browser.py drives the record transfer's form that way, no other
    tested = client("en").get("/portal/record_transfer/accessibility/").content.decode()
    untested = client("en").get("/portal/tax_refund/accessibility/").content.decode()
    assert "using only a keyboard, and with JavaScript turned off" in tested
    assert "not yet filled in and sent in our tests" in untested
    assert "using only a keyboard, and with JavaScript turned off" not in untested
