"""CSRF everywhere (issue #11, hardening): every URL pattern of the site refuses a POST without a token.

The patterns are listed as the authorization matrix lists them (tests/integration/security/
test_authorization_matrix.py), so a new page is covered the day it is added. Django's CSRF middleware
refuses an unsafe request before the view runs, so a POST to every pattern must be refused unless the
view is exempt; only the REST API is, because it authenticates with bearer tokens that a browser
never sends on its own. Its session authentication, if any, must still enforce CSRF.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from civicflow.runtime.models import ProcessInstance

pytestmark = pytest.mark.django_db

REFUSED = "refused for CSRF"


def refusing_view(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW for these tests: a 403 that says it came from the CSRF check."""
    return HttpResponse(REFUSED, status=403)


_SAMPLES = ["1", "x", "building_permit", str(uuid.UUID(int=1)), "auth", "user"]
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(route, pattern) of every URL pattern; route is the concatenated source of the patterns."""
    for entry in resolver.url_patterns:
        route = prefix + _source(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _source(pattern: Any) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    assert isinstance(pattern, RegexPattern)
    return pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")


def _sample_paths(route: str) -> Iterator[str]:
    """Concrete paths for ``route``: every placeholder filled with each sample value in turn."""
    for sample in _SAMPLES:
        filled = _GROUP.sub(sample, route).replace("\\", "")  # regex groups first: they hold <name> too
        yield "/" + _CONVERTER.sub(lambda m, s=sample: str(uuid.UUID(int=1)) if m.group(1) == "uuid" else s, filled)


def _path_for(route: str, pattern: URLPattern) -> str | None:
    for candidate in _sample_paths(route):
        try:
            match = resolve(candidate)
        except Exception:  # Resolver404 or a converter refusing the sample: try the next
            continue
        if match.func is pattern.callback:
            return candidate
    return None


def _shadowed(route: str) -> bool:
    """A placeholder-free route that an earlier pattern answers (the admin's login: the workbench's)."""
    if "<" in route or "(" in route:
        return False
    try:
        resolve("/" + route)
    except Exception:  # Resolver404: nothing answers it
        return False
    return True


def _is_api(route: str) -> bool:
    return route.startswith("api/")


@pytest.fixture
def site_patterns() -> list[tuple[str, URLPattern]]:
    found = list(_patterns(get_resolver()))
    assert len(found) > 80  # a broken walk must not pass by listing nothing
    return found


def test_every_page_refuses_a_post_without_a_csrf_token(settings: Any, site_patterns: list[Any]) -> None:
    settings.CSRF_FAILURE_VIEW = f"{__name__}.refusing_view"
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("root", password="x" * 20))  # past every sign-in check
    unbuildable, accepted = [], []
    checked = 0
    for route, pattern in site_patterns:
        if _is_api(route):
            continue
        path = _path_for(route, pattern)
        if path is None:
            if not _shadowed(route):
                unbuildable.append(route)
            continue
        response = client.post(path, {"anything": "1"})
        response.close()
        checked += 1
        if response.status_code != 403 or response.content.decode() != REFUSED:
            accepted.append(f"POST {path} ({route}): {response.status_code}")
    assert not unbuildable, f"no sample path resolves to these patterns: {unbuildable}"
    assert not accepted, "\n".join(accepted)
    assert checked > 60


def test_the_same_post_with_the_token_passes_the_check(settings: Any) -> None:
    """The refusal above is the token's doing: with it, the CSRF check lets the post through."""
    settings.CSRF_FAILURE_VIEW = f"{__name__}.refusing_view"
    client = Client(enforce_csrf_checks=True)
    client.get("/portal/status/")
    token = client.cookies["csrftoken"].value
    response = client.post("/portal/status/", {"reference": "XX-0000-000000", "csrfmiddlewaretoken": token})
    assert response.content.decode() != REFUSED


def _api_view_class(pattern: URLPattern) -> type[APIView] | None:
    cls = getattr(pattern.callback, "view_class", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def test_api_session_authentication_enforces_csrf(site_patterns: list[Any]) -> None:
    """Every API view authenticates by bearer token, or by a session whose CSRF check DRF enforces."""
    api = [(route, pattern) for route, pattern in site_patterns if _is_api(route)]
    assert len(api) > 30
    for route, pattern in api:
        cls = _api_view_class(pattern)
        assert cls is not None, f"{route} is not a DRF view: Django's CSRF exemption would not be checked"
        for authentication in cls().get_authenticators():
            if isinstance(authentication, SessionAuthentication):
                # DRF's enforce_csrf is the check; a subclass that skips it would open the API to CSRF
                assert type(authentication).enforce_csrf is SessionAuthentication.enforce_csrf, route


def test_a_staff_session_without_a_token_changes_nothing_through_the_api(site_patterns: list[Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("root", password="x" * 20))
    allowed = []
    for route, pattern in site_patterns:
        if not _is_api(route) or "schema" in route or route.endswith(("docs", "redoc")):
            continue
        path = _path_for(route, pattern)
        assert path is not None, route
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path, {}, content_type="application/json")
            if response.status_code < 400:
                allowed.append(f"{method.upper()} {path}: {response.status_code}")
    assert not allowed, "\n".join(allowed)
    assert not ProcessInstance.objects.exists()
