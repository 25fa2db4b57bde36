"""Passages: the only texts the assistant answers with (guide sections and FAQ entries)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LANGUAGES", "Passage", "content_hash", "language_of"]

LANGUAGES = ("en", "nl")


@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """One quotable passage in one language.

    ``id`` is stable and the same in every language (``building_permit.faq.fee``): evaluation sets and
    links name it. ``url`` is the page and anchor where the passage is shown.
    """

    id: str
    language: str
    service: str
    service_title: str
    title: str
    text: str
    url: str

    @property
    def heading_text(self) -> str:
        """The service and the heading alone: an FAQ's question is phrased the way citizens ask."""
        return ". ".join(part for part in (self.service_title, self.title) if part)

    @property
    def indexed_text(self) -> str:
        """What is embedded and searched: the service, the heading and the passage itself."""
        return ". ".join(part for part in (self.service_title, self.title, self.text) if part)


def language_of(code: str) -> str:
    """``nl-BE`` reads as ``nl``; any language without its own passages reads as English."""
    base = code.lower().split("-")[0].strip()
    return base if base in LANGUAGES else "en"


def content_hash(passages: Iterable[Passage], *, model: str) -> str:
    """A digest of what an index's vectors depend on: the model and every indexed text, in order."""
    digest = hashlib.sha256(model.encode())
    for passage in passages:
        for part in (passage.id, passage.language, passage.indexed_text):
            digest.update(b"\x00" + part.encode())
    return digest.hexdigest()
