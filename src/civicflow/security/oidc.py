"""OpenID Connect sign-in (authorization code flow with PKCE): one relying party for staff, one for citizens.

Each relying party is configured from the environment (``CIVICFLOW_OIDC_STAFF_ISSUER`` and its
siblings for the organisation's identity provider, ``CIVICFLOW_OIDC_CITIZEN_ISSUER`` and its
siblings for a national eID broker; docs/deployment.md) and is off while its issuer or client id
is empty. The provider is found by discovery
(``<issuer>/.well-known/openid-configuration``); authlib's Django client does the protocol:
``state`` and ``nonce`` and the PKCE ``code_verifier`` (S256) kept in the session, the code
exchanged at the token endpoint, the ID token's signature checked against the provider's JWKS and
its ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce`` claims validated. This module adds what authlib
leaves to the application: the discovery document must name the configured issuer, a token
response without an ID token is refused, and every failure becomes one :class:`SignInFailed` with a
reason the pages turn into a message, never a traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.django_client import OAuth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from civicflow.errors import CivicFlowError
from civicflow.security import audit

__all__ = [
    "CITIZEN",
    "STAFF",
    "Failure",
    "Identity",
    "ProviderConfig",
    "SignInFailed",
    "SignInPages",
    "begin",
    "complete",
    "configured",
    "provider",
    "remember_next",
    "take_next",
]

STAFF = "staff"
CITIZEN = "citizen"
_TIMEOUT = 10  # seconds for each call to the provider: a hung provider must not hang a web worker


class Failure(StrEnum):
    """Why a sign-in did not happen; the error page's message and status follow from it."""

    UNAVAILABLE = "provider-unavailable"  # the provider did not answer, or answered nonsense
    STATE = "state-mismatch"  # the callback does not belong to a sign-in this browser started
    DENIED = "access-denied"  # the user cancelled, or the provider refused them
    TOKEN = "token-refused"  # noqa: S105 - a reason, not a secret: the code or the ID token failed the checks


class SignInFailed(CivicFlowError):  # noqa: N818 - an outcome the pages show, like IncidentRaised
    """An OpenID Connect sign-in that did not succeed; ``reason`` says why (no personal data)."""

    def __init__(self, reason: Failure, *, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail

    @property
    def status(self) -> int:
        return 503 if self.reason is Failure.UNAVAILABLE else 400


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderConfig:
    """One relying party's configuration (see docs/deployment.md, "OpenID Connect")."""

    kind: str
    issuer: str
    client_id: str
    client_secret: str
    name: str
    scopes: str
    groups_claim: str
    national_id_claim: str
    company_number_claim: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """A verified ID token's subject: ``issuer`` and ``subject`` together identify a person."""

    issuer: str
    subject: str
    claims: Mapping[str, Any]


# Every variable spelled out: docs/deployment.md documents each (tests/unit/test_deploy_files.py)
_VARIABLES = {
    STAFF: {
        "issuer": "CIVICFLOW_OIDC_STAFF_ISSUER",
        "client_id": "CIVICFLOW_OIDC_STAFF_CLIENT_ID",
        "client_secret": "CIVICFLOW_OIDC_STAFF_CLIENT_SECRET",
        "name": "CIVICFLOW_OIDC_STAFF_NAME",
        "scopes": "CIVICFLOW_OIDC_STAFF_SCOPES",
        "groups_claim": "CIVICFLOW_OIDC_STAFF_GROUPS_CLAIM",
    },
    CITIZEN: {
        "issuer": "CIVICFLOW_OIDC_CITIZEN_ISSUER",
        "client_id": "CIVICFLOW_OIDC_CITIZEN_CLIENT_ID",
        "client_secret": "CIVICFLOW_OIDC_CITIZEN_CLIENT_SECRET",
        "name": "CIVICFLOW_OIDC_CITIZEN_NAME",
        "scopes": "CIVICFLOW_OIDC_CITIZEN_SCOPES",
        "national_id_claim": "CIVICFLOW_OIDC_CITIZEN_NATIONAL_ID_CLAIM",
        "company_number_claim": "CIVICFLOW_OIDC_CITIZEN_COMPANY_NUMBER_CLAIM",
    },
}
_DEFAULTS = {
    STAFF: {"name": "your organisation's account", "scopes": "openid profile email groups", "groups_claim": "groups"},
    CITIZEN: {"name": "eID", "scopes": "openid"},
}


def provider(kind: str) -> ProviderConfig | None:
    """The configured relying party of ``kind`` (``staff`` or ``citizen``); None when it is off.

    Read from the environment on each call, so a test (or an operator's reload) sees a change.
    """
    names, defaults = _VARIABLES.get(kind, {}), _DEFAULTS.get(kind, {})

    def env(field: str) -> str:
        value = os.environ.get(names[field], "").strip() if field in names else ""
        return value or defaults.get(field, "")

    issuer, client_id = env("issuer").rstrip("/"), env("client_id")
    if not issuer or not client_id:
        return None
    return ProviderConfig(
        kind=kind,
        issuer=issuer,
        client_id=client_id,
        client_secret=env("client_secret"),
        name=env("name"),
        scopes=env("scopes") or "openid",
        groups_claim=env("groups_claim"),
        national_id_claim=env("national_id_claim"),
        company_number_claim=env("company_number_claim"),
    )


@functools.lru_cache(maxsize=8)
def _client(config: ProviderConfig) -> Any:
    """authlib's client for ``config``; cached so discovery and the JWKS are fetched once per process."""
    registry = OAuth()
    scopes = config.scopes if "openid" in config.scopes.split() else f"openid {config.scopes}"
    return registry.register(
        name=f"civicflow_{config.kind}",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256", "default_timeout": _TIMEOUT},
    )


def _metadata(config: ProviderConfig) -> Mapping[str, Any]:
    client = _client(config)
    try:
        metadata: Mapping[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed(Failure.UNAVAILABLE, detail=type(error).__name__) from error
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer:
        # OpenID Connect Discovery 4.3: a document naming another issuer is not this provider's
        client.server_metadata.clear()
        raise SignInFailed(Failure.UNAVAILABLE, detail="the discovery document names another issuer")
    return metadata


def begin(request: HttpRequest, config: ProviderConfig, redirect_uri: str) -> HttpResponse:
    """Redirect the browser to the provider; ``state``, ``nonce`` and the PKCE verifier stay in the session."""
    _metadata(config)
    try:
        response: HttpResponse = _client(config).authorize_redirect(request, redirect_uri)
    except (requests.RequestException, RuntimeError) as error:
        raise SignInFailed(Failure.UNAVAILABLE, detail=type(error).__name__) from error
    return response


def complete(request: HttpRequest, config: ProviderConfig) -> Identity:
    """Check the provider's answer at the callback and return whom the ID token names; raise SignInFailed."""
    client = _client(config)
    if request.GET.get("error"):
        # error=access_denied and friends: the provider's own answer; the state is spent all the same
        client.framework.clear_state_data(request.session, request.GET.get("state"))
        raise SignInFailed(Failure.DENIED, detail=str(request.GET["error"])[:64])
    metadata = _metadata(config)
    issuer = str(metadata["issuer"]).rstrip("/")
    answered_by = request.GET.get("iss")
    if answered_by is not None and answered_by.rstrip("/") != issuer:
        # RFC 9207: the authorization response names its issuer; another one's code is not spent here
        client.framework.clear_state_data(request.session, request.GET.get("state"))
        raise SignInFailed(Failure.TOKEN, detail="the response names another issuer")
    try:
        token = client.authorize_access_token(request)
    except MismatchingStateError as error:
        raise SignInFailed(Failure.STATE) from error
    except requests.RequestException as error:
        raise SignInFailed(Failure.UNAVAILABLE, detail=type(error).__name__) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        raise SignInFailed(Failure.TOKEN, detail=type(error).__name__) from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        raise SignInFailed(Failure.TOKEN, detail="no ID token")
    return Identity(issuer=issuer, subject=str(claims["sub"]), claims=dict(claims))


def configured(kind: str) -> ProviderConfig:
    """The relying party of ``kind``; 404 when it is off (its pages do not exist then)."""
    config = provider(kind)
    if config is None:
        raise Http404
    return config


def remember_next(request: HttpRequest, kind: str) -> None:
    """Keep the page to return to (a local ``next`` only) until the callback."""
    target = str(request.GET.get("next") or "")[:2000]
    allowed = target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    request.session[f"oidc:next:{kind}"] = target if allowed else ""


def take_next(request: HttpRequest, kind: str, default: str) -> str:
    """The page remembered by :func:`remember_next`, or ``default``; forgotten once taken."""
    return str(request.session.pop(f"oidc:next:{kind}", "") or default)


SignIn = Callable[[HttpRequest, ProviderConfig, Identity], HttpResponse]


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInPages:
    """One application's OIDC pages: its page template, its local sign-in page and its callback (URL names).

    ``start_view`` and ``callback_view(sign_in)`` are the two views; ``sign_in`` is the
    application's part (find the account, start the session, say where to go) and may raise
    :class:`SignInFailed` to refuse.
    """

    kind: str
    base_template: str
    sign_in: str
    callback: str

    def start_view(self) -> Callable[[HttpRequest], HttpResponse]:
        """The start view: remember ``next`` and send the browser to the provider (404 when it is off)."""

        @never_cache
        @require_GET
        def start(request: HttpRequest) -> HttpResponse:
            config = configured(self.kind)
            remember_next(request, self.kind)
            try:
                return begin(request, config, request.build_absolute_uri(reverse(self.callback)))
            except SignInFailed as failure:
                return self.refused(request, config, failure)

        return start

    def callback_view(self, sign_in: SignIn) -> Callable[[HttpRequest], HttpResponse]:
        """The callback view: check the provider's answer, then ``sign_in``; any refusal gets the refusal page."""

        @never_cache
        @require_GET
        def callback(request: HttpRequest) -> HttpResponse:
            config = configured(self.kind)
            try:
                return sign_in(request, config, complete(request, config))
            except SignInFailed as failure:
                return self.refused(request, config, failure)

        return callback

    def refused(self, request: HttpRequest, config: ProviderConfig, failure: SignInFailed) -> HttpResponse:
        """Audit the refusal and explain it: which provider and why, nothing about the person, no traceback."""
        audit.record(
            actor="anonymous",
            action="SignInRefused",
            obj=("oidc-provider", config.kind),
            details={"method": "oidc", "reason": failure.reason.value},
        )
        context = {
            "base_template": self.base_template,
            "reason": failure.reason.value,
            "provider_name": config.name,
            "retry_url": reverse(self.sign_in),
        }
        return render(request, "civicflow/sign_in_failed.html", context, status=failure.status)
