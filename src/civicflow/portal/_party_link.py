"""The citizen's party (civicflow.parties) made at sign-in and tied to each application they submit (issue #13).

An email-link sign-in makes (or finds) the party of the verified address; an eID sign-in the
party of the national identification number, and a business's party for a company number claim
(``CIVICFLOW_OIDC_CITIZEN_COMPANY_NUMBER_CLAIM``). A submitted application of a signed-in citizen
becomes a case of their party. Guests get no party: an address typed into a form is not verified,
so it may not join anyone's record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civicflow import parties
from civicflow.parties.models import Party
from civicflow.portal.models import Application, CitizenAccount

__all__ = ["at_eid_sign_in", "at_email_sign_in", "at_submit", "party_of"]

_MAX_IDENTIFIER = 64
_MAX_NAME = 200


def at_email_sign_in(account: CitizenAccount, address: str, now: datetime) -> Party:
    """The party of a verified address, linked to the account that signed in with it."""
    return parties.party_for_identity(scheme="email", identifier=address, account_id=account.pk, now=now)


def _claim(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name) if name else None
    if isinstance(value, str | int) and not isinstance(value, bool) and 0 < len(str(value).strip()) <= _MAX_IDENTIFIER:
        return str(value).strip()
    return None


def _complete(party: Party, claims: Mapping[str, Any], email: str | None) -> None:
    """Fill contact details the broker vouches for, where the party has none yet (the citizen's own edits stay)."""
    changed = False
    name = claims.get("name")
    if party.name is None and isinstance(name, str) and 0 < len(name.strip()) <= _MAX_NAME:
        party.set_name(name)
        changed = True
    if party.email is None and email:
        party.set_email(email)
        changed = True
    if changed:
        party.save()


def at_eid_sign_in(
    account: CitizenAccount,
    claims: Mapping[str, Any],
    *,
    national_id_claim: str,
    company_number_claim: str,
    email: str | None,
    now: datetime,
) -> Party | None:
    """The parties an eID sign-in names: the person's (national id), then the business's (company number).

    The business's comes last, so it is the account's current party (``party_for_account``): what
    is applied for in that session is on the business's behalf. None when no claim names one and
    the account has no verified address.
    """
    found: Party | None = None
    national_id = _claim(claims, national_id_claim)
    if national_id is not None:
        found = parties.party_for_identity(scheme="national-id", identifier=national_id, account_id=account.pk, now=now)
        _complete(found, claims, email)
    elif email:
        found = at_email_sign_in(account, email, now)
    company = _claim(claims, company_number_claim)
    if company is not None:
        found = parties.party_for_identity(
            scheme="company-number", identifier=company, kind="business", account_id=account.pk, now=now
        )
    return found


def at_submit(application: Application, account: CitizenAccount | None, now: datetime) -> None:
    """Tie a signed-in citizen's new application to their party (made from the account's address if it has none)."""
    if account is None:
        return
    party = parties.party_for_account(account.pk)
    if party is None:
        address = account.email
        if not address:  # an eID account without a national id or address: nothing identifies a party
            return
        party = at_email_sign_in(account, address, now)
    parties.record_case(
        party,
        instance_id=application.instance_id,
        service=application.service,
        reference=application.reference,
        now=now,
    )


def party_of(account: CitizenAccount, now: datetime) -> Party | None:
    """The signed-in account's party; an account from before parties existed gets its email party now, as at
    sign-in. None for an account without a verified address and no party (an eID account made before)."""
    found = parties.party_for_account(account.pk)
    if found is not None or not account.email:
        return found
    return parties.party_for_identity(scheme="email", identifier=account.email, account_id=account.pk, now=now)
