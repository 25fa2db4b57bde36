"""Which cases wait for documents from the citizen, and the documents an application holds.

A wait for documents is a process element (the building permit's "Wait for documents" receive
task) that a message ends; the portal offers an upload page while it is active (``_supply``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civicflow.portal.models import Application, Document

__all__ = ["REQUESTS", "DocumentRequest", "pending", "uploads_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentRequest:
    """A wait for documents: the ``element`` that waits, the ``message`` it takes, the list ``variable``."""

    element: str
    message: str
    variable: str
    asked: str  # the variable that says what is missing


REQUESTS = {
    "building_permit": DocumentRequest(
        element="await_documents", message="DocumentsSupplied", variable="documents", asked="missingDocuments"
    ),
}


def pending(application: Application, records: list[Any]) -> bool:
    """Whether the case waits for documents from the citizen (``records``: its element instances)."""
    wanted = REQUESTS.get(application.service)
    return wanted is not None and any(r.element_id == wanted.element and r.state == "active" for r in records)


def uploads_of(application: Application) -> list[Document]:
    """The documents the citizen uploaded for ``application``."""
    return list(Document.objects.filter(application=application))
