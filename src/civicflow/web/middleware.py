"""Security headers for the server-rendered pages, and the Server-Timing header on every response."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from civicflow.web._agency import agency_from_settings

# The Django admin ships inline style attributes and the API's schema viewer its own scripts;
# their owners decide their policies. Every other page gets the strict one below.
_EXEMPT_PREFIXES = ("/admin/", "/api/")


def _policy() -> str:
    images = ["'self'", "data:"]
    origin = agency_from_settings().logo_origin
    if origin:
        images.append(origin)
    directives = {
        "default-src": ["'self'"],
        # no 'unsafe-inline': GOV.UK Frontend's body-class snippet is an external file (js-enabled.js)
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": images,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = _policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(_EXEMPT_PREFIXES):
            return response
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # the pages use none of these powerful features; saying so stops injected code using them
        response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=(), payment=()")
        return response


class ServerTimingMiddleware:
    """Adds ``Server-Timing: app;dur=<ms>``: the time from this middleware seeing the request to the response.

    First in the list, so it covers the other middleware, the view and the template rendering (not
    gunicorn's parsing or the network). Browsers show it in their developer tools and load tests read it
    (bench/web_bench.py). A view that set its own Server-Timing keeps it, with ours appended.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        entry = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
        earlier = response.headers.get("Server-Timing")
        response.headers["Server-Timing"] = f"{earlier}, {entry}" if earlier else entry
        return response
