"""Saved drafts keep the answers marked personal sealed (see docs/security.md, "Personal data at rest").

The start form's marked fields (``civicflow:personal``) are sealed under the draft's own subject,
``draft:<id>``: a draft has no applicant yet, and erasing it is deleting it. The answers are
opened again when the magic link brings them back into the session.
"""

from __future__ import annotations

from typing import Any

from civicflow.forms import personal_variables
from civicflow.portal._forms import start_form
from civicflow.runtime.personal import keyring
from civicflow.services import ReferenceService

__all__ = ["open_answers", "seal_answers"]


def seal_answers(service: ReferenceService, draft_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to store with a draft: the personal ones sealed under ``draft:<id>``."""
    names = personal_variables(start_form(service))
    if not names:
        return answers
    keys = keyring()
    sealed: dict[str, Any] = keys.seal_document(answers, names, keys.reference(f"draft:{draft_id}"))
    return sealed


def open_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """A draft's stored answers, opened (an answer that no longer opens is dropped: the citizen gives it again)."""
    opened: dict[str, Any] = keyring().open_document(answers)
    return {name: value for name, value in opened.items() if value is not None}
