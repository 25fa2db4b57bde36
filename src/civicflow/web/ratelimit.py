"""Rate limits on the public endpoints: the application lookup, the start forms, open data, anonymous API.

A fixed window per client and kind of endpoint, counted in the database (``RateCount``) like the
staff sign-in lockout, so every web process shares it. The client is a hash of its address under
the secret key, never the address in clear. Over the limit, a page gets the design system's 429
page and the API a problem+json document, both with ``Retry-After``. The numbers live in the
``CIVICFLOW_PUBLIC_RATE_LIMITS`` setting (name -> requests, seconds); an empty setting turns the
limits off (``CIVICFLOW_RATE_LIMITS=0``, for load tests from one address).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from civicflow.web.models import RateCount

__all__ = ["ENDPOINTS", "RateLimitMiddleware", "client_key", "hit"]

_SAFE = frozenset({"GET", "HEAD"})
_ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_TRANSPARENCY = (
    "transparency",
    "transparency-catalogue",
    "transparency-csv-metadata",
    "transparency-schema",
    "transparency-csv",
    "transparency-json",
    "transparency-service",
    "transparency-audit",
    "transparency-audit-json",
)

# URL name -> (limit name, methods counted). The API's names are matched by namespace below.
ENDPOINTS: dict[str, tuple[str, frozenset[str]]] = {
    "portal:lookup": ("lookup", frozenset({"POST"})),  # reference + secret guessing
    "portal:apply": ("form", frozenset({"POST"})),
    "portal:apply-page": ("form", frozenset({"POST"})),
    "portal:save": ("form", frozenset({"POST"})),
    "portal:check": ("submit", frozenset({"POST"})),  # each one starts a case
    **{f"portal:{name}": ("open-data", _SAFE) for name in _TRANSPARENCY},
    # each question embeds it with the help assistant's model (docs/assistant.md)
    "portal:help": ("assistant", _SAFE),
    "portal:help-service": ("assistant", _SAFE),
}


# the API's schema and documentation pages, served to anyone (the schema is built per request)
_API_PUBLIC = frozenset({"schema", "docs", "redoc"})


@dataclass(frozen=True, slots=True)
class _Window:
    requests: int
    seconds: int


def _limits() -> dict[str, _Window]:
    configured: dict[str, tuple[int, int]] = getattr(settings, "CIVICFLOW_PUBLIC_RATE_LIMITS", {})
    return {name: _Window(*numbers) for name, numbers in configured.items()}


def client_key(request: HttpRequest) -> str:
    """The client's address as a keyed SHA-256 (never stored in clear), for counting its requests."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()


def hit(name: str, request: HttpRequest, *, now: datetime | None = None) -> int | None:
    """Count one request of this client against limit ``name``; seconds to wait if it is over, else None."""
    window = _limits().get(name)
    if window is None:
        return None
    now = now or timezone.now()
    length = timedelta(seconds=window.seconds)
    with transaction.atomic():
        row, _created = RateCount.objects.select_for_update().get_or_create(
            key=f"{name}:{client_key(request)}", defaults={"window_start": now}
        )
        if row.window_start <= now - length:
            row.count, row.window_start = 0, now
        row.count += 1
        row.save(update_fields=["count", "window_start"])
    if row.count <= window.requests:
        return None
    return max(1, math.ceil((row.window_start + length - now).total_seconds()))


def _limit_of(request: HttpRequest) -> str | None:
    match = request.resolver_match
    if match is None:
        return None
    if match.namespace == "api":
        if match.url_name in _API_PUBLIC:
            return "api-anonymous"  # they read no credentials: a header must not buy a way round
        # a token's requests have the token's own throttle; a bad token is refused without work
        if "HTTP_AUTHORIZATION" in request.META or request.user.is_authenticated:
            return None
        return "api-anonymous"
    name, methods = ENDPOINTS.get(match.view_name, (None, _ANY))
    return name if name is not None and request.method in methods else None


def _refused(request: HttpRequest, wait: int) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {
            "type": "about:blank",
            "title": "Too Many Requests",
            "status": 429,
            "detail": f"too many requests without an API token from this client; retry in {wait} seconds",
        }
        response = JsonResponse(body, status=429, content_type="application/problem+json")
    else:
        context = {
            "title": gettext("Sorry, there have been too many attempts"),
            "body": gettext("Wait %(minutes)s minutes, then try again.") % {"minutes": math.ceil(wait / 60)},
        }
        response = render(request, "civicflow/error.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """Counts requests to the endpoints in :data:`ENDPOINTS` and anonymous API requests; 429 over the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: object, args: object, kwargs: object) -> HttpResponse | None:
        name = _limit_of(request)
        if name is None:
            return None
        wait = hit(name, request)
        return None if wait is None else _refused(request, wait)
