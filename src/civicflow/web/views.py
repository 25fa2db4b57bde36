"""Pages of the web foundation and the design-system error pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from civicflow.web._agency import agency_from_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entrance:
    """A way into the platform listed on the home page."""

    title: Promise
    description: Promise
    url: str | None  # None until the app behind it is installed


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _entrances() -> list[Entrance]:
    # The portal and workbench apps register these URL names when they land; until then the home
    # page still lists them, without a link, so nobody follows a link into a 404.
    return [
        Entrance(
            title=_("Apply for a service"),
            description=_("Start an application, save it and come back later, and see where your application is."),
            url=_url("portal:index"),
        ),
        Entrance(
            title=_("Staff workbench"),
            description=_("For staff: work on tasks for your department and follow cases."),
            url=_url("workbench:index"),
        ),
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "civicflow/home.html", {"entrances": _entrances()})


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "civicflow/accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "civicflow/privacy.html")


@require_safe
@cache_control(public=True, max_age=300)
def theme(request: HttpRequest) -> HttpResponse:
    """The agency's colours as GOV.UK Frontend custom properties (no inline styles: CSP)."""
    agency = agency_from_settings()
    css = f":root {{ --govuk-brand-colour: {agency.brand_colour}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


_ERRORS: dict[int, tuple[Promise, Promise]] = {
    400: (_("Sorry, there is a problem with your request"), _("Go back and try again.")),
    403: (
        _("You do not have permission to see this page"),
        _("If you think you should have access, contact the team that runs this service."),
    ),
    404: (
        _("Page not found"),
        _("If you typed the web address, check it is correct. If you pasted the web address, check you copied it all."),
    ),
    500: (_("Sorry, there is a problem with the service"), _("Try again later.")),
}


def _error(request: HttpRequest, status: int) -> HttpResponse:
    title, body = _ERRORS[status]
    return render(request, "civicflow/error.html", {"title": title, "body": body}, status=status)


_PROBLEM_TITLES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}


def _problem(status: int) -> HttpResponse:
    """RFC 9457 problem+json for an error the API's own handler never saw (an unexpected exception)."""
    body = {"type": "about:blank", "title": _PROBLEM_TITLES[status], "status": status}
    return JsonResponse(body, status=status, content_type="application/problem+json")


# API clients get RFC 9457 problem+json under /api/ (the API's handler answers most of its errors;
# these are the ones that escape it); people get the pages in the design system.
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(400)
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(403)
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(404)
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(500)
    try:
        return _error(request, 500)
    except Exception:
        # the error page must not fail like the page it replaces: fall back to Django's plain one
        logger.exception("the 500 page could not be rendered")
        return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted without a valid token (an expired page, usually)."""
    return _error(request, 403)
