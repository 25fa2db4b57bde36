"""The consent step of an application: "Fetch <evidence> from <agency> instead of uploading it".

A service that can ask another agency for evidence (:data:`OFFERS`) asks a signed-in citizen,
after the form and before "check your answers", whether it may; the box starts unticked and the
application goes on either way. A ticked box is a consent (:func:`civicflow.parties.give_consent`,
listed on "Your details" with a withdraw button); when the application is sent the evidence is
requested over the bus (:func:`civicflow.parties.evidence.request_evidence`) and recorded on the
case and in the party record. Guests are not asked: a consent belongs to a party.
See docs/portal.md, "Fetching evidence from another agency".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from civicflow.errors import CivicFlowError
from civicflow.parties import give_consent, withdraw_consent
from civicflow.parties.evidence import purpose_of, request_evidence
from civicflow.parties.models import Consent
from civicflow.portal import _accounts, _party_link
from civicflow.portal.models import Application, CitizenAccount
from civicflow.portal.views import _card, _data_key, _guide
from civicflow.security import audit, policy

__all__ = ["OFFERS", "EvidenceOffer", "after_submit", "consent", "pending_step"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceOffer:
    """Evidence a service may fetch from another agency, and the words the citizen agrees to."""

    evidence_type: str
    provider: str  # the agency's name on the bus (its `civicflow evidence serve --agency`)
    text_version: str  # changes whenever the words below change: a consent names the wording it was given on
    title: Promise
    label: Promise
    agency: Promise
    evidence: Promise
    purpose: Promise


OFFERS: dict[str, EvidenceOffer] = {
    "tax_refund": EvidenceOffer(
        evidence_type="building-permit",
        provider="municipality",
        text_version="tr-building-permit-1",
        title=_("Fetch your building permits from the municipality?"),
        label=_("Fetch my building permits from the municipality instead of uploading them"),
        agency=_("The municipality (building permits)"),
        evidence=_("The building permits the municipality issued to you: reference, date and document name"),
        purpose=_("To check the deductible costs for work on your home in this claim"),
    ),
}


def _decision_key(service_id: str) -> str:
    return f"portal:{service_id}:evidence"


def pending_step(request: HttpRequest, service_id: str) -> str | None:
    """The consent step's address while a signed-in citizen has not answered it for this application."""
    if service_id not in OFFERS or _decision_key(service_id) in request.session:
        return None
    if _accounts.citizen(request) is None:
        return None
    return reverse("portal:evidence-consent", args=[service_id])


@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, service_id: str) -> HttpResponse:
    """Ask for consent (unticked box); a ticked box gives it, an unticked one withdraws an earlier one."""
    guide = _guide(service_id)
    offer = OFFERS.get(service_id)
    if offer is None:
        raise Http404
    account = _accounts.citizen(request)
    if account is None or not policy.can(policy.Visitor(account_id=account.pk), "my_record"):
        here = reverse("portal:evidence-consent", args=[service_id])
        return redirect(reverse("portal:sign-in") + "?" + urlencode({"next": here}))
    if not isinstance(request.session.get(_data_key(service_id)), dict):
        return redirect("portal:apply", service_id=service_id)
    key = _decision_key(service_id)
    decision = request.session.get(key)
    earlier = str(decision.get("consent") or "") if isinstance(decision, dict) else ""
    if request.method == "POST":
        party = _party_link.party_of(account, timezone.now())
        if party is None:  # no identity to record a consent under (an erased account): nothing to fetch
            request.session[key] = {"consent": ""}
            return redirect("portal:check", service_id=service_id)
        previous = Consent.objects.filter(pk=earlier, party=party).first() if earlier else None
        now = timezone.now()
        if request.POST.get("consent") == "yes":
            if previous is None or not previous.is_active:
                previous = give_consent(
                    party,
                    purpose=purpose_of(offer.evidence_type),
                    service=service_id,
                    provider=offer.provider,
                    text_version=offer.text_version,
                    now=now,
                )
                _audit(account, "ConsentGiven", previous)
            request.session[key] = {"consent": str(previous.pk)}
        else:
            if previous is not None and previous.is_active:
                withdraw_consent(previous, now=now)
                _audit(account, "ConsentWithdrawn", previous)
            request.session[key] = {"consent": ""}
        return redirect("portal:check", service_id=service_id)
    context: dict[str, Any] = {
        "service": _card(guide),
        "offer": offer,
        "ticked": bool(earlier),
        "details_url": reverse("portal:me"),
        "back": reverse("portal:apply", args=[service_id]),
    }
    return render(request, "portal/evidence_consent.html", context)


def _audit(account: CitizenAccount, action: str, given: Consent) -> None:
    details = {
        "consent": str(given.pk),
        "purpose": given.purpose,
        "provider": given.provider,
        "text_version": given.text_version,
    }
    audit.record(actor=f"citizen:{account.pk}", action=action, obj=("party", str(given.party_id)), details=details)


def after_submit(request: HttpRequest, service_id: str, application: Application) -> None:
    """Ask for the evidence the citizen consented to, for the case just started (recorded whatever the answer)."""
    decision = request.session.pop(_decision_key(service_id), None)
    offer = OFFERS.get(service_id)
    consent_id = str(decision.get("consent") or "") if isinstance(decision, dict) else ""
    if offer is None or not consent_id or application.instance_id is None:
        return
    given = Consent.objects.filter(pk=consent_id, withdrawn_at__isnull=True).select_related("party").first()
    if given is None or given.party.account_id != application.account_id:
        return
    try:
        request_evidence(
            given.party, evidence_type=offer.evidence_type, provider=offer.provider, instance_id=application.instance_id
        )
    except CivicFlowError:  # a setting or the consent gone meanwhile: the case goes on, the citizen can send it
        logger.warning("evidence for %s not requested", application.reference, exc_info=True)
