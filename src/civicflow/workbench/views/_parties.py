"""Party pages (issue #13): find a citizen or business by identifier, and their record.

A party's record is read only through :func:`civicflow.parties.open_party_record` (channel
"workbench"): the policy decides ("view_party": the user's department has or had a task on one of
the party's cases; auditors all), the record is narrowed to what the department may see (purpose
limitation), and every view is audited. A party the user may not see answers 404, as an unknown
one does. The search shows only parties the user may open, and only that they exist: nothing a
caseworker did not type in themselves.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from civicflow import parties
from civicflow.parties.models import Party, PartyCase, Scheme, identifier_index, normalise_identifier
from civicflow.security import addresses, policy
from civicflow.workbench._access import requires

__all__ = ["case_parties", "party", "party_search"]

MAX_IDENTIFIER = 254
SEARCH_LIMIT = 20


def _scheme_labels() -> dict[str, str]:
    return {
        Scheme.NATIONAL_ID: _("National identification number"),
        Scheme.COMPANY_NUMBER: _("Company number"),
        Scheme.EMAIL: _("Email address"),
    }


def _search_errors(scheme: str, identifier: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if scheme not in Scheme.values:
        errors["scheme"] = _("Select what kind of identifier you are searching by")
    if not identifier:
        errors["identifier"] = _("Enter the identifier to search for")
    elif len(identifier) > MAX_IDENTIFIER:
        errors["identifier"] = _("The identifier must be %(count)d characters or fewer") % {"count": MAX_IDENTIFIER}
    elif scheme == Scheme.EMAIL:
        try:
            validate_email(identifier)
        except ValidationError:
            errors["identifier"] = _("Enter an email address in the correct format, like name@example.com")
    elif scheme in Scheme.values and not normalise_identifier(scheme, identifier):
        errors["identifier"] = _("Enter the identifier to search for")
    return errors


def find_parties(user: Any, scheme: str, identifier: str) -> list[Party]:
    """The parties with this identifier (an email address also as contact address) the user may open."""
    match = Q(identifier_scheme=scheme, identifier_index=identifier_index(scheme, identifier))
    if scheme == Scheme.EMAIL:
        match |= Q(email_index=addresses.index(identifier))
    found = Party.objects.filter(match).order_by("created", "id")[:SEARCH_LIMIT]
    return [p for p in found if policy.can(user, "view_party", p)]


@require_safe
@requires("view_party")
def party_search(request: HttpRequest) -> HttpResponse:
    """Search by national id, company number or email address (GET, so a search can be bookmarked)."""
    scheme = (request.GET.get("scheme") or "").strip()
    identifier = (request.GET.get("identifier") or "").strip()
    searched = "identifier" in request.GET or "scheme" in request.GET
    errors = _search_errors(scheme, identifier) if searched else {}
    found = find_parties(request.user, scheme, identifier) if searched and not errors else []
    context = {
        "schemes": _scheme_labels(),
        "scheme": scheme,
        "identifier": identifier,
        "searched": searched and not errors,
        "found": found,
        "errors": errors,
        "error_summary": [{"href": f"#{name}", "text": text} for name, text in errors.items()],
    }
    return render(request, "workbench/parties.html", context, status=400 if errors else 200)


@require_safe
@requires("view_party")
def party(request: HttpRequest, party_id: UUID) -> HttpResponse:
    """A party's record as far as the user may see it; 404 for an unknown party or one they may not see."""
    found = Party.objects.filter(pk=party_id).first()
    if found is None:
        raise Http404
    try:
        record = parties.open_party_record(request.user, found, channel="workbench")
    except PermissionDenied:
        raise Http404 from None
    language = translation.get_language() or "en"
    context = {
        "record": record,
        "cases": [{"item": item, "title": item.title(language)} for item in record.cases],
        "erased": record.identifier is None,
        "scheme_label": _scheme_labels().get(record.identifier_scheme, ""),
    }
    return render(request, "workbench/party.html", context)


def case_parties(user: Any, instance_id: UUID) -> list[PartyCase]:
    """The parties of a case the user may open, applicant first (the case page's links)."""
    if not policy.can(user, "view_party"):
        return []
    order = {"applicant": 0, "co-signer": 1, "subject": 2}
    links = PartyCase.objects.filter(instance_id=instance_id).select_related("party")
    visible = [link for link in links if policy.can(user, "view_party", link.party)]
    return sorted(visible, key=lambda link: (order.get(link.role, 9), link.created, link.pk))
