"""Security headers on every kind of response (issue #11, hardening): pages, admin, API, static, errors.

Each response must carry a Content-Security-Policy that forbids inline script and framing, plus
nosniff, a Referrer-Policy, a Permissions-Policy and Cross-Origin-Opener-Policy; https responses
carry Strict-Transport-Security. The templates themselves must hold no inline script, inline style
or event-handler attribute, since the policy would block them (and a page that needs them would be
tempted to loosen it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path

import civicflow
from civicflow.site import urls as site_urls
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db

SRC = Path(civicflow.__file__).parent


def _boom(request: Any) -> Any:
    raise RuntimeError("a bug in a view")


# the site's URLs plus two views that fail, for the 500 pages (handler500 as the site sets it)
urlpatterns = [path("portal/boom", _boom), path("api/v1/boom", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500
handler404 = site_urls.handler404


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_hardened(response: Any) -> dict[str, list[str]]:
    """The headers every response must carry; the parsed CSP for the caller's own checks."""
    label = f"{response.request['PATH_INFO']} ({response.status_code})"
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {label}"
    csp = _directives(policy)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, label
    for loose in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:"):
        assert loose not in scripts, f"{loose} in script-src of {label}"
    assert csp["frame-ancestors"] == ["'none'"], label
    assert csp.get("object-src", csp["default-src"]) == ["'none'"], label
    assert csp["base-uri"] == ["'none'"], label
    assert response.headers.get("X-Content-Type-Options") == "nosniff", label
    assert response.headers.get("Referrer-Policy") == "same-origin", label
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), label
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", label
    return csp


PUBLIC_PAGES = [
    "/",
    "/accessibility",
    "/portal/",
    "/portal/status/",
    "/portal/transparency/",
    "/portal/transparency/audit/",
    "/workbench/sign-in",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_have_the_strict_policy(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200, url
    csp = assert_hardened(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_workbench_pages_of_a_signed_in_caseworker() -> None:
    client = signed_in(staff("ingrid", "intake"))
    for url in ("/workbench/", "/workbench/kpi/", "/workbench/assess/"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = assert_hardened(response)
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url


def test_the_admin_allows_inline_styles_but_no_inline_script() -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x" * 20))
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = assert_hardened(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in csp["style-src"]


def test_api_answers_forbid_everything() -> None:
    response = Client().get("/api/v1/process-definitions")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    csp = assert_hardened(response)
    assert csp["default-src"] == ["'none'"]
    assert "script-src" not in csp


def test_api_documentation_pages_run_no_inline_script() -> None:
    for url in ("/api/v1/docs", "/api/v1/redoc"):
        response = Client().get(url)
        assert response.status_code == 200, url
        csp = assert_hardened(response)
        assert csp["script-src"] == ["'self'", "https://cdn.jsdelivr.net"], url
        assert not _inline_scripts(response.content.decode()), url
    script = Client().get("/api/v1/docs?script")  # Swagger UI's set-up, served as a file
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_static_file_gets_the_headers(settings: Any) -> None:
    # whitenoise serves from the apps' static folders, as without collectstatic in development
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/workbench/case-diagram.js")
    response.close()  # whitenoise streams the file
    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.urls(__name__)
def test_error_pages_and_problems_carry_the_headers() -> None:
    client = Client(raise_request_exception=False)
    not_found = client.get("/portal/no-such-service/")
    assert not_found.status_code == 404
    assert_hardened(not_found)
    api_not_found = client.get("/api/v2/nothing")
    assert api_not_found.status_code == 404
    assert api_not_found["Content-Type"] == "application/problem+json"
    assert api_not_found.json()["status"] == 404
    assert_hardened(api_not_found)
    page_error = client.get("/portal/boom")
    assert page_error.status_code == 500
    assert "text/html" in page_error["Content-Type"]
    assert_hardened(page_error)
    api_error = client.get("/api/v1/boom")
    assert api_error.status_code == 500
    assert api_error["Content-Type"] == "application/problem+json"
    assert api_error.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500}
    assert_hardened(api_error)


def test_hsts_on_https_requests_only(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    assert Client().get("/portal/").headers.get("Strict-Transport-Security") is None
    secure = Client().get("/portal/", secure=True)
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_hardened(secure)


def test_hsts_defaults_to_a_year_for_an_https_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from civicflow.site import settings as site_settings

    monkeypatch.setenv("CIVICFLOW_PUBLIC_URL", "https://civicflow.example.org")
    monkeypatch.delenv("CIVICFLOW_HSTS_SECONDS", raising=False)
    try:
        assert importlib.reload(site_settings).SECURE_HSTS_SECONDS == 31536000
        monkeypatch.setenv("CIVICFLOW_HSTS_SECONDS", "0")
        assert importlib.reload(site_settings).SECURE_HSTS_SECONDS == 0
        monkeypatch.setenv("CIVICFLOW_PUBLIC_URL", "http://localhost:8000")
        monkeypatch.delenv("CIVICFLOW_HSTS_SECONDS")
        assert importlib.reload(site_settings).SECURE_HSTS_SECONDS == 0
    finally:
        monkeypatch.undo()
        importlib.reload(site_settings)


_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
# an issued document is a standalone file with its own policy (default-src 'none'; sandbox), never a page
_STANDALONE = {"portal/templates/portal/documents/permit.html"}


def _inline_scripts(html: str) -> list[str]:
    # a JSON data island is data, not script: the policy does not run it
    return [tag for tag in _INLINE_SCRIPT.findall(html) if "application/json" not in tag]


def test_no_template_holds_inline_script_style_or_event_handlers() -> None:
    found = []
    for template in sorted(SRC.rglob("templates/**/*.html")):
        name = template.relative_to(SRC).as_posix()
        if name in _STANDALONE:
            continue
        text = template.read_text()
        for pattern in (_EVENT_HANDLER, _INLINE_STYLE):
            found += [f"{name}: {hit}" for hit in pattern.findall(text)]
        found += [f"{name}: {hit}" for hit in _inline_scripts(text)]
    assert not found, "\n".join(found)
