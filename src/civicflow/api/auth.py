"""DRF authentication, the authorization policy's permission and per-token throttling for API tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from civicflow.api.models import ApiToken
from civicflow.api.tokens import verify_cached
from civicflow.security import policy

__all__ = [
    "THROTTLE_HISTORY",
    "PolicyPermission",
    "TokenAuthentication",
    "TokenPrincipal",
    "TokenRateThrottle",
    "authorize",
]

# last_used is a hint for operators, not an audit trail: writing it on every request would add
# one UPDATE to every call, so it is refreshed at most once a minute.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class TokenPrincipal:
    """The ``request.user`` of a token-authenticated request."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.username = f"token:{token.name}"
        # what the authorization policy reads: one role per scope
        self.api_scopes = tuple(token.scopes)

    def __str__(self) -> str:
        return self.username


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer cf_<prefix>_<secret>``."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].lower() != self.keyword or len(parts) != 2:
            raise exceptions.AuthenticationFailed("use 'Authorization: Bearer cf_<prefix>_<secret>'")
        token = verify_cached(parts[1].decode("ascii", "replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("unknown, revoked or malformed API token")
        now = timezone.now()
        if token.last_used is None or now - token.last_used > _LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return TokenPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="civicflow"'


class PolicyPermission(BasePermission):
    """Deny by default: each HTTP method of a view names the policy action it needs (``policy_actions``),
    and ``civicflow.security.policy`` answers for the token (one role per scope) or the staff session.

    Object rules (a task's department, an external task's topic) are checked by the view once it
    has the object: :func:`authorize`.
    """

    message = "the API token or account may not use this endpoint"

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if principal is None or not principal.is_authenticated:
            raise exceptions.NotAuthenticated("an API token is required: 'Authorization: Bearer cf_...'")
        method = (request.method or "").lower()
        if method not in ("head", "options") and not hasattr(view, method):
            return True  # the view answers 405 Method Not Allowed, which leaks nothing
        action = self._needed(request, view)
        if action is None:
            return False
        if not policy.can(principal, action):
            what = "API token" if isinstance(request.auth, ApiToken) else "account"
            self.message = f"the {what} may not {action!r} (the authorization policy, docs/security.md)"
            return False
        return True

    @staticmethod
    def _needed(request: Request, view: Any) -> str | None:
        by_method = getattr(view, "policy_actions", None)
        if isinstance(by_method, Mapping):
            method = {"HEAD": "GET", "OPTIONS": "GET"}.get(request.method or "", request.method)
            found = by_method.get(method)
            return str(found) if found is not None else None
        return None


def authorize(request: Request, action: str, obj: Any, *, hidden: bool = True) -> None:
    """Refuse unless the policy lets the request's principal do ``action`` on ``obj``.

    ``hidden`` answers 404, as for a missing object (another department's task is not revealed);
    otherwise 403 (a token's topic is no secret to its holder).
    """
    if policy.can(request.user, action, obj):
        return
    if hidden:
        raise exceptions.NotFound("no such resource")
    raise exceptions.PermissionDenied(f"the API token or account may not {action!r} on {obj!s}")


class _History:
    """The throttle's per-process store: DRF's sliding window without a cache round trip.

    DRF keeps each token's request times in the cache; the default local-memory cache pickles
    that list on every get and set, so a busy token (thousands of entries per minute) paid
    O(window) CPU on every request. Here the list is kept as is; like the cache, it is per
    process and a rare lost update between two threads only undercounts by one.
    """

    def __init__(self) -> None:
        self._lists: dict[str, list[float]] = {}

    def get(self, key: str, default: list[float]) -> list[float]:
        return self._lists.get(key, default)

    def set(self, key: str, value: list[float], timeout: int) -> None:
        self._lists[key] = value

    def clear(self) -> None:
        self._lists.clear()


THROTTLE_HISTORY = _History()


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (``CIVICFLOW_API_THROTTLE_RATE``, default 20000/min), per process."""

    scope = "token"
    cache = THROTTLE_HISTORY

    def get_rate(self) -> str | None:
        rate: str | None = getattr(settings, "CIVICFLOW_API_THROTTLE_RATE", "20000/min")
        return rate

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return f"civicflow-throttle-{request.auth.prefix}-{self.rate}"  # a new rate starts afresh
