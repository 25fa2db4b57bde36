"""Citizen sign-in with a national eID broker (OpenID Connect, civicflow.security.oidc).

The sign-in page offers it when ``CIVICFLOW_OIDC_CITIZEN_ISSUER`` is set; the email link stays.
The account is the one linked to the ID token's (issuer, subject). The first time, a verified
email address from the broker links to the account of that address (the email-link sign-in
proved the same address), else a new account is made. A national identification number in
the claim named by ``CIVICFLOW_OIDC_CITIZEN_NATIONAL_ID_CLAIM`` is kept only as an HMAC
reference (civicflow.security.keys.reference) here, and sealed in the citizen's party
(civicflow.parties, made or found at each sign-in; a company number claim makes a business's).
Signed in, the session is the same as after an email link: "my applications" and all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from civicflow.portal import _accounts, _party_link
from civicflow.portal.models import CitizenAccount, CitizenIdentity
from civicflow.security import audit, keys, oidc

__all__ = ["oidc_callback", "oidc_start"]

_MAX_NATIONAL_ID = 64
_PAGES = oidc.SignInPages(
    kind=oidc.CITIZEN,
    base_template="portal/_base.html",
    sign_in="portal:sign-in",
    callback="portal:oidc-callback",
)


def _sign_in(request: HttpRequest, config: oidc.ProviderConfig, identity: oidc.Identity) -> HttpResponse:
    """Find or make the citizen's account and sign in as the email link does."""
    account = _account(identity, config)
    target = oidc.take_next(request, oidc.CITIZEN, reverse("portal:my"))
    _accounts.start_session(request, account)
    audit.record(
        actor=f"citizen:{account.pk}",
        action="SignedIn",
        obj=("citizen-account", str(account.pk)),
        details={"method": "oidc-citizen"},
    )
    return HttpResponseRedirect(target)


oidc_start = _PAGES.start_view()
oidc_callback = _PAGES.callback_view(_sign_in)


def _verified_email(claims: Any) -> str | None:
    email = claims.get("email")
    if claims.get("email_verified") is True and isinstance(email, str) and "@" in email and len(email) <= 254:
        return email.strip().lower()
    return None


def _national_ref(claims: Any, config: oidc.ProviderConfig) -> str:
    value = claims.get(config.national_id_claim) if config.national_id_claim else None
    if isinstance(value, str | int) and 0 < len(str(value)) <= _MAX_NATIONAL_ID:
        return keys.reference(f"national-id:{value}")
    return ""


def _account(identity: oidc.Identity, config: oidc.ProviderConfig) -> CitizenAccount:
    now = timezone.now()
    with transaction.atomic():
        link = (
            CitizenIdentity.objects.select_for_update()
            .select_related("account")
            .filter(issuer=identity.issuer, subject=identity.subject)
            .first()
        )
        if link is None:
            account = CitizenAccount.for_address(_verified_email(identity.claims), now)
            link = CitizenIdentity.objects.create(
                account=account,
                issuer=identity.issuer,
                subject=identity.subject,
                national_ref=_national_ref(identity.claims, config),
                created=now,
            )
        else:
            national_ref = _national_ref(identity.claims, config)
            if national_ref and national_ref != link.national_ref:
                link.national_ref = national_ref
                link.save(update_fields=["national_ref"])
        CitizenAccount.objects.filter(pk=link.account_id).update(last_sign_in=now)
        _party_link.at_eid_sign_in(
            link.account,
            identity.claims,
            national_id_claim=config.national_id_claim,
            company_number_claim=config.company_number_claim,
            email=_verified_email(identity.claims),
            now=now,
        )
        return link.account
