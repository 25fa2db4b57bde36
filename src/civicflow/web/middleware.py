"""Security headers (Content-Security-Policy, Permissions-Policy) on every response, and Server-Timing."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from civicflow.web._agency import agency_from_settings

# CDN the API's Swagger UI and Redoc pages load their bundles, styles and fonts from (drf-spectacular)
_API_DOCS_ORIGINS = ("https://cdn.jsdelivr.net",)
_API_DOCS_PATHS = ("/api/v1/docs", "/api/v1/redoc")
_FONT_ORIGINS = ("https://fonts.googleapis.com", "https://fonts.gstatic.com")


def _join(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _page_directives() -> dict[str, list[str]]:
    images = ["'self'", "data:"]
    origin = agency_from_settings().logo_origin
    if origin:
        images.append(origin)
    return {
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


def _policy() -> str:
    """The portal's, the workbench's and the site's own pages: nothing inline, nothing from elsewhere."""
    return _join(_page_directives())


def _admin_policy() -> str:
    """Django's admin writes a few inline <style> blocks and style attributes; its scripts are files."""
    directives = _page_directives()
    directives["style-src"] = ["'self'", "'unsafe-inline'"]
    return _join(directives)


def _api_docs_policy() -> str:
    """Swagger UI (its set-up script served as a file by the split view) and Redoc, from their CDN."""
    directives = _page_directives()
    directives["script-src"] = ["'self'", *_API_DOCS_ORIGINS]
    # both write inline styles at run time; scripts stay external
    directives["style-src"] = ["'self'", "'unsafe-inline'", *_API_DOCS_ORIGINS, _FONT_ORIGINS[0]]
    directives["font-src"] = ["'self'", *_API_DOCS_ORIGINS, _FONT_ORIGINS[1]]
    directives["img-src"] = [*directives["img-src"], *_API_DOCS_ORIGINS]
    directives["worker-src"] = ["'self'", "blob:"]  # Redoc's search runs in a blob: worker
    return _join(directives)


# API answers are data, never documents to render: a browser that opens one runs and loads nothing
_API_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# the pages use none of these powerful features; saying so stops injected code using them
_PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response unless a view set its own.

    One policy per kind of response: the site's pages (strict), the Django admin (inline styles
    allowed, scripts not), the API's documentation pages (their CDN) and the API's data (nothing).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = _policy()
        self.admin_policy = _admin_policy()
        self.api_docs_policy = _api_docs_policy()

    def _policy_for(self, path: str) -> str:
        if path.startswith("/admin/"):
            return self.admin_policy
        if path.startswith(_API_DOCS_PATHS):
            return self.api_docs_policy
        if path.startswith("/api/"):
            return _API_POLICY
        return self.policy

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self._policy_for(request.path))
        response.headers.setdefault("Permissions-Policy", _PERMISSIONS_POLICY)
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
