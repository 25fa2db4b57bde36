"""Request latency for Prometheus: one histogram per route name, method and status class.

Label values come from a closed set so that no request can grow the number of series: the
route's URL name (``"unmatched"`` for a path no route matched, so scanners probing random paths
add one series, not thousands), the method (``"other"`` for anything unusual) and the status
class (``2xx`` ...). No path, query, user or token ever becomes a label.

With several gunicorn processes set ``PROMETHEUS_MULTIPROC_DIR`` (docs/deployment.md): the
histogram then lives in memory-mapped files every process writes and any process reads at
scrape time, so each scrape sees the requests of all processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Histogram

__all__ = ["REQUEST_DURATION", "RequestMetricsMiddleware", "route_label"]

# Seconds; the portal and workbench aim at well under 300 ms, long polls of the API run to 60 s.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "civicflow_http_request_duration_seconds",
    "Time from the middleware seeing a request to the response leaving it, by route, method and status class.",
    ("view", "method", "status"),
    buckets=_BUCKETS,
)


def route_label(request: HttpRequest) -> str:
    """The matched route's name (``namespace:name``), its view's dotted path if unnamed, or ``unmatched``."""
    match = request.resolver_match
    if match is None:
        return "unmatched"
    return match.view_name or "unmatched"


class RequestMetricsMiddleware:
    """Observes every response's duration in :data:`REQUEST_DURATION` (also errors and 404s)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - began
        method = request.method if request.method in _METHODS else "other"
        status = f"{response.status_code // 100}xx"
        REQUEST_DURATION.labels(view=route_label(request), method=method, status=status).observe(elapsed)
        return response
