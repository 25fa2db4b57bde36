"""``{% case_documents instance_id as docs %}``: the documents a citizen sent for a case."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import template

from civicflow.workbench.views._documents import case_documents as _case_documents

register = template.Library()


@register.simple_tag
def case_documents(instance_id: UUID | str) -> list[Any]:
    """The case's uploaded documents, oldest first."""
    return _case_documents(instance_id)
