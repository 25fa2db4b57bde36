"""``{% start_field_label service key %}``: the question a reference service's start form asks for a
field, in the page's language (party records name prefilled fields by key)."""

from __future__ import annotations

from django import template
from django.utils import translation

from civicflow.services import start_field_label as _label

register = template.Library()


@register.simple_tag
def start_field_label(service_id: str, key: str) -> str:
    return _label(service_id, key, translation.get_language() or "en")
