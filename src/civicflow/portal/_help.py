"""The help pages: a plain GET form that asks the assistant, the FAQs, and the per-visitor rate limit.

The question is never stored or logged by CivicFlow: it is answered and forgotten (the access log
drops query strings, see civicflow.site.gunicorn_conf; this page sends no Referer). Only the rate
limiter keeps the times of a client address's recent questions, in memory, per process.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import deque
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from civicflow.assistant import Answer
from civicflow.errors import ConfigurationError
from civicflow.portal._guides import GUIDES
from civicflow.portal._help_model import get_assistant
from civicflow.portal._help_passages import GENERAL, faqs

__all__ = ["RateLimit", "help_index", "help_service"]

MAX_QUESTION = 300  # characters: a question, not a document
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*$")
_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


class RateLimit:
    """A sliding window of question times per client address, in this process's memory."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def parse(rate: str) -> tuple[int, int]:
        match = _RATE.match(rate)
        if match is None or int(match[1]) < 1:
            raise ConfigurationError(f"CIVICFLOW_ASSISTANT_RATE must look like 20/min, not {rate!r}")
        return int(match[1]), _SECONDS[match[2]]

    def allow(self, key: str, *, rate: str, now: float) -> bool:
        limit, window = self.parse(rate)
        with self._lock:
            times = self._times.setdefault(key, deque())
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit:
                return False
            times.append(now)
            if len(self._times) > 10_000:  # forget idle visitors rather than grow without bound
                for other in [k for k, v in self._times.items() if not v or v[-1] <= now - window]:
                    del self._times[other]
            return True

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


LIMIT = RateLimit()


def _rate() -> str:
    return os.environ.get("CIVICFLOW_ASSISTANT_RATE", "20/min")


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _faq_rows(service_id: str, language: str) -> list[dict[str, str]]:
    return [
        {"anchor": faq.anchor, "question": faq.question[language], "answer": faq.answer[language]}
        for faq in faqs(service_id)
    ]


def _page(request: HttpRequest, service_id: str | None) -> HttpResponse:
    language = _language()
    question = " ".join(request.GET.get("q", "").split())[:MAX_QUESTION]
    context: dict[str, Any] = {
        "question": question,
        "service": None,
        "services": [{"id": key, "title": guide.service.title.get(language)} for key, guide in GUIDES.items()],
        "faqs": _faq_rows(GENERAL if service_id is None else service_id, language),
        "contact": settings.DEFAULT_FROM_EMAIL,
        "contact_url": reverse("portal:help") + "#faq-contact",
        "action": reverse("portal:help") if service_id is None else reverse("portal:help-service", args=[service_id]),
    }
    if service_id is not None:
        context["service"] = {"id": service_id, "title": GUIDES[service_id].service.title.get(language)}
    status = 200
    if question:
        address = request.META.get("REMOTE_ADDR") or "unknown"
        if LIMIT.allow(address, rate=_rate(), now=time.monotonic()):
            answer: Answer = get_assistant().ask(question, language=language, service=service_id)
            context["answer"] = answer
        else:
            context["limited"] = True
            status = 429
    response = render(request, "portal/help.html", context, status=status)
    # the question is in this page's URL: links followed from it must not carry it in a Referer
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def help_index(request: HttpRequest) -> HttpResponse:
    """Ask a question about any service; the portal-wide FAQs."""
    return _page(request, None)


@require_safe
def help_service(request: HttpRequest, service_id: str) -> HttpResponse:
    """Ask a question about one service (its passages and the portal-wide ones); its FAQs."""
    if service_id not in GUIDES:
        raise Http404
    return _page(request, service_id)
