"""``GET /metrics``: Prometheus text exposition for operators, behind a bearer token.

Accepted credentials (``Authorization: Bearer <token>``): the value of
``CIVICFLOW_METRICS_TOKEN``, or an API token (docs/api.md) with the ``metrics`` or ``admin``
scope. Anything else is refused with RFC 9457 problem+json: 401 without a token or with one
that is unknown, revoked or malformed, 403 with a valid API token that lacks the scope.

The answer is the request histogram of :mod:`civicflow.site.request_metrics` (all gunicorn
processes' when ``PROMETHEUS_MULTIPROC_DIR`` is set, else this process's) followed by the
database-derived gauges of :mod:`civicflow.site.operational_metrics`, computed now.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from civicflow.api.auth import TokenPrincipal
from civicflow.api.problems import PROBLEM_JSON
from civicflow.api.tokens import verify_cached
from civicflow.security import policy
from civicflow.site.operational_metrics import OperationalCollector

__all__ = ["metrics"]

_PROBLEMS = "https://civicflow.example/problems/"
_CHALLENGE = 'Bearer realm="civicflow-metrics"'


def _problem(request: HttpRequest, status: int, slug: str, title: str, detail: str) -> JsonResponse:
    body = {"type": _PROBLEMS + slug, "title": title, "status": status, "detail": detail, "instance": request.path}
    response = JsonResponse(body, status=status, content_type=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = _CHALLENGE
    return response


def _refusal(request: HttpRequest) -> JsonResponse | None:
    """None when the request carries an accepted token, else the problem answer to send."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return _problem(
            request, 401, "unauthenticated", "Authentication required", "send Authorization: Bearer <token>"
        )
    configured: str = settings.CIVICFLOW_METRICS_TOKEN
    if configured and hmac.compare_digest(credential.encode(), configured.encode()):
        return None
    token = verify_cached(credential)
    if token is None:
        return _problem(
            request, 401, "unauthenticated", "Authentication failed", "the token is unknown, revoked or malformed"
        )
    if not policy.can(TokenPrincipal(token), "api_metrics"):
        return _problem(request, 403, "forbidden", "Forbidden", "the API token lacks scope 'metrics'")
    return None


class _ProcessMetrics(Collector):
    """This process's own registry (request histogram, process and Python collectors)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    # prometheus_client itself switches to files when this is set; the scrape must then merge them
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # the library leaves it unannotated
    else:
        registry.register(_ProcessMetrics())
    registry.register(OperationalCollector(timezone.now()))
    return registry


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    # Prometheus asks for OpenMetrics in Accept; anything else gets the classic text format (0.0.4)
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(_registry()), content_type=content_type)
