"""The web foundation's pages through Django's test client: languages, headers, error pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from civicflow.errors import ConfigurationError
from civicflow.web import agency_from_settings, contrast_ratio

PAGES = ["/", "/accessibility", "/privacy"]
HEADINGS = {
    "en": {"/": "Services of CivicFlow", "/accessibility": "Accessibility statement", "/privacy": "Privacy notice"},
    "nl": {
        "/": "Diensten van CivicFlow",
        "/accessibility": "Toegankelijkheidsverklaring",
        "/privacy": "Privacyverklaring",
    },
}


def _client(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert match, html
    return match.group(1).strip()


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("path", PAGES)
def test_page_renders_in_the_language(path: str, language: str) -> None:
    response = _client(language).get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in html
    assert _h1(html) == HEADINGS[language][path]
    assert 'href="#main-content"' in html
    assert 'id="main-content"' in html


@pytest.mark.parametrize("path", [*PAGES, "/no-such-page"])
def test_pages_carry_a_strict_content_security_policy(path: str) -> None:
    response = Client().get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # with no 'unsafe-inline', an inline script would be dead code: none may be written
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode())
    assert scripts
    assert all("src=" in attributes for attributes in scripts)


def test_language_switch_sets_the_language_and_returns_to_the_same_page() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/privacy?from=test")
    html = page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    assert 'name="next" value="/privacy?from=test"' in html
    switched = client.post(
        "/i18n/setlang/",
        {"language": "nl", "next": "/privacy?from=test", "csrfmiddlewaretoken": token.group(1)},
    )
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/privacy?from=test"
    assert _h1(client.get("/privacy?from=test").content.decode()) == "Privacyverklaring"


def test_language_switch_refuses_a_next_on_another_site() -> None:
    response = Client().post("/i18n/setlang/", {"language": "nl", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("language", "title"), [("en", "Page not found"), ("nl", "Pagina niet gevonden")])
def test_not_found_is_a_design_system_page(language: str, title: str) -> None:
    response = _client(language).get("/no-such-page")
    assert response.status_code == 404
    html = response.content.decode()
    assert _h1(html) == title
    assert "govuk-template__body" in html


@pytest.mark.django_db  # an anonymous API request is counted against its rate limit (civicflow.web.ratelimit)
def test_api_paths_answer_not_found_as_data() -> None:
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert "govuk-template__body" not in response.content.decode()
    # data, not a page: the API's policy lets a browser that opens it run and load nothing
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_csrf_failure_is_a_design_system_403() -> None:
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 403
    assert _h1(response.content.decode()) == "You do not have permission to see this page"


@pytest.mark.parametrize(
    ("handler", "status", "title"),
    [
        ("bad_request", 400, "Sorry, there is a problem with your request"),
        ("permission_denied", 403, "You do not have permission to see this page"),
        ("server_error", 500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_handlers_render_in_the_design_system(handler: str, status: int, title: str) -> None:
    from django.test import RequestFactory

    from civicflow.web import views

    request = RequestFactory().get("/somewhere")
    view = getattr(views, handler)
    response = view(request) if handler == "server_error" else view(request, Exception("test"))
    assert response.status_code == status
    assert _h1(response.content.decode()) == title


@override_settings(CIVICFLOW_AGENCY_NAME="Gemeente Voorbeeld", CIVICFLOW_BRAND_COLOUR="#7A2E8A")
def test_agency_branding_comes_from_the_settings() -> None:
    html = Client().get("/").content.decode()
    assert "Gemeente Voorbeeld" in html
    assert "<title>Home – Gemeente Voorbeeld</title>" in html
    theme = Client().get("/theme.css")
    assert theme.headers["Content-Type"].startswith("text/css")
    assert "--govuk-brand-colour: #7a2e8a;" in theme.content.decode()


@override_settings(CIVICFLOW_AGENCY_LOGO_URL="https://cdn.example.org/logo.svg")
def test_logo_is_decorative_and_its_origin_is_allowed_for_images() -> None:
    from civicflow.web.middleware import _policy

    html = Client().get("/").content.decode()
    assert '<img class="civicflow-header__logo-image" src="https://cdn.example.org/logo.svg" alt="">' in html
    assert "img-src 'self' data: https://cdn.example.org;" in _policy()


@pytest.mark.parametrize(
    ("colour", "message"),
    [("#ffdd00", "contrast"), ("blue", "#rrggbb"), ("#1d70b", "#rrggbb")],
)
def test_unreadable_or_malformed_brand_colours_are_refused(colour: str, message: str) -> None:
    with override_settings(CIVICFLOW_BRAND_COLOUR=colour), pytest.raises(ConfigurationError, match=message):
        agency_from_settings()


def test_plain_http_logo_is_refused() -> None:
    with (
        override_settings(CIVICFLOW_AGENCY_LOGO_URL="http://example.org/logo.png"),
        pytest.raises(ConfigurationError, match="https"),
    ):
        agency_from_settings()


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # GOV.UK's brand blue against white, as published by GOV.UK (5.17:1)
    assert contrast_ratio("#1d70b8", "#ffffff") == pytest.approx(5.17, abs=0.01)


def test_home_lists_portal_and_workbench_entrances() -> None:
    html = _client("en").get("/").content.decode()
    assert "Apply for a service" in html
    assert "Staff workbench" in html
