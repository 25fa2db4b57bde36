"""The help pages: a plain GET form that asks the assistant, and the FAQs.

The question is never stored or logged by CivicFlow: it is answered and forgotten (the access log
drops query strings, see civicflow.site.gunicorn_conf; this page sends no Referer). The pages are
rate-limited per client like the other public endpoints (civicflow.web.ratelimit, limit "assistant"),
which counts requests under a hash of the client's address, never what was asked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from civicflow.assistant import Answer
from civicflow.portal._guides import GUIDES
from civicflow.portal._help_model import get_assistant
from civicflow.portal._help_passages import GENERAL, faqs

__all__ = ["help_index", "help_service"]

MAX_QUESTION = 300  # characters: a question, not a document


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
    if question:
        answer: Answer = get_assistant().ask(question, language=language, service=service_id)
        context["answer"] = answer
    response = render(request, "portal/help.html", context)
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
