"""Security headers for the server-rendered pages."""

from __future__ import annotations

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
