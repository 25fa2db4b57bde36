"""The question a reference service's start form asks for a field, in a language.

Records that name a form field by its key (what was prefilled) show people the question instead:
"Your name", not ``applicantName``.
"""

from __future__ import annotations

from functools import lru_cache

from civicflow.forms import Form, load_form
from civicflow.services._catalogue import REFERENCE_SERVICES

__all__ = ["start_field_label"]


@lru_cache(maxsize=16)
def _start_form(service_id: str) -> Form | None:
    found = next((item for item in REFERENCE_SERVICES if item.id == service_id), None)
    if found is None:
        return None
    return load_form((found.folder / f"{found.start_form}.form").read_text(encoding="utf-8"))


def start_field_label(service_id: str, key: str, language: str) -> str:
    """The label of field ``key`` on ``service_id``'s start form in ``language``; the key itself when the
    service is not a reference service or its start form has no such field."""
    form = _start_form(service_id)
    found = next((c for c in form.walk() if c.key == key), None) if form is not None else None
    return found.label.in_language(language) if found is not None and found.label is not None else key
