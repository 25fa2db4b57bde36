"""Staff sign-in with the organisation's identity provider (OpenID Connect, civicflow.security.oidc).

The sign-in page links here when ``CIVICFLOW_OIDC_STAFF_ISSUER`` is set. The provider does the
second factor, so lockout and TOTP stay with local accounts. The account comes from the ID
token's (issuer, subject) and its groups from the groups claim (civicflow.security.staff_directory).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from civicflow.security import audit, oidc
from civicflow.security.staff_directory import staff_user
from civicflow.workbench.views._auth import _finish

__all__ = ["oidc_callback", "oidc_start"]

_BACKEND = settings.AUTHENTICATION_BACKENDS[0]
_PAGES = oidc.SignInPages(
    kind=oidc.STAFF,
    base_template="workbench/_base.html",
    sign_in="workbench:login",
    callback="workbench:oidc_callback",
)


def _sign_in(request: HttpRequest, config: oidc.ProviderConfig, identity: oidc.Identity) -> HttpResponse:
    """Find or make the account, sync its groups, sign in."""
    user = staff_user(identity, config)
    if not user.is_active:  # an administrator switched the account off: the provider cannot override that
        raise oidc.SignInFailed(oidc.Failure.DENIED, detail="inactive account")
    target = oidc.take_next(request, oidc.STAFF, reverse("workbench:index"))
    _finish(request, user, _BACKEND)
    audit.record(
        actor=f"user:{user.pk}", action="SignedIn", obj=("user", str(user.pk)), details={"method": "oidc-staff"}
    )
    return HttpResponseRedirect(target)


oidc_start = _PAGES.start_view()
oidc_callback = _PAGES.callback_view(_sign_in)
