"""Every response names the server's own time in a ``Server-Timing`` header (bench/web_bench.py reads it)."""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client

from civicflow.web.middleware import ServerTimingMiddleware

_ENTRY = re.compile(r"^app;dur=(\d+\.\d)$")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/portal/", "/no-such-page", "/api/v1/no-such-endpoint"])
def test_pages_and_errors_carry_the_app_duration(path: str) -> None:
    response = Client().get(path)
    found = _ENTRY.match(response.headers["Server-Timing"])
    assert found is not None, response.headers["Server-Timing"]
    assert float(found.group(1)) >= 0


def test_duration_covers_the_view_and_keeps_a_views_own_entries() -> None:
    def slow_view(request: HttpRequest) -> HttpResponse:
        import time

        time.sleep(0.05)
        response = HttpResponse("ok")
        response.headers["Server-Timing"] = "db;dur=3"
        return response

    response = ServerTimingMiddleware(slow_view)(HttpRequest())
    own, ours = response.headers["Server-Timing"].split(", ")
    assert own == "db;dur=3"
    found = _ENTRY.match(ours)
    assert found is not None
    assert float(found.group(1)) >= 50.0
