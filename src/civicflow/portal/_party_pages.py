"""The signed-in citizen's own party record, "Your details" (issue #13).

Contact details and preferences (editable), applications, messages, documents, consents (each can
be withdrawn), evidence exchanges and what was prefilled. The record is read through
:func:`civicflow.parties.open_party_record` with channel "portal", so the citizen's own views are
in the audit trail like every other view of a party record. A citizen signed in before parties
existed gets their party on the first visit, by the account's verified email address.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from civicflow import parties
from civicflow.parties.models import Consent, Party
from civicflow.portal import _accounts, _party_link
from civicflow.portal._details import CHANNELS, Details, read_details
from civicflow.portal.models import CitizenAccount
from civicflow.portal.views import _language
from civicflow.security import policy

__all__ = ["me", "withdraw"]

_NOTICES = ("saved", "withdrawn")


def _signed_in(request: HttpRequest) -> CitizenAccount | None:
    account = _accounts.citizen(request)
    if account is None or not policy.can(policy.Visitor(account_id=account.pk), "my_record"):
        return None
    return account


def _current(party: Party) -> Details:
    return Details(
        name=party.name or "",
        email=party.email or "",
        phone=party.phone or "",
        address=party.address or "",
        language=party.language,
        channel=party.channel,
    )


def _page(
    request: HttpRequest,
    account: CitizenAccount,
    party: Party,
    *,
    details: Details | None = None,
    errors: dict[str, str] | None = None,
) -> HttpResponse:
    errors = errors or {}
    record = parties.open_party_record(policy.Visitor(account_id=account.pk), party, channel="portal")
    notice = request.GET.get("done", "")
    context: dict[str, Any] = {
        "account": account,
        "record": record,
        "cases": [{"item": item, "title": item.title(_language())} for item in record.cases],
        "details": details or _current(party),
        "errors": errors,
        "error_summary": [{"href": f"#{name}", "text": text} for name, text in errors.items()],
        "languages": settings.LANGUAGES,
        "channels": CHANNELS,
        "notice": notice if notice in _NOTICES else "",
    }
    return render(request, "portal/me.html", context, status=400 if errors else 200)


def _sign_in_first() -> HttpResponse:
    return redirect(reverse("portal:sign-in") + "?" + urlencode({"next": reverse("portal:me")}))


@require_http_methods(["GET", "HEAD", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    """The citizen's details; a POST saves contact details and preferences (400 with the errors)."""
    account = _signed_in(request)
    if account is None:
        return _sign_in_first()
    party = _party_link.party_of(account, timezone.now())
    if party is None:
        raise Http404  # an account without a verified address and no eID identity: nothing to show
    if request.method != "POST":
        return _page(request, account, party)
    details, errors = read_details(request.POST)
    if errors:
        return _page(request, account, party, details=details, errors=errors)
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        party.set_name(details.name)
        party.set_email(details.email)
        party.set_phone(details.phone)
        party.set_address(details.address)
        party.language = details.language
        party.channel = details.channel
        party.updated = timezone.now()
        party.save()
    return redirect(reverse("portal:me") + "?done=saved#details")


@require_POST
def withdraw(request: HttpRequest, consent_id: UUID) -> HttpResponse:
    """Withdraw one of the citizen's own consents; anyone else's is 404 (its existence is not revealed)."""
    account = _signed_in(request)
    if account is None:
        return _sign_in_first()
    party = parties.party_for_account(account.pk)
    consent = None if party is None else Consent.objects.filter(pk=consent_id, party=party).first()
    if consent is None:
        raise Http404
    if consent.is_active:
        parties.withdraw_consent(consent, now=timezone.now())
    return redirect(reverse("portal:me") + "?done=withdrawn#consents")
