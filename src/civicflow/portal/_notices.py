"""Per-service privacy notice and accessibility statement (issue #7).

What varies by service and cannot be derived is written here (purpose, legal basis, retention,
known accessibility limitations). What can be derived is computed, so the notice cannot drift from
the service: the personal data asked are the labels of the start form's inputs, and who receives
them are the lanes of the service's BPMN process (named as the catalogue's departments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import defusedxml.ElementTree as SafeET
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from civicflow.forms import FieldView, render_model
from civicflow.portal._forms import start_form
from civicflow.portal._guides import Guide
from civicflow.portal.views import _guide
from civicflow.services import Text

__all__ = ["NOTICES", "Notice", "accessibility", "personal_data", "privacy", "recipients"]

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_CITIZEN_LANE = "Lane_citizen"  # the applicant's own lane: not a recipient
# inputs that ask the citizen for data; layout, text and buttons ask nothing
_ASKING = {"text", "email", "tel", "textarea", "checkbox", "checkboxes", "radios", "select", "date", "time",
           "datetime-local", "file"}  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """The parts of a service's privacy notice and accessibility statement that are written, not derived."""

    purpose: Text
    legal_basis: Text
    retention: Text
    flow_tests: Text  # what the browser tests do with this service's form beyond axe-core
    limitations: tuple[Text, ...]  # known accessibility limitations of this service
    statement_date: date  # when the accessibility statement was last reviewed


def _t(en: str, nl: str) -> Text:
    return Text(en=en, nl=nl)


_PUBLIC_TASK = _t(
    "Public task: the processing is necessary to perform a task in the public interest or in the exercise "
    "of official authority (article 6(1)(e) of the General Data Protection Regulation).",
    "Publieke taak: de verwerking is nodig voor een taak van algemeen belang of de uitoefening van openbaar "
    "gezag (artikel 6, lid 1, onder e, van de Algemene verordening gegevensbescherming).",
)
_HTML_DOCUMENTS = _t(
    "Documents you upload are kept as you sent them; we cannot make a PDF you upload accessible.",
    "Documenten die u uploadt bewaren wij zoals u ze stuurde; een PDF die u uploadt kunnen wij niet "
    "toegankelijk maken.",
)
_NO_DIAGRAM = _t(
    "The process diagram (BPMN) that staff use is not shown to citizens; the steps of your application "
    "are described in text on its status page instead.",
    "Het procesdiagram (BPMN) dat medewerkers gebruiken tonen wij niet aan burgers; de stappen van uw "
    "aanvraag staan als tekst op de statuspagina.",
)
_STATEMENT_DATE = date(2026, 11, 30)
# tests/e2e/web/test_portal_browser.py drives only the record transfer's form by keyboard and without
# JavaScript; the other services say so rather than claim it
_FLOW_NOT_TESTED = _t(
    "This service's application form is not yet filled in and sent in our tests with only a keyboard or "
    "with JavaScript turned off; the same page components are, in the record transfer service.",
    "Het aanvraagformulier van deze dienst wordt in onze tests nog niet ingevuld en verstuurd met alleen een "
    "toetsenbord of met JavaScript uitgeschakeld; dezelfde paginaonderdelen wel, bij het overdragen van een "
    "medisch dossier.",
)

NOTICES: dict[str, Notice] = {
    "building_permit": Notice(
        purpose=_t(
            "To decide on your application for a building permit: check that it is complete, work out the fee, "
            "have the plans reviewed, issue the permit and collect the fee.",
            "Om te beslissen op uw aanvraag voor een omgevingsvergunning: controleren of die volledig is, de "
            "leges berekenen, de plannen laten beoordelen, de vergunning verlenen en de leges innen.",
        ),
        legal_basis=_PUBLIC_TASK,
        flow_tests=_FLOW_NOT_TESTED,
        retention=_t(
            "We keep a granted permit and its application permanently, because a permit stays valid for the "
            "building. A refused or withdrawn application is deleted 10 years after the decision.",
            "Een verleende vergunning en de aanvraag bewaren wij blijvend, omdat een vergunning bij het gebouw "
            "blijft horen. Een geweigerde of ingetrokken aanvraag verwijderen wij 10 jaar na het besluit.",
        ),
        limitations=(
            _HTML_DOCUMENTS,
            _t(
                "The permit we issue is an HTML document, not a tagged PDF/A. It can be read with a screen "
                "reader in a browser, but it is not yet available as an accessible PDF.",
                "De vergunning die wij verlenen is een HTML-document, geen getagde PDF/A. Een schermlezer kan "
                "het in een browser voorlezen, maar het is nog niet beschikbaar als toegankelijke PDF.",
            ),
            _t(
                "Drawings of the building work are images; we cannot describe their content in text for you.",
                "Bouwtekeningen zijn afbeeldingen; de inhoud daarvan kunnen wij niet voor u in tekst beschrijven.",
            ),
            _NO_DIAGRAM,
        ),
        statement_date=_STATEMENT_DATE,
    ),
    "tax_refund": Notice(
        purpose=_t(
            "To assess your claim for a tax refund, check it for errors and fraud, and pay the refund into your "
            "bank account.",
            "Om uw verzoek om belastingteruggaaf te beoordelen, te controleren op fouten en fraude, en de "
            "teruggaaf op uw bankrekening te betalen.",
        ),
        legal_basis=_PUBLIC_TASK,
        flow_tests=_FLOW_NOT_TESTED,
        retention=_t(
            "We keep your claim for 7 years after the end of the tax year it is about, the period in which "
            "the tax can be reassessed.",
            "Wij bewaren uw verzoek 7 jaar na het einde van het belastingjaar waar het over gaat, de termijn "
            "waarin de belasting kan worden nagevorderd.",
        ),
        limitations=(_HTML_DOCUMENTS, _NO_DIAGRAM),
        statement_date=_STATEMENT_DATE,
    ),
    "record_transfer": Notice(
        purpose=_t(
            "To transfer your medical records from your previous care provider to your new one, with your "
            "consent, and to record who had access to them.",
            "Om uw medisch dossier met uw toestemming over te dragen van uw vorige naar uw nieuwe "
            "zorgaanbieder, en vast te leggen wie er toegang toe had.",
        ),
        legal_basis=_t(
            "Public task (article 6(1)(e) of the General Data Protection Regulation). Health data are sent only "
            "with your explicit consent (article 9(2)(a)).",
            "Publieke taak (artikel 6, lid 1, onder e, van de Algemene verordening gegevensbescherming). "
            "Gezondheidsgegevens sturen wij alleen door met uw uitdrukkelijke toestemming (artikel 9, lid 2, "
            "onder a).",
        ),
        flow_tests=_t(
            "The application form is also filled in and sent in a browser using only a keyboard, and with "
            "JavaScript turned off.",
            "Het aanvraagformulier wordt ook in een browser ingevuld en verstuurd met alleen een toetsenbord, en "
            "met JavaScript uitgeschakeld.",
        ),
        retention=_t(
            "We keep the request and the record of who had access for 20 years, as long as the medical "
            "records themselves must be kept. The records are not kept by us: they go to your new provider.",
            "Het verzoek en de vastlegging van wie toegang had bewaren wij 20 jaar, even lang als het medisch "
            "dossier zelf bewaard moet worden. Het dossier zelf bewaren wij niet: dat gaat naar uw nieuwe "
            "zorgaanbieder.",
        ),
        limitations=(_NO_DIAGRAM,),
        statement_date=_STATEMENT_DATE,
    ),
}


def _labels(views: list[FieldView] | tuple[FieldView, ...]) -> list[str]:
    labels: list[str] = []
    for view in views:
        # hidden (conditional) inputs are listed too: some answers make the form ask them
        if view.input_type in _ASKING and view.label:
            labels.append(view.label)
        labels += _labels(view.children)
        for item in view.items:
            labels += _labels(item)
    return labels


def personal_data(guide: Guide, language: str) -> list[str]:
    """The labels of the inputs the service's start form asks, in form order, each once."""
    views = render_model(start_form(guide.service), {}, (), language)
    return list(dict.fromkeys(_labels(views)))


@cache
def _lanes(files: tuple[Path, ...]) -> tuple[tuple[str, str], ...]:
    """(id, name) of the lanes of process models, in model order (the service's packaged files)."""
    lanes: dict[str, str] = {}
    for file in files:
        root = SafeET.fromstring(file.read_bytes(), forbid_dtd=True)
        for lane in root.iter(f"{_BPMN}lane"):
            lanes.setdefault(lane.get("id", ""), lane.get("name", ""))
    return tuple(lanes.items())


def recipients(guide: Guide, language: str) -> list[str]:
    """The departments that handle the service's cases: the process's lanes except the applicant's own.

    A lane is shown by its department's name in ``language`` (the catalogue's department of that
    lane name); a lane without one keeps the model's name.
    """
    names = {department.name.en: department.name.get(language) for department in guide.service.departments}
    files = tuple(guide.service.folder / name for name in guide.service.bpmn)
    return [names.get(name, name or lane) for lane, name in _lanes(files) if lane != _CITIZEN_LANE]


def _context(guide: Guide) -> dict[str, object]:
    notice = NOTICES.get(guide.service.id)
    if notice is None:
        raise Http404
    language = (translation.get_language() or "en").split("-")[0]
    return {
        "service": {"id": guide.service.id, "title": guide.service.title.get(language)},
        "purpose": notice.purpose.get(language),
        "legal_basis": notice.legal_basis.get(language),
        "retention": notice.retention.get(language),
        "schedule": guide.service.retention,  # what the worker does once the period is over
        "flow_tests": notice.flow_tests.get(language),
        "limitations": [item.get(language) for item in notice.limitations],
        "statement_date": notice.statement_date,
        "personal_data": personal_data(guide, language),
        "recipients": recipients(guide, language),
        # the portal's own address: the installation has no separate privacy or accessibility contact
        "contact": settings.DEFAULT_FROM_EMAIL,
    }


def privacy(request: HttpRequest, service_id: str) -> HttpResponse:
    """The service's privacy notice: controller, purpose, legal basis, data asked, recipients, retention, rights."""
    return render(request, "portal/privacy.html", _context(_guide(service_id)))


def accessibility(request: HttpRequest, service_id: str) -> HttpResponse:
    """The service's accessibility statement: status, testing, known limitations, feedback, enforcement."""
    return render(request, "portal/accessibility.html", _context(_guide(service_id)))
