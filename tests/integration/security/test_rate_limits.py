"""Rate limits on the public endpoints (issue #11, hardening): lookup, start forms, open data, anonymous API.

Each limit is set small here; the request after it is refused with 429 and Retry-After (a page for
people, problem+json for the API), another client address is unaffected, and a new window lets the
client in again. The counters hold a hash of the address, never the address.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicflow.runtime.reference import deploy_reference_services
from civicflow.web.models import RateCount

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


@pytest.fixture
def limits(settings: Any) -> dict[str, tuple[int, int]]:
    settings.CIVICFLOW_PUBLIC_RATE_LIMITS = {
        "lookup": (3, 3600),
        "form": (2, 3600),
        "submit": (1, 3600),
        "open-data": (2, 60),
        "api-anonymous": (2, 60),
    }
    return dict(settings.CIVICFLOW_PUBLIC_RATE_LIMITS)


def _client(address: str = ADDRESS) -> Client:
    return Client(REMOTE_ADDR=address)


def _assert_refused_page(response: Any, *, at_most: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= at_most
    assert "too many attempts" in response.content.decode()
    assert "govuk-template__body" in response.content.decode()


def test_application_lookup_is_limited_per_client(limits: Any) -> None:
    client = _client()
    wrong = {"reference": "BP-2026-000001", "secret": "wrong-secret"}
    for _ in range(3):
        assert client.post("/portal/status/", wrong).status_code == 404  # no such application
    _assert_refused_page(client.post("/portal/status/", wrong), at_most=3600)
    assert client.get("/portal/status/").status_code == 200  # asking for the form costs nothing
    assert _client("198.51.100.1").post("/portal/status/", wrong).status_code == 404
    # a new window lets the client in again
    RateCount.objects.update(window_start=timezone.now() - timedelta(hours=2))
    assert client.post("/portal/status/", wrong).status_code == 404


def test_start_form_posts_and_submissions_are_limited(limits: Any) -> None:
    deploy_reference_services()
    client = _client()
    answers = {
        "patientName": "J. Jansen",
        "patientEmail": "j.jansen@example.org",
        "sourceProvider": "Huisartsenpraktijk De Linde",
        "targetProvider": "Gezondheidscentrum Noord",
        "urgency": "routine",
        "_continue": "1",
    }
    assert client.post("/portal/record_transfer/apply/", answers).status_code == 302
    assert client.post("/portal/record_transfer/check/").status_code == 302  # submitted
    assert client.post("/portal/record_transfer/apply/", answers).status_code == 302
    _assert_refused_page(client.post("/portal/record_transfer/apply/", answers), at_most=3600)
    _assert_refused_page(client.post("/portal/record_transfer/check/"), at_most=3600)
    assert client.get("/portal/record_transfer/apply/").status_code == 200


def test_open_data_is_limited(limits: Any) -> None:
    client = _client()
    assert client.get("/portal/transparency/").status_code == 200
    assert client.get("/portal/transparency/catalog.jsonld").status_code == 200
    _assert_refused_page(client.get("/portal/transparency/"), at_most=60)
    refused = client.get("/portal/transparency/audit/checkpoints.json")
    assert refused.status_code == 429
    assert _client("198.51.100.1").get("/portal/transparency/").status_code == 200


def test_anonymous_api_requests_are_limited_with_a_problem(limits: Any) -> None:
    client = _client()
    for _ in range(2):
        assert client.get("/api/v1/process-definitions").status_code == 401
    refused = client.get("/api/v1/process-definitions")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # a request with a token is the token throttle's business (a bad token is refused as usual)
    assert client.get("/api/v1/process-definitions", HTTP_AUTHORIZATION="Bearer cf_x_y").status_code == 401
    # the schema reads no credentials: a header does not get round its limit
    assert client.get("/api/v1/schema", HTTP_AUTHORIZATION="Bearer cf_x_y").status_code == 429


def test_counters_hold_no_address(limits: Any) -> None:
    _client().post("/portal/status/", {"reference": "X", "secret": "y"})
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert len(keys) == 1
    assert keys[0].startswith("lookup:")
    assert ADDRESS not in keys[0]


def test_limits_can_be_turned_off(settings: Any) -> None:
    settings.CIVICFLOW_PUBLIC_RATE_LIMITS = {}
    client = _client()
    for _ in range(30):
        assert client.post("/portal/status/", {"reference": "X", "secret": "y"}).status_code == 404
    assert not RateCount.objects.exists()


def test_the_refusal_page_speaks_dutch(limits: Any) -> None:
    client = _client()
    client.cookies["django_language"] = "nl"
    for _ in range(2):
        client.get("/portal/transparency/")
    response = client.get("/portal/transparency/")
    assert response.status_code == 429
    assert "te vaak geprobeerd" in response.content.decode()
