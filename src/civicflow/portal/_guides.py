"""What the portal adds to a reference service: the guide texts and the identifiers set at start.

The reference catalogue (civicflow.services) holds titles, summaries, milestones and targets; the
citizen's guide (who can apply, documents, fee) and how a new case is numbered live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from civicflow.services import REFERENCE_SERVICES, ReferenceService, Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Guide:
    """The portal's view of one service."""

    service: ReferenceService
    prefix: str  # of the reference number, e.g. "BP"
    case_variable: str  # the correlation key the model expects (caseNumber, claimId, transferId)
    applicant_variable: str  # citizen tasks are assigned to this variable's value
    who: Text
    documents: tuple[Text, ...]
    fee: Text
    steps: tuple[Text, ...]  # the step-by-step guide on the start page, in the order they happen


def _t(en: str, nl: str) -> Text:
    return Text(en=en, nl=nl)


_GUIDES: dict[str, dict[str, Any]] = {
    "building_permit": {
        "prefix": "BP",
        "case_variable": "caseNumber",
        "applicant_variable": "applicantId",
        "who": _t(
            "The owner of the building or site, or someone acting for them (an architect or builder).",
            "De eigenaar van het gebouw of perceel, of iemand namens hen (een architect of aannemer).",
        ),
        "documents": (
            _t(
                "Drawings of the building work (floor plans and elevations)", "Bouwtekeningen (plattegronden en gevels)"
            ),
            _t("A site plan showing where you will build", "Een situatietekening waarop staat waar u bouwt"),
        ),
        "fee": _t(
            "You pay a fee that depends on the type of work and the floor area. We tell you the amount once "
            "your application is complete; you pay after the decision.",
            "U betaalt leges die afhangen van het soort werk en de vloeroppervlakte. Wij noemen het bedrag zodra "
            "uw aanvraag volledig is; u betaalt na het besluit.",
        ),
        "steps": (
            _t(
                "Apply online with your drawings and site plan.",
                "Vraag online aan met uw tekeningen en situatietekening.",
            ),
            _t(
                "We check that your application is complete and ask for missing documents.",
                "Wij controleren of uw aanvraag volledig is en vragen ontbrekende documenten op.",
            ),
            _t(
                "Zoning, Fire Safety and, in a heritage zone, Heritage review your plans.",
                "Ruimtelijke ordening, Brandveiligheid en, in een beschermd gebied, Erfgoed beoordelen uw plannen.",
            ),
            _t("We decide and tell you the fee.", "Wij besluiten en noemen de leges."),
            _t("You pay the fee and receive your permit.", "U betaalt de leges en ontvangt uw vergunning."),
        ),
    },
    "tax_refund": {
        "prefix": "TR",
        "case_variable": "claimId",
        "applicant_variable": "claimantId",
        "who": _t(
            "Anyone who paid more tax in a year than they owed, for a year from 2000 onwards.",
            "Iedereen die in een jaar meer belasting betaalde dan verschuldigd was, voor een jaar vanaf 2000.",
        ),
        "documents": (
            _t("Your annual income statement", "Uw jaaropgave"),
            _t("Receipts for the costs you deduct", "Bewijs van de kosten die u aftrekt"),
        ),
        "fee": _t("Claiming a refund is free.", "Een teruggaaf aanvragen is gratis."),
        "steps": (
            _t("Claim online for one tax year.", "Vraag online aan voor een belastingjaar."),
            _t(
                "We check whether you can get a refund and how much.",
                "Wij controleren of u recht hebt op teruggaaf en hoeveel.",
            ),
            _t(
                "Some claims are checked by two caseworkers.",
                "Sommige aanvragen worden door twee behandelaars gecontroleerd.",
            ),
            _t("We pay the refund into your bank account.", "Wij storten de teruggaaf op uw bankrekening."),
        ),
    },
    "record_transfer": {
        "prefix": "RT",
        "case_variable": "transferId",
        "applicant_variable": "patientId",
        "who": _t(
            "Patients who move to a new care provider, or their legal representative.",
            "Patiënten die naar een nieuwe zorgaanbieder gaan, of hun wettelijk vertegenwoordiger.",
        ),
        "documents": (
            _t(
                "No documents: only the names of both care providers",
                "Geen documenten: alleen de namen van beide zorgaanbieders",
            ),
        ),
        "fee": _t("Transferring your records is free.", "Het overdragen van uw dossier is gratis."),
        "steps": (
            _t(
                "Ask online and say which care provider should receive your records.",
                "Vraag online aan en geef aan welke zorgverlener uw dossier moet ontvangen.",
            ),
            _t("You agree to the transfer.", "U geeft toestemming voor de overdracht."),
            _t(
                "Your current care provider sends the records to the new one.",
                "Uw huidige zorgverlener stuurt het dossier naar de nieuwe.",
            ),
            _t("We tell you when the records have arrived.", "Wij laten u weten wanneer het dossier is aangekomen."),
        ),
    },
}

GUIDES: dict[str, Guide] = {
    service.id: Guide(service=service, **_GUIDES[service.id]) for service in REFERENCE_SERVICES if service.id in _GUIDES
}


def guide(service_id: str) -> Guide | None:
    return GUIDES.get(service_id)


_DURATION = re.compile(r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?$")


def duration_days(iso: str) -> int | None:
    """Days in an ISO 8601 duration of weeks and days (``P56D``, ``P8W``); None for anything else."""
    match = _DURATION.match(iso)
    if match is None or not any(match.groupdict().values()):
        return None
    return int(match["weeks"] or 0) * 7 + int(match["days"] or 0)
