"""The help assistant's passages: each service's guide sections (start page) and the FAQs (help pages).

Passages are built in every language from the same sources the pages render, so a quote is the
text the citizen finds when following its link. Guide anchors are the start page's section ids
(``#who``, ``#documents`` ...); FAQ anchors are ``#faq-ID`` on the help pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from civicflow.assistant import LANGUAGES, Passage
from civicflow.portal._guides import GUIDES, Guide

__all__ = ["GENERAL", "Faq", "faqs", "guide_sections", "passages"]

GENERAL = ""  # the service key of passages that belong to no one service
_FAQ_FILE = Path(__file__).parent / "help" / "faqs.yaml"


@dataclass(frozen=True, slots=True, kw_only=True)
class Faq:
    id: str
    question: dict[str, str]
    answer: dict[str, str]

    @property
    def anchor(self) -> str:
        return f"faq-{self.id}"


@cache
def _faq_table() -> dict[str, tuple[Faq, ...]]:
    data: dict[str, Any] = yaml.safe_load(_FAQ_FILE.read_text(encoding="utf-8"))
    table: dict[str, tuple[Faq, ...]] = {}
    for key, entries in data.items():
        service = GENERAL if key == "general" else key
        table[service] = tuple(
            Faq(id=entry["id"], question=dict(entry["question"]), answer=dict(entry["answer"])) for entry in entries
        )
    return table


def faqs(service: str) -> tuple[Faq, ...]:
    """The FAQs of ``service`` (``GENERAL`` for the portal-wide ones)."""
    return _faq_table().get(service, ())


def guide_sections(guide: Guide, language: str) -> list[tuple[str, str, str]]:
    """(anchor, heading, text) of the start page's sections, in ``language``, as the page shows them.

    A section that is a list on the page (the steps, the documents) has one line per item.
    """
    from civicflow.portal.views import _processing_time  # the start page's own wording of the target

    with translation.override(language):
        return [
            ("steps", gettext("Step by step"), "\n".join(step.get(language) for step in guide.steps)),
            ("who", gettext("Who can apply"), guide.who.get(language)),
            ("documents", gettext("What you need"), "\n".join(item.get(language) for item in guide.documents)),
            (
                "time",
                gettext("How long it takes"),
                gettext("We usually decide within %(time)s.") % {"time": _processing_time(guide)},
            ),
            ("cost", gettext("What it costs"), guide.fee.get(language)),
        ]


def _faq_page(service_id: str) -> str:
    return reverse("portal:help") if service_id == GENERAL else reverse("portal:help-service", args=[service_id])


def _service_passages(service_id: str, guide: Guide, language: str) -> list[Passage]:
    start = reverse("portal:start", args=[service_id])
    title = guide.service.title.get(language)
    return [
        Passage(
            id=f"{service_id}.guide.{anchor}",
            language=language,
            service=service_id,
            service_title=title,
            title=heading,
            text=text,
            url=f"{start}#{anchor}",
        )
        for anchor, heading, text in guide_sections(guide, language)
    ]


def _faq_passages(service_id: str, title: str, language: str) -> list[Passage]:
    page = _faq_page(service_id)
    return [
        Passage(
            id=f"{service_id or 'general'}.faq.{faq.id}",
            language=language,
            service=service_id,
            service_title=title,
            title=faq.question[language],
            text=" ".join(faq.answer[language].split()),
            url=f"{page}#{faq.anchor}",
        )
        for faq in faqs(service_id)
    ]


def passages(language: str) -> list[Passage]:
    """Every passage in ``language``: guide sections first, then FAQs, services in catalogue order."""
    if language not in LANGUAGES:
        raise ValueError(language)
    result = []
    with translation.override(language):
        for service_id, guide in GUIDES.items():
            result += _service_passages(service_id, guide, language)
        for service_id, guide in GUIDES.items():
            result += _faq_passages(service_id, guide.service.title.get(language), language)
        result += _faq_passages(GENERAL, gettext("Help"), language)
    return result
